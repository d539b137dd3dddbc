"""Every error of the library's engines reads in Chinese under zh (issue 12 item 3).

Each case triggers one error of a module (MCDA, evaluation, ...) as a user would (a bad
weights table, an unknown indicator, ...); the error is rendered under zh as the CLI and the
service show it (:func:`cocontrol.errors.render` for input problems, :func:`cocontrol.i18n.tr`
of the message otherwise) and must hold no untranslated English word (:func:`english_words` of
the report tests) outside quoted codes and values and the value found. The English text is
checked unchanged (the wording tests and users match on).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cocontrol import i18n
from cocontrol.errors import CocontrolError, InputError, _shown, render

sys.path.insert(0, str(Path(__file__).resolve().parent / "report"))
from browser import english_words  # noqa: E402

_EXEMPT = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|技术细节：[^）]*）")


def zh_words(exc: BaseException) -> list[str]:
    """English words of ``exc`` under zh (every problem of an InputError)."""
    if isinstance(exc, InputError):
        texts = []
        for p in exc.problems:
            text = render(p, "zh")
            if p.column:  # the user's own name (a criterion, a column), as written
                text = text.replace(f"列/键 {p.column}", "列/键")
            if p.value is not None:
                text = text.replace(f"发现 {_shown(p.value)}", "发现")
            texts.append(text)
    else:
        assert exc.args and isinstance(exc.args[0], i18n.Msg), f"plain message: {exc}"
        texts = [i18n.tr(exc.args[0], "zh")]
    return english_words([_EXEMPT.sub(" ", t) for t in texts])


def check(fn, english: str, exc=CocontrolError):
    """``fn()`` raises ``exc`` whose English holds ``english`` and whose zh has no English."""
    with pytest.raises(exc) as ei:
        fn()
    assert english in str(ei.value)
    words = zh_words(ei.value)
    assert not words, (words, [render(p, "zh") for p in getattr(ei.value, "problems", [])]
                       or i18n.tr(ei.value.args[0], "zh"))


# ------------------------------------------------------------------------------------ MCDA
def _mcda():
    from cocontrol import mcda
    return mcda


M = pd.DataFrame({"cost": [1.0, 2.0], "so2": [3.0, 1.0]}, index=["a", "b"])

MCDA_CASES = [
    (lambda m: m.topsis(np.ones(3), [1, 1]), "the decision matrix must be 2-D"),
    (lambda m: m.topsis(pd.DataFrame({"c": ["x", "1"]}), [1]), "value is not a number"),
    (lambda m: m.topsis(pd.DataFrame(), []), "the decision matrix is empty"),
    (lambda m: m.topsis(pd.DataFrame({"c": [np.nan, 1.0]}), [1]), "missing or infinite value"),
    (lambda m: m.topsis(M, [0.5, 0.5], {"cost": -1}), "criterion has no type (benefit/cost)"),
    (lambda m: m.topsis(M, [0.5, 0.5], [1, 1, 1]),
     "number of criterion types differs from the number of criteria"),
    (lambda m: m.topsis(M, [0.5, 0.5], ["bad", 1]), "unknown criterion type"),
    (lambda m: m.topsis(M, pd.DataFrame({"a": [1], "b": [2], "c": [3]})),
     "a weight table needs one label column and one value column"),
    (lambda m: m.topsis(M, pd.Series([0.5, 0.5], index=["cost", "cost"])),
     "a criterion has two weights"),
    (lambda m: m.topsis(M, pd.Series([0.5, 0.5], index=["cost", "nox"])),
     "weight labels do not match the criteria"),
    (lambda m: m.topsis(M, pd.DataFrame({"criterion": ["cost", "nox"], "t": ["+1", "-1"]}),
                        ),
     "weight labels do not match the criteria"),
    (lambda m: m.topsis(M, [1.0, 1.0, 1.0]), "number of weights differs from the number"),
    (lambda m: m.topsis(M, [-1.0, 1.0]), "invalid weight"),
    (lambda m: m.normalize(M, None, "target"), "target-based normalisation needs a target"),
    (lambda m: m.normalize(M, None, "zscore"), "unknown normalisation method"),
    (lambda m: m.normalize(M, None, "target", targets=[1.0]), "number of targets differs"),
    (lambda m: m.normalize(M, None, "target", targets=[1.0, -1.0]),
     "target value missing or not positive"),
    (lambda m: m.entropy_weights(-M), "entropy weights on raw data need non-negative values"),
    (lambda m: m.ahp_weights([[1, 2, 3], [0.5, 1, 2]]), "pairwise matrix must be square"),
    (lambda m: m.ahp_weights([[1, -2], [0.5, 1]]), "judgement must be a positive number"),
    (lambda m: m.ahp_weights([[2, 2], [0.5, 1]]), "diagonal must be 1"),
    (lambda m: m.ahp_weights([[1, 2], [2, 1]]), "matrix is not reciprocal (a[C1,C2]"),
    (lambda m: m.ahp_weights(np.ones((16, 16))), "AHP consistency is tabulated for at most 15"),
    (lambda m: m.ahp_group([]), "no judgements given"),
    (lambda m: m.ahp_group([np.ones((2, 2)), np.ones((3, 3))]),
     "experts' matrices differ in size"),
    (lambda m: m.combine_weights([0.5, 0.5], [0.5, 0.5], alpha=2), "alpha out of range"),
    (lambda m: m.combine_weights(pd.Series([1.0], index=["a"]), pd.Series([1.0], index=["b"])),
     "subjective and objective weights cover different criteria"),
    (lambda m: m.combine_weights([0.5, 0.5], [0.5, 0.5], rule="max"), "unknown combination rule"),
    (lambda m: m.combine_weights(pd.Series([1.0, 0.0]), pd.Series([0.0, 1.0]),
                                 rule="multiplicative"), "combined weights are all zero"),
    (lambda m: m.vikor(M, [0.5, 0.5], v=2), "VIKOR weight v out of range"),
]


@pytest.mark.parametrize("case,english", MCDA_CASES, ids=[e[:40] for _, e in MCDA_CASES])
def test_mcda_errors_in_zh(case, english):
    check(lambda: case(_mcda()), english, InputError)
