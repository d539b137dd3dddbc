"""A small mutation tester for cocontrol's engine modules (``make mutate``).

Every mutant is one planted one-line bug: an arithmetic operator swapped (+ -, * /), a
comparison loosened or flipped (< <=, == !=), ``and``/``or`` swapped, a ``not`` or a unary
minus dropped, a number nudged (0 -> 1, 1 -> 0, n -> n + 1, x -> 2x), ``True``/``False``
swapped or a constant index moved (``[0]`` -> ``[1]``, ``[-1]`` -> ``[0]``). Strings, docstrings,
decorators and the arguments of error messages are left alone.

The mutants of a module are sampled (fixed seed), and each runs only the test files of that
module's area. Third-party libraries are imported once; each mutant runs in a forked child that
imports a copy of the package with the one mutated file, so a run costs the tests only.

A mutant is *killed* when a test fails (or the run exceeds its timeout). Survivors judged
equivalent (no observable change: a cache size, a tolerance far below any tested difference)
are listed with their reason in ``tools/mutate_equivalent.txt`` and left out of the kill rate.

Usage::

    python tools/mutate.py                       # every module, 40 mutants each
    python tools/mutate.py --modules mcda/core.py --sample 0   # all mutants of one module
    python tools/mutate.py --list-survivors

Writes ``out/mutate.json`` (per module: sites, sampled, killed, survivors with line and
mutation) and prints the kill rate per module.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "cocontrol"

#: module (relative to src/cocontrol) -> test paths that exercise it
MODULES: dict[str, list[str]] = {
    "inventory/engine.py": ["tests/inventory"],
    "inventory/factors.py": ["tests/inventory", "tests/data/test_reference_data.py"],
    "inventory/inventory.py": ["tests/inventory"],
    "scenario/engine.py": ["tests/scenario/test_scenario_engine.py",
                           "tests/scenario/test_fuel_price_missing.py"],
    "scenario/analysis.py": ["tests/scenario/test_scenario_engine.py",
                             "tests/scenario/test_intensity_units.py"],
    "scenario/drivers.py": ["tests/scenario/test_scenario_engine.py"],
    "metrics/cocontrol.py": ["tests/metrics/test_metrics_cocontrol.py"],
    "metrics/lmdi.py": ["tests/metrics/test_metrics_lmdi.py"],
    "metrics/decoupling.py": ["tests/metrics/test_metrics_decoupling.py"],
    "airquality/matrix.py": ["tests/airquality/test_aq_matrix_attainment.py"],
    "health/crf.py": ["tests/health"],
    "optimize/lp.py": ["tests/optimize/test_opt_lp.py"],
    "cge/model.py": ["tests/cge/test_cge_hosoe.py", "tests/cge/test_cge_policies.py"],
    "evaluation/compute.py": ["tests/evaluation/test_eval_data.py"],
    "evaluation/scoring.py": ["tests/evaluation/test_eval_scoring.py"],
    "mcda/core.py": ["tests/mcda"],
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


def _name(node) -> str:
    f = node.func if isinstance(node, ast.Call) else node
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


class _Sites(ast.NodeVisitor):
    """Collect mutation sites: (node path, description) in visiting order."""

    def __init__(self):
        self.sites: list[tuple[int, int, str]] = []  # (node id, lineno, description)
        self._skip = 0

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
            for s in node.body:
                self.visit(s)
        else:
            if not self._skip:
                self._collect(node)
            super().generic_visit(node)
        if skip:
            self._skip -= 1

    def _add(self, node, what):
        self.sites.append((id(node), getattr(node, "lineno", 0), what))

    def _collect(self, node):
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            self._add(node, f"{type(node.op).__name__} -> {_BIN[type(node.op)].__name__}")
        elif isinstance(node, ast.AugAssign) and type(node.op) in _BIN:
            self._add(node, f"{type(node.op).__name__}= -> {_BIN[type(node.op)].__name__}=")
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _CMP:
                    self.sites.append((id(node), node.lineno,
                                       f"cmp[{i}] {type(op).__name__} -> "
                                       f"{_CMP[type(op)].__name__}"))
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


def sites_of(path: Path) -> tuple[ast.Module, list[tuple[int, int, str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    s = _Sites()
    s.visit(tree)
    return tree, s.sites


def mutant_source(path: Path, k: int) -> tuple[str, int, str]:
    tree, sites = sites_of(path)
    nid, line, what = sites[k]
    t = _Apply(nid, what)
    tree = t.visit(tree)
    assert t.done, (path, k)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree), line, what


def _run_child(pkg_root: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    """Fork, import the package copy at ``pkg_root`` and run ``tests``; killed/survived."""
    t0 = time.perf_counter()
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

            rc = pytest.main([*tests, "-x", "-q", "-p", "no:cacheprovider", "--no-header",
                              "-p", "no:randomly", "-W", "ignore"])
            os._exit(int(rc))
        except BaseException:  # noqa: BLE001 - any failure in the child kills the mutant
            os._exit(99)
    deadline = t0 + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            return ("survived" if rc == 0 else "killed"), time.perf_counter() - t0
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", time.perf_counter() - t0
        time.sleep(0.05)


def _equivalent() -> dict[str, str]:
    f = ROOT / "tools" / "mutate_equivalent.txt"
    out = {}
    if f.exists():
        for line in f.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, why = line.partition("  # ")
                out[key.strip()] = why.strip()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", default="", help="comma-separated, e.g. mcda/core.py")
    ap.add_argument("--sample", type=int, default=40, help="mutants per module (0 = all)")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--out", default=str(ROOT / "out" / "mutate.json"))
    ap.add_argument("--list-survivors", action="store_true")
    a = ap.parse_args(argv)
    mods = [m.strip() for m in a.modules.split(",") if m.strip()] or list(MODULES)
    unknown = [m for m in mods if m not in MODULES]
    if unknown:
        ap.error(f"unknown module(s) {unknown}; known: {', '.join(MODULES)}")
    os.environ.setdefault("CI", "true")  # derandomised property tests (tests/conftest.py)
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:
            pass
    equiv = _equivalent()
    out_path = Path(a.out)
    report = json.loads(out_path.read_text()) if out_path.exists() and a.modules else {}
    tmp = Path(tempfile.mkdtemp(prefix="cocontrol-mutate-"))
    try:
        pkg = tmp / "cocontrol"
        shutil.copytree(SRC, pkg, ignore=shutil.ignore_patterns("__pycache__"))
        for mod in mods:
            path = SRC / mod
            tests = MODULES[mod]
            original = path.read_text(encoding="utf-8")
            _, sites = sites_of(path)
            ks = list(range(len(sites)))
            if a.sample and a.sample < len(ks):
                ks = sorted(random.Random(f"{a.seed}:{mod}").sample(ks, a.sample))
            status, base_s = _run_child(tmp, tests, 1800)
            if status != "survived":
                print(f"{mod}: the tests fail on the unmutated code; skipped", flush=True)
                continue
            timeout = max(3 * base_s, base_s + 30)
            res = {"sites": len(sites), "sampled": len(ks), "killed": 0, "timeout": 0,
                   "survived": [], "equivalent": [], "baseline_s": round(base_s, 1)}
            for k in ks:
                src, line, what = mutant_source(path, k)
                (pkg / mod).write_text(src, encoding="utf-8")
                st, _ = _run_child(tmp, tests, timeout)
                key = f"{mod}:{line}:{what}"
                if st == "killed":
                    res["killed"] += 1
                elif st == "timeout":
                    res["killed"] += 1
                    res["timeout"] += 1
                elif key in equiv:
                    res["equivalent"].append({"line": line, "mutation": what,
                                              "why": equiv[key]})
                else:
                    res["survived"].append({"line": line, "mutation": what})
                print(f"  {mod}:{line} {what}: {st}", flush=True)
            (pkg / mod).write_text(original, encoding="utf-8")
            n = res["sampled"] - len(res["equivalent"])
            res["kill_rate"] = round(res["killed"] / n, 4) if n else None
            report[mod] = res
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(json.dumps(report, indent=1), encoding="utf-8")
            print(f"{mod}: {res['killed']}/{n} killed ({100 * (res['kill_rate'] or 0):.1f} %), "
                  f"{len(res['equivalent'])} equivalent, {res['sites']} sites", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tot_k = sum(r["killed"] for r in report.values())
    tot_n = sum(r["sampled"] - len(r["equivalent"]) for r in report.values())
    print(f"\n{'module':28s} {'killed':>7s} {'of':>4s} {'rate':>7s}")
    for mod, r in report.items():
        n = r["sampled"] - len(r["equivalent"])
        print(f"{mod:28s} {r['killed']:7d} {n:4d} {100 * r['killed'] / max(n, 1):6.1f} %")
        if a.list_survivors:
            for s in r["survived"]:
                print(f"    survived {mod}:{s['line']}:{s['mutation']}")
    if tot_n:
        print(f"{'all':28s} {tot_k:7d} {tot_n:4d} {100 * tot_k / tot_n:6.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
