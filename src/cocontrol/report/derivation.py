"""Derivations of numbers: the module lives in :mod:`cocontrol.metrics.derivation` (the
monitoring and enterprise stages build theirs on it, and they come before ``report``);
``cocontrol.report.derivation`` is the same module object."""

import sys

from cocontrol.metrics import derivation as _derivation

sys.modules[__name__] = _derivation
