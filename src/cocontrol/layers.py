"""The stage order of cocontrol, written once, as data.

Data flows one way. A module of a stage may import the foundation modules, the packages of
earlier stages and its own package; never a later stage and never a sibling of the same stage
(unless listed in :data:`ALLOWED`). ``tests/test_layers.py`` parses every import of the
source tree (``ast``) and fails on an import against this order; ``docs/architecture.md``
shows it as a picture.

>>> order_text()
'project → inventory → scenario → airquality/health → metrics/mcda → optimize/cge/evaluation/monitoring/enterprise/uncertainty → report → security → service → web → cli'
>>> may_import("optimize", "airquality"), may_import("scenario", "metrics")
(True, False)
"""

from __future__ import annotations

#: Top-level modules below every stage: errors, units, reference data, registries, results,
#: progress, labels, the shared HTML report builder and I/O helpers. They import only each
#: other (and third-party packages).
FOUNDATION: tuple[str, ...] = (
    "__init__", "_buffers", "_frame", "errors", "geomap", "htmlpdf", "htmlreport", "i18n", "io",
    "layers", "parquet",
    "xlsxreport",
    "progress", "provenance", "refdata", "registry", "results", "units",
)

#: Stages in data-flow order; the packages of one tuple are one stage. Packages not built yet
#: (monitoring, enterprise, uncertainty, service, web) have their place reserved.
STAGES: tuple[tuple[str, ...], ...] = (
    ("project",),
    ("inventory",),
    ("scenario",),
    ("airquality", "health"),
    ("metrics", "mcda"),
    ("optimize", "cge", "evaluation", "monitoring", "enterprise", "uncertainty"),
    ("report",),
    ("security",),  # accounts, tokens, roles, upload checks: building blocks of the service
    ("service",),
    ("web",),
    ("cli",),
    ("__main__",),  # ``python -m cocontrol``: the entry point above the CLI
)

#: Imports between packages of the same stage that are allowed: (importer, imported).
#: Enterprise evaluation scores parks and cleaner production with the evaluation methods;
#: robust plans (uncertainty.robust) re-optimise with the optimiser; permit compliance
#: items near or above their limit become monitoring cases (enterprise.permits.alert_cases).
ALLOWED: frozenset[tuple[str, str]] = frozenset({("enterprise", "evaluation"),
                                              ("enterprise", "monitoring"),
                                              ("uncertainty", "optimize")})

_RANK = {pkg: i for i, stage in enumerate(STAGES) for pkg in stage}


def rank(unit: str) -> int:
    """Position of a top-level package or module (foundation = -1); KeyError if unknown."""
    if unit in FOUNDATION:
        return -1
    return _RANK[unit]


def known(unit: str) -> bool:
    return unit in FOUNDATION or unit in _RANK


def may_import(importer: str, imported: str) -> bool:
    """Whether top-level unit ``importer`` may import top-level unit ``imported``."""
    if importer == imported:
        return True
    a, b = rank(importer), rank(imported)
    if b == -1:
        return True
    if a == -1:
        return False
    return b < a or (importer, imported) in ALLOWED


def order_text() -> str:
    """The stage order as one line (used in README.md and docs/architecture.md)."""
    return " → ".join("/".join(stage) for stage in STAGES if stage != ("__main__",))
