"""A small mutation tester for cocontrol's engine modules (``make mutate``).

Every mutant is one planted one-line bug: an arithmetic operator swapped (+ -, * /), a
comparison loosened or flipped (< <=, == !=), ``and``/``or`` swapped, a ``not`` or a unary
minus dropped, a number nudged (0 -> 1, 1 -> 0, n -> n + 1, x -> 2x), ``True``/``False``
swapped or a constant index moved (``[0]`` -> ``[1]``, ``[-1]`` -> ``[0]``). Strings, docstrings,
decorators and the arguments of error messages are left alone.

The mutants of a module are sampled by a seeded hash of their keys (``--seed``; the same
mutants after edits elsewhere in the module), or all of them when a module has few sites
(``--all-below``). The test
files of a module's area (``MODULES``) run once unmutated with a line tracer; each mutant then
runs only the tests that execute its lines (all of them for lines run at import), and a
mutant that survives those gets every test of the files before it counts as a survivor
(the first run collects only the files of those tests, the fastest file first, and stops at
the first failure). A
mutant on a line no test executes survives without a run. Third-party libraries are
imported once; each mutant runs in a forked child that imports a copy of the package with the
one mutated file, so a run costs the tests only. ``--jobs`` children run at once (at most 2:
the machine is shared; ``make mutate`` also runs under ``nice -n 10``). Hash seed and
property-test seeds are fixed (``PYTHONHASHSEED=0``, ``CI=true``).

A mutant is *killed* when a test fails (or the run uses more CPU time than
max(3 x, 30 s +) the unmutated traced run: CPU, not wall time, so the load of a shared
machine does not turn slow runs into kills). A survivor is
*equivalent* when no input can tell it from the original; each such mutant is listed in
``tools/mutate-equivalent.yaml`` with a one-line reason, keyed by module, function, the text
of the source line and the mutation (not the line number, so the list survives edits
elsewhere). Entries that match no site are reported as stale. Kill rate = killed / (mutants -
equivalent).

Usage::

    python tools/mutate.py                                    # every module
    python tools/mutate.py --modules mcda/core.py --sample 0  # all mutants of one module
    python tools/mutate.py --list-survivors

Writes ``out/mutate.json`` (per module: sites, mutants, killed, equivalent, survived, kill
rate, and each survivor with line, code and mutation; a run over some modules keeps the
others' entries) and prints the table per module.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import hashlib
import itertools
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "cocontrol"

INVENTORY_TESTS = [f"tests/inventory/test_{n}.py" for n in (
    "inventory_values", "conventions", "factor_units", "factor_semantics",
    "inventory_invariants", "inventory_validation", "plausibility")]

#: module (relative to src/cocontrol) -> test paths that exercise it
MODULES: dict[str, list[str]] = {
    # the inventory's hand-calculation and validation files; the example cities' invariants
    # (test_city_invariants) and the Excel/CLI/report round trips (test_inventory_io) run
    # every scenario or write files: minutes per mutant on a shared machine, for little
    # extra killing power on the engine's arithmetic
    "inventory/engine.py": INVENTORY_TESTS,
    "inventory/factors.py": [*INVENTORY_TESTS, "tests/data/test_reference_data.py"],
    "inventory/inventory.py": INVENTORY_TESTS,
    # the scenario files that run the engine and its actions on the hand-calculable test
    # projects (batched runs, regions, marginal effects); not the CLI and demo reports
    # (test_scenario_cli), the measures library's data checks nor the buffer pool's threads:
    # minutes per mutant on a shared machine
    "scenario/engine.py": ["tests/scenario/test_engine_by_hand.py",
                           "tests/scenario/test_actions_by_hand.py",
                           "tests/scenario/test_scenario_engine.py",
                           "tests/scenario/test_actions_registry.py",
                           "tests/scenario/test_batch.py",
                           "tests/scenario/test_fuel_price_missing.py"],
    "scenario/actions.py": ["tests/scenario/test_actions_by_hand.py",
                            "tests/scenario/test_actions_registry.py",
                            "tests/scenario/test_scenario_engine.py",
                            "tests/scenario/test_analysis_edges.py"],
    "scenario/analysis.py": ["tests/scenario/test_analysis_edges.py",
                             "tests/scenario/test_scenario_engine.py",
                             "tests/scenario/test_intensity_units.py"],
    "scenario/drivers.py": ["tests/scenario/test_drivers_growth.py",
                            "tests/scenario/test_growth_parts.py",
                            "tests/scenario/test_scenario_engine.py",
                            "tests/uncertainty/test_unc_growth.py"],  # growth_parts
    "metrics/cocontrol.py": ["tests/metrics/test_cocontrol_edges.py",
                             "tests/metrics/test_cocontrol_survivors.py",
                             "tests/metrics/test_metrics_cocontrol.py",
                             "tests/metrics/test_cocontrol_array.py"],
    "metrics/lmdi.py": ["tests/metrics/test_lmdi_edges.py", "tests/metrics/test_metrics_lmdi.py"],
    "metrics/decoupling.py": ["tests/metrics/test_decoupling_edges.py",
                              "tests/metrics/test_decoupling_survivors.py",
                              "tests/metrics/test_metrics_decoupling.py"],
    "airquality/matrix.py": ["tests/airquality/test_aq_matrix_edges.py",
                             "tests/airquality/test_aq_matrix_attainment.py"],
    "health/crf.py": ["tests/health/test_health_edges.py", "tests/health/test_health_crf.py"],
    "optimize/lp.py": ["tests/optimize/test_opt_lp.py"],
    "cge/model.py": ["tests/cge/test_cge_hosoe.py", "tests/cge/test_cge_policies.py"],
    "evaluation/compute.py": ["tests/evaluation/test_eval_compute_edges.py",
                              "tests/evaluation/test_eval_compute_survivors.py",
                              "tests/evaluation/test_eval_data.py"],
    "evaluation/scoring.py": ["tests/evaluation/test_eval_scoring_edges.py",
                              "tests/evaluation/test_eval_scoring_survivors.py",
                              "tests/evaluation/test_eval_scoring.py"],
    "mcda/core.py": ["tests/mcda/test_mcda_hand.py", "tests/mcda/test_mcda_edges.py",
                     "tests/mcda/test_mcda_survivors.py", "tests/mcda/test_mcda_core.py"],
}

PRELOAD = ("numpy", "pandas", "scipy.sparse", "scipy.optimize", "pint", "yaml", "pydantic",
           "xarray", "linopy", "openpyxl", "pytest", "hypothesis", "typer", "rich")

_SKIP_CALLS = {"Problem", "InputError", "CocontrolError", "ModelError", "MissingFactorError",
               "UnitError", "InfeasibleError", "print", "lru_cache", "cache", "warn",
               "paragraph", "table", "heading", "round", "format"}

_BIN = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
        ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv}
_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot,
        ast.IsNot: ast.Is}


EQUIVALENT = ROOT / "tools" / "mutate-equivalent.yaml"


def _name(node) -> str:
    f = node.func if isinstance(node, ast.Call) else node
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


class Site(tuple):
    """(node id, line, column, function, description, last line) of one mutation."""

    __slots__ = ()

    def __new__(cls, nid, line, col, func, what, end=None):
        return super().__new__(cls, (nid, line, col, func, what, end or line))

    nid = property(lambda s: s[0])
    line = property(lambda s: s[1])
    col = property(lambda s: s[2])
    func = property(lambda s: s[3])
    what = property(lambda s: s[4])
    end = property(lambda s: s[5])


class _Sites(ast.NodeVisitor):
    """Collect mutation sites in visiting order."""

    def __init__(self):
        self.sites: list[Site] = []
        self._skip = 0
        self._func: list[str] = []

    def generic_visit(self, node):
        skip = (isinstance(node, ast.JoinedStr | ast.Expr) and isinstance(
            getattr(node, "value", None), ast.Constant) and isinstance(node.value.value, str)) \
            or isinstance(node, ast.JoinedStr) \
            or (isinstance(node, ast.Call) and _name(node) in _SKIP_CALLS)
        if skip:
            self._skip += 1
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for d in node.decorator_list:  # decorators: cache sizes etc.
                self._skip += 1
                self.visit(d)
                self._skip -= 1
            for f in ("args", "returns"):
                v = getattr(node, f, None)
                if v is not None:
                    self.visit(v)
            for b in getattr(node, "bases", []):
                self.visit(b)
            self._func.append(node.name)
            for s in node.body:
                self.visit(s)
            self._func.pop()
        else:
            if not self._skip:
                self._collect(node)
            super().generic_visit(node)
        if skip:
            self._skip -= 1

    def _add(self, node, what):
        self.sites.append(Site(id(node), getattr(node, "lineno", 0),
                               getattr(node, "col_offset", 0), ".".join(self._func) or "-",
                               what, getattr(node, "end_lineno", None)))

    def _collect(self, node):
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            self._add(node, f"{type(node.op).__name__} -> {_BIN[type(node.op)].__name__}")
        elif isinstance(node, ast.AugAssign) and type(node.op) in _BIN:
            self._add(node, f"{type(node.op).__name__}= -> {_BIN[type(node.op)].__name__}=")
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _CMP:
                    self._add(node, f"cmp[{i}] {type(op).__name__} -> "
                                    f"{_CMP[type(op)].__name__}")
        elif isinstance(node, ast.BoolOp):
            self._add(node, f"{type(node.op).__name__} -> "
                            f"{'Or' if isinstance(node.op, ast.And) else 'And'}")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
            self._add(node, f"drop {type(node.op).__name__}")
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
            self._add(node, f"const {node.value!r} -> {_const(node.value)!r}")
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and \
                type(node.slice.value) is int:
            self._add(node, f"index [{node.slice.value}] -> [{_index(node.slice.value)}]")
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.UnaryOp) and \
                isinstance(node.slice.op, ast.USub) and isinstance(node.slice.operand,
                                                                    ast.Constant):
            self._add(node, "index [-k] -> [0]")


def _const(v):
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return {0: 1, 1: 0}.get(v, v + 1)
    return 0.0 if v == 1.0 else (1.0 if v == 0.0 else v * 2)


def _index(k: int) -> int:
    return 1 if k == 0 else 0


class _Apply(ast.NodeTransformer):
    def __init__(self, target: int, what: str):
        self.target, self.what, self.done = target, what, False

    def visit(self, node):
        if id(node) == self.target and not self.done:
            self.done = True
            return self._mutate(node)
        return super().visit(node)

    def _mutate(self, node):
        w = self.what
        if isinstance(node, ast.BinOp | ast.AugAssign):
            node.op = _BIN[type(node.op)]()
        elif isinstance(node, ast.Compare):
            i = int(w[4:w.index("]")])
            node.ops[i] = _CMP[type(node.ops[i])]()
        elif isinstance(node, ast.BoolOp):
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif isinstance(node, ast.UnaryOp):
            return node.operand
        elif isinstance(node, ast.Constant):
            node.value = _const(node.value)
        elif isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Constant):
                node.slice = ast.Constant(_index(node.slice.value))
            else:
                node.slice = ast.Constant(0)
        return node


def sites_of(path: Path) -> tuple[ast.Module, list[Site]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    s = _Sites()
    s.visit(tree)
    return tree, s.sites


def mutant_source(path: Path, k: int) -> tuple[str, Site]:
    tree, sites = sites_of(path)
    site = sites[k]
    t = _Apply(site.nid, site.what)
    tree = t.visit(tree)
    assert t.done, (path, k)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree), site


def sample_sites(mod: str, sites: list[Site], lines: list[str], seed: int, n: int) -> list[int]:
    """``n`` sites chosen by a seeded hash of their key (function, code, mutation; the k-th
    site of a repeated key counts k): the same mutants are drawn after edits elsewhere in
    the module, so a run before and after new tests or a small fix compares like with like."""
    seen: dict[tuple, int] = {}
    rank = []
    for k, site in enumerate(sites):
        key = site_key(mod, site, lines)
        seen[key] = seen.get(key, 0) + 1
        h = hashlib.sha256(f"{seed}:{':'.join(key)}:{seen[key]}".encode()).hexdigest()
        rank.append((h, k))
    return sorted(k for _, k in sorted(rank)[:n])


def site_key(mod: str, site: Site, lines: list[str]) -> tuple[str, str, str, str]:
    """What identifies a mutant across edits elsewhere: module, function, code, mutation."""
    code = lines[site.line - 1].strip() if 0 < site.line <= len(lines) else ""
    return mod, site.func, code, f"{site.what} @{site.col}"


class _LineTracer:
    """pytest plugin for the unmutated run: which lines of ``target`` each test executes
    (``None``: lines run outside any test, e.g. at import)."""

    def __init__(self, target: str):
        self.target, self.current, self.lines = target, None, {None: set()}
        self.durations: dict[str, float] = {}  # setup + call + teardown, s (traced)

    def _local(self, frame, event, arg):
        if event == "line":
            self.lines.setdefault(self.current, set()).add(frame.f_lineno)
        return self._local

    def _global(self, frame, event, arg):
        if frame.f_code.co_filename == self.target:
            self.lines.setdefault(self.current, set()).add(frame.f_lineno)
            return self._local
        return None

    def start(self):
        import threading

        sys.settrace(self._global)
        threading.settrace(self._global)

    def pytest_runtest_protocol(self, item, nextitem):
        self.current = item.nodeid

    def pytest_runtest_logfinish(self, nodeid, location):
        self.current = None

    def pytest_runtest_logreport(self, report):
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration


class _Select:
    """pytest plugin: run only the tests ``keep`` (node ids) of the collected files."""

    def __init__(self, keep: list[str]):
        self.keep = set(keep)
        self.rank = {t: i for i, t in enumerate(keep)}

    def pytest_collection_modifyitems(self, config, items):
        chosen = sorted((i for i in items if i.nodeid in self.keep),
                        key=lambda i: self.rank[i.nodeid])
        config.hook.pytest_deselected(items=[i for i in items if i.nodeid not in self.keep])
        items[:] = chosen


def covering(cover: dict[str, list[int]], site: Site,
             durations: dict[str, float] | None = None) -> list[str] | None:
    """Node ids of the tests that run a line of ``site``; ``None`` when the line runs at
    import (its effect cannot be traced to tests: run them all). Ordered for an early kill
    (the child stops at the first failure): files by the traced time of their tests kept,
    fastest first, tests within a file in run order (module fixtures set up once)."""
    span = set(range(site.line, site.end + 1))
    if span & set(cover.get("None", ())):
        return None
    keep = [t for t, ls in cover.items() if t != "None" and span & set(ls)]
    if not durations:
        return keep
    cost: dict[str, float] = {}
    for t in keep:
        f = t.split("::", 1)[0]
        cost[f] = cost.get(f, 0.0) + durations.get(t, 0.0)
    files = sorted(cost, key=lambda f: (cost[f], list(cost).index(f)))
    return sorted(keep, key=lambda t: files.index(t.split("::", 1)[0]))


def _start_child(pkg_root: Path, tests: list[str], trace: tuple[str, Path] | None = None,
                 keep: list[str] | None = None) -> int:
    """Fork a child that imports the package copy at ``pkg_root`` and runs ``tests``
    (``trace``: record the lines of one module each test runs into a JSON file)."""
    pid = os.fork()
    if pid == 0:  # child
        try:
            sys.path.insert(0, str(pkg_root))
            sys.dont_write_bytecode = True
            os.chdir(ROOT)
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            import pytest

            plugins = [] if keep is None else [_Select(keep)]
            if keep is not None:  # collect only the files that hold the tests kept
                tests = list(dict.fromkeys(k.split("::", 1)[0] for k in keep))
            if trace:
                tracer = _LineTracer(str(pkg_root / "cocontrol" / trace[0]))
                tracer.start()
                plugins.append(tracer)
            # -o addopts=: in this process, never on the suite's pytest-xdist workers (the
            # mutated copy and the line tracer live here; pyproject.toml's addopts has -n 2)
            args = [*tests, "-q", "-o", "addopts=", "-p", "no:cacheprovider", "--no-header",
                    "-p", "no:randomly", "-W", "ignore"]
            rc = pytest.main(args if trace else [*args, "-x"], plugins=plugins)
            if trace:
                sys.settrace(None)
                trace[1].write_text(json.dumps({
                    "lines": {str(k): sorted(v) for k, v in tracer.lines.items()},
                    "durations": tracer.durations}), encoding="utf-8")
            os._exit(int(rc))
        except BaseException:  # noqa: BLE001 - any failure in the child kills the mutant
            os._exit(99)
    return pid


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a running child has used so far (/proc; 0 if unreadable).
    Timeouts count CPU, not wall time: on a machine shared with others the wall time of the
    same run varies several-fold with the load, its CPU time hardly."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def _run_child(pkg_root: Path, tests: list[str], timeout: float,
               trace: tuple[str, Path] | None = None) -> tuple[str, float]:
    """Run ``tests`` against the package copy at ``pkg_root``: killed/survived/timeout, and
    the CPU seconds the child used."""
    pid = _start_child(pkg_root, tests, trace)
    while True:
        done, status, ru = os.wait4(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            return ("survived" if rc == 0 else "killed"), ru.ru_utime + ru.ru_stime
        if _cpu_s(pid) > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", timeout
        time.sleep(0.05)


def _write_source(path: Path, src: str) -> None:
    """Write a module's source and drop its compiled copy (a .pyc checked by mtime and size
    could outlive an edit of the same size within the same second)."""
    path.write_text(src, encoding="utf-8")
    for pyc in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        pyc.unlink()


def _run_many(slots: list[Path], jobs, timeout: float):
    """Run each (k, module, source, test files, test ids) of ``jobs`` in one of the package
    copies ``slots``
    (one child per slot at a time); yield (k, status) as children finish."""
    jobs = list(jobs)
    job = {j[0]: j for j in jobs}
    free = list(slots)
    running: dict[int, tuple[int, Path, float]] = {}  # pid -> (k, slot, start)
    while jobs or running:
        while jobs and free:
            k, rel, src, tests, keep = jobs.pop(0)
            slot = free.pop()
            _write_source(slot / "cocontrol" / rel, src)
            running[_start_child(slot, tests, keep=keep)] = (k, slot, time.perf_counter())
        time.sleep(0.05)
        for pid, (k, slot, t0) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done and (_cpu_s(pid) > timeout
                             or time.perf_counter() > t0 + 20 * timeout):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                st = "timeout"
            elif done:
                st = "survived" if os.waitstatus_to_exitcode(status) == 0 else "killed"
            else:
                continue
            del running[pid]
            free.append(slot)
            if st == "survived" and job[k][4] is not None:
                # survived the tests that run its lines: before calling it a survivor, give
                # every test of the module's files a chance (fixtures shared between tests)
                job[k] = (*job[k][:4], None)
                jobs.insert(0, job[k])
                continue
            yield k, st


def load_equivalent(path: Path = EQUIVALENT) -> dict[tuple[str, str, str, str], str]:
    """``tools/mutate-equivalent.yaml``: module -> list of {function, code, mutation, why}."""
    import yaml

    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = {}
    for mod, entries in data.items():
        for e in entries or []:
            missing = {"function", "code", "mutation", "why"} - set(e)
            if missing or not str(e["why"]).strip():
                raise SystemExit(f"{path.name}: {mod}: entry {e} lacks {sorted(missing)}")
            out[(mod, e["function"], e["code"].strip(), e["mutation"])] = e["why"]
    return out


def _reexec_with_fixed_hash_seed():
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", default="", help="comma-separated, e.g. mcda/core.py")
    ap.add_argument("--sample", type=int, default=24, help="mutants per module (0 = all)")
    ap.add_argument("--all-below", type=int, default=40,
                    help="every mutant of a module with at most this many sites")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--jobs", type=int, default=2, choices=(1, 2))
    ap.add_argument("--out", default=str(ROOT / "out" / "mutate.json"))
    ap.add_argument("--list-survivors", action="store_true")
    ap.add_argument("--markdown", action="store_true",
                    help="print the table of out/mutate.json as Markdown (no run)")
    ap.add_argument("--survivors", action="store_true",
                    help="re-run only the survivors of the last run (out/mutate.json); for "
                         "checking new tests, not for the kill rate")
    ap.add_argument("--update", action="store_true",
                    help="with --survivors: record the re-run in out/mutate.json (survivors "
                         "now killed or listed as equivalent move there; the sites of the "
                         "re-run are noted). Meant for tests added, none changed; every "
                         "survivor must still be found in the code, else run in full")
    a = ap.parse_args(argv)
    if a.markdown:
        print(markdown_table(json.loads(Path(a.out).read_text(encoding="utf-8"))))
        return 0
    mods = [m.strip() for m in a.modules.split(",") if m.strip()] or list(MODULES)
    unknown = [m for m in mods if m not in MODULES]
    if unknown:
        ap.error(f"unknown module(s) {unknown}; known: {', '.join(MODULES)}")
    if argv is None:
        _reexec_with_fixed_hash_seed()
    os.environ.setdefault("CI", "true")  # derandomised property tests (tests/conftest.py)
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:
            pass
    equiv = load_equivalent()
    used: set = set()
    out_path = Path(a.out)
    report = json.loads(out_path.read_text()) if out_path.exists() and (
        a.modules or a.survivors) else {}
    tmp = Path(tempfile.mkdtemp(prefix="cocontrol-mutate-"))
    try:
        slots = []
        for j in range(a.jobs):
            shutil.copytree(SRC, tmp / str(j) / "cocontrol",
                            ignore=shutil.ignore_patterns("__pycache__"))
            # compiled once: a child then compiles only the mutated module (its .pyc removed)
            compileall.compile_dir(tmp / str(j) / "cocontrol", quiet=1)
            slots.append(tmp / str(j))
        for mod in mods:
            path = SRC / mod
            tests = MODULES[mod]
            original = path.read_text(encoding="utf-8")
            lines = original.splitlines()
            _, sites = sites_of(path)
            ks = list(range(len(sites)))
            if a.sample and a.sample < len(ks) and len(ks) > a.all_below:
                ks = sample_sites(mod, sites, lines, a.seed, a.sample)
            if a.survivors:
                before = {(mod, e["function"], e["code"], e["mutation"])
                          for e in report.get(mod, {}).get("survivors", [])}
                # every site of a survivor's key, sampled now or not (sites added elsewhere
                # may move the sample's cut)
                ks = [k for k in range(len(sites)) if site_key(mod, sites[k], lines) in before]
                if not ks:
                    continue
            cover_file = tmp / "cover.json"
            status, base_s = _run_child(slots[0], tests, 7200, trace=(mod, cover_file))
            if status != "survived":
                print(f"{mod}: the tests fail on the unmutated code; skipped", flush=True)
                continue
            traced = json.loads(cover_file.read_text(encoding="utf-8"))
            cover, durations = traced["lines"], traced["durations"]
            timeout = max(3 * base_s, base_s + 30)
            res = {"sites": len(sites), "mutants": len(ks), "killed": 0, "timeout": 0,
                   "equivalent": 0, "survived": 0, "kill_rate": None,
                   "baseline_cpu_s": round(base_s, 1), "seed": a.seed, "sample": a.sample,
                   "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                   "survivors": [], "equivalents": []}
            jobs, results = [], []
            for k in ks:
                keep = covering(cover, sites[k], durations)
                if keep == []:  # no test runs this line: survives without a run
                    results.append((k, "survived"))
                    continue
                src, _ = mutant_source(path, k)
                jobs.append((k, mod, src, tests, keep))
            for k, st in itertools.chain(results, _run_many(slots, jobs, timeout)):
                site = sites[k]
                key = site_key(mod, site, lines)
                entry = {"line": site.line, "function": site.func, "code": key[2],
                         "mutation": key[3]}
                if st in ("killed", "timeout"):
                    res["killed"] += 1
                    res["timeout"] += st == "timeout"
                    res.setdefault("killed_now", []).append(entry)
                elif key in equiv:
                    used.add(key)
                    res["equivalent"] += 1
                    res["equivalents"].append({**entry, "why": equiv[key]})
                else:
                    res["survived"] += 1
                    res["survivors"].append(entry)
                shown = "equivalent" if key in equiv and st == "survived" else st
                shown += " (no test runs it)" if (k, "survived") in results else ""
                print(f"  {mod}:{site.line} {key[3]}: {shown}", flush=True)
            for slot in slots:
                _write_source(slot / "cocontrol" / mod, original)
            res["survivors"].sort(key=lambda e: e["line"])
            n = res["mutants"] - res["equivalent"]
            res["kill_rate"] = round(res["killed"] / n, 4) if n else None
            if a.survivors:  # a partial re-run: print, keep the full run's entry
                for e in res["survivors"]:
                    print(f"    still survives {mod}:{e['line']} {e['mutation']}: {e['code']}")
                if a.update:
                    _update_entry(report, mod, res, len(before), out_path)
                continue
            res.pop("killed_now", None)
            report[mod] = res
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(json.dumps(report, indent=1, ensure_ascii=False),
                                encoding="utf-8")
            print(f"{mod}: {res['killed']}/{n} killed ({100 * (res['kill_rate'] or 0):.1f} %), "
                  f"{res['equivalent']} equivalent, {res['sites']} sites", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _print_table(report, a.list_survivors)
    _report_stale(equiv, mods, used)
    return 0


def _update_entry(report: dict, mod: str, res: dict, n_before: int, out_path: Path) -> None:
    """Fold a re-run of the survivors into the full run's entry of ``mod`` (``--update``).

    One verdict per survivor of the full run, by its key: still a survivor if any site of
    that key survived (a key repeated in the code is re-run at every site), equivalent if
    listed, killed if every site was killed, *gone* if no site has the key any more (its
    line changed since the full run: it leaves the sample, never counted as killed)."""
    old = report[mod]

    def keys(entries):
        return {(e["function"], e["code"], e["mutation"]) for e in entries}

    alive, equiv, dead = keys(res["survivors"]), keys(res["equivalents"]), \
        keys(res.get("killed_now", []))
    verdict = {"survivor": [], "equivalent": [], "killed": [], "gone": []}
    for e in old["survivors"]:
        k = (e["function"], e["code"], e["mutation"])
        v = ("survivor" if k in alive else "equivalent" if k in equiv else "killed"
             if k in dead else "gone")
        verdict[v].append(e)
    old["mutants"] -= len(verdict["gone"])
    old["killed"] += len(verdict["killed"])
    old["equivalent"] += len(verdict["equivalent"])
    why = {(e["function"], e["code"], e["mutation"]): e["why"] for e in res["equivalents"]}
    old["equivalents"] += [{**e, "why": why[(e["function"], e["code"], e["mutation"])]}
                           for e in verdict["equivalent"]]
    old["survivors"] = verdict["survivor"]
    old["survived"] = len(verdict["survivor"])
    n = old["mutants"] - old["equivalent"]
    old["kill_rate"] = round(old["killed"] / n, 4) if n else None
    old.setdefault("updates", []).append({
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "rerun": n_before,
        "sites": res["sites"], "killed": len(verdict["killed"]),
        "equivalent": len(verdict["equivalent"]), "gone": verdict["gone"]})
    out_path.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")


def markdown_table(report: dict) -> str:
    """The per-module table of a report (``--markdown``), with the date, seed and sample
    of each module's run and the re-runs of its survivors folded in."""
    out = ["| module | sites | mutants | killed | equivalent | survived | kill rate | run "
           "(UTC), seed, sample |", "|---|--:|--:|--:|--:|--:|--:|---|"]
    tot = dict.fromkeys(("mutants", "killed", "equivalent", "survived"), 0)
    for mod, r in report.items():
        n = r["mutants"] - r["equivalent"]
        rate = f"{100 * r['killed'] / n:.1f} %" if n else "n/a"
        run = f"{r.get('date', '?')}, {r.get('seed', '?')}, {r.get('sample', '?')}"
        for u in r.get("updates", []):
            run += f"; survivors re-run {u['date']}" + (
                f" ({len(u['gone'])} gone)" if u.get("gone") else "")
        out.append(f"| {mod} | {r['sites']} | {r['mutants']} | {r['killed']} | "
                   f"{r['equivalent']} | {r['survived']} | {rate} | {run} |")
        for c in tot:
            tot[c] += r[c]
    n = tot["mutants"] - tot["equivalent"]
    if n:
        out.append(f"| all | | {tot['mutants']} | {tot['killed']} | {tot['equivalent']} | "
                   f"{tot['survived']} | {100 * tot['killed'] / n:.1f} % | |")
    return "\n".join(out)


def _print_table(report: dict, list_survivors: bool) -> None:
    cols = ("mutants", "killed", "equivalent", "survived")
    print(f"\n{'module':24s} {'sites':>6s} " + " ".join(f"{c:>10s}" for c in cols)
          + f" {'rate':>8s}")
    tot = dict.fromkeys(cols, 0)
    for mod, r in report.items():
        n = r["mutants"] - r["equivalent"]
        rate = f"{100 * r['killed'] / n:7.1f}%" if n else "     n/a"
        print(f"{mod:24s} {r['sites']:6d} " + " ".join(f"{r[c]:10d}" for c in cols)
              + f" {rate}")
        for c in cols:
            tot[c] += r[c]
        if list_survivors:
            for s in r["survivors"]:
                print(f"    survived {mod}:{s['line']} [{s['function']}] {s['mutation']}: "
                      f"{s['code']}")
    n = tot["mutants"] - tot["equivalent"]
    if n:
        print(f"{'all':24s} {'':6s} " + " ".join(f"{tot[c]:10d}" for c in cols)
              + f" {100 * tot['killed'] / n:7.1f}%")


def _report_stale(equiv: dict, mods: list[str], used: set) -> None:
    """Equivalent entries of the modules run that match no site of the current code."""
    stale = []
    for key in equiv:
        mod = key[0]
        if mod not in mods or key in used:
            continue
        lines = (SRC / mod).read_text(encoding="utf-8").splitlines()
        if not any(site_key(mod, s, lines) == key for s in sites_of(SRC / mod)[1]):
            stale.append(key)
    for mod, func, code, what in stale:
        print(f"stale entry in {EQUIVALENT.name}: {mod} [{func}] {what}: {code}")


if __name__ == "__main__":
    sys.exit(main())
