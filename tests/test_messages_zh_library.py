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
            if p.sheet and not isinstance(p.sheet, i18n.Text):  # the user's sheet, as written
                text = text.replace(f"工作表 {p.sheet}", "工作表")
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


# ------------------------------------------------------------------------------ evaluation
@pytest.fixture(scope="module")
def city():
    from cocontrol.evaluation import load_system
    return load_system("city")


def _panel(city, **over):
    ids = city.ids
    df = pd.DataFrame([{"unit": "A", "year": 2023, **{i: 1.0 for i in ids}},
                       {"unit": "B", "year": 2023, **{i: 2.0 for i in ids}}])
    for k, v in over.items():
        df[k] = v
    return df


def _system_xlsx(city, tmp_path, edit):
    """The city system as a workbook, its sheets edited by ``edit(sheets)``, loaded again."""
    from cocontrol.evaluation import load_system
    from cocontrol.evaluation.io import system_to_excel

    src = system_to_excel(city, tmp_path / "s.xlsx")
    sheets = pd.read_excel(src, sheet_name=None, dtype=object)
    edit(sheets)
    out = tmp_path / "edited.xlsx"
    with pd.ExcelWriter(out) as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    return load_system(out)


def _set(sheet, col, value, row=0):
    def edit(sheets):
        sheets[sheet].loc[row, col] = value
    return edit


def _long(city, **row):
    base = {"unit": "A", "year": 2023, "indicator": city.ids[0], "value": 1.0}
    return pd.DataFrame([base, {**base, **row}])


EVAL_CASES = [
    ("system_missing", lambda c, t: __import__("cocontrol.evaluation", fromlist=["x"])
     .load_system(t / "nope.yaml"), "indicator system file not found"),
    ("system_format", lambda c, t: (t.joinpath("s.txt").write_text("x"),
                                    __import__("cocontrol.evaluation", fromlist=["x"])
                                    .load_system(t / "s.txt")),
     "unsupported indicator system format"),
    ("data_missing", lambda c, t: __import__("cocontrol.evaluation", fromlist=["x"])
     .load_values(t / "nope.csv", c), "data file not found"),
    ("data_format", lambda c, t: (t.joinpath("d.txt").write_text("x"),
                                  __import__("cocontrol.evaluation", fromlist=["x"])
                                  .load_values(t / "d.txt", c)), "unsupported data format"),
    ("no_unit", lambda c, t: _lv(_panel(c).drop(columns="unit"), c), "required column missing"),
    ("unit_empty", lambda c, t: _lv(_panel(c, unit=["A", None]), c), "unit id is empty"),
    ("bad_year", lambda c, t: _lv(_panel(c, year=[2023, "next"]), c),
     "year is not a calendar year"),
    ("extra_col", lambda c, t: _lv(_panel(c, pm25x=[1, 2]), c),
     "column is neither an indicator of the system nor a known column"),
    ("wide_nan", lambda c, t: _lv(_panel(c, **{c.ids[0]: ["x", 1]}), c),
     "value is not a number"),
    ("wide_dup", lambda c, t: _lv(_panel(c, unit=["A", "A"]), c),
     "the same unit and year appear twice"),
    ("absent", lambda c, t: _lv(_panel(c, **{c.ids[0]: [None, None]}), c),
     "indicator of the system has no value for any unit or year"),
    ("unknown_indicator", lambda c, t: _lv(_long(c, indicator="pm25_typo"), c),
     "indicator is not in the indicator system"),
    ("long_nan", lambda c, t: _lv(_long(c, value="high"), c), "value is not a number"),
    ("long_dup", lambda c, t: _lv(_long(c), c), "the same unit, year and indicator appear twice"),
    ("missing_how", lambda c, t: __import__("cocontrol.evaluation.data", fromlist=["x"])
     .handle_missing(_panel(c), "drop"), "unknown missing-value treatment"),
    ("normalisation", lambda c, t: __import__("cocontrol.evaluation.scoring", fromlist=["x"])
     .normalize_panel(_panel(c), c, "zscore"), "unknown normalisation"),
    ("vector_neg", lambda c, t: __import__("cocontrol.evaluation.scoring", fromlist=["x"])
     .normalize_panel(_panel(c, **{c.ids[0]: [-1.0, 1.0]}), c, "vector"),
     "vector normalisation needs non-negative values"),
    ("weighting", lambda c, t: __import__("cocontrol.evaluation.scoring", fromlist=["x"])
     .indicator_weights(c, _panel(c), "bayes"), "unknown weighting method"),
    ("objective", lambda c, t: __import__("cocontrol.evaluation.scoring", fromlist=["x"])
     .indicator_weights(c, _panel(c).iloc[:1], "entropy"),
     "objective weights need at least two unit-years"),
    ("weights_table", lambda c, t: (t.joinpath("w.csv").write_text("id,w\nx,1\n"),
                                    _rw(t / "w.csv")), "weights table needs columns"),
    ("weight_nan", lambda c, t: (t.joinpath("w.csv").write_text("indicator,weight\nx,heavy\n"),
                                 _rw(t / "w.csv")), "weight is not a number"),
    ("custom_weights", lambda c, t: __import__("cocontrol.evaluation.scoring", fromlist=["x"])
     ._custom_weights(pd.Series({c.ids[0]: -1.0, "typo": 1.0}), c),
     "no weight for this indicator"),
    ("weights_zero", lambda c, t: __import__("cocontrol.evaluation.scoring", fromlist=["x"])
     ._custom_weights(pd.Series(dict.fromkeys(c.ids, 0.0)), c), "all weights are zero"),
    ("direction", lambda c, t: _system_xlsx(c, t, _set("indicators", "direction", "up")),
     "unknown direction"),
    ("subsystem", lambda c, t: _system_xlsx(c, t, _set("indicators", "subsystem", "water")),
     "unknown subsystem"),
    ("target_nan", lambda c, t: _system_xlsx(c, t, _set("indicators", "target", "high")),
     "not a number"),
    ("target_neg", lambda c, t: _system_xlsx(c, t, _set("indicators", "target", -1)),
     "target must be positive"),
    ("weight_neg", lambda c, t: _system_xlsx(c, t, _set("indicators", "weight", -1)),
     "weight must not be negative"),
    ("id_empty", lambda c, t: _system_xlsx(c, t, _set("indicators", "id", None)),
     "required value is empty"),
    ("id_twice", lambda c, t: _system_xlsx(c, t, _set("indicators", "id", c.ids[1])),
     "indicator id used twice"),
    ("no_column", lambda c, t: _system_xlsx(c, t, lambda s: s.__setitem__(
        "indicators", s["indicators"].drop(columns="direction"))), "required column missing"),
    ("no_sheet", lambda c, t: _system_xlsx(c, t, lambda s: s.__setitem__(
        "other", s.pop("indicators"))), "no sheet named 'indicators'"),
]


def _lv(df, system):
    from cocontrol.evaluation import load_values
    return load_values(df, system, file="values.csv")


def _rw(path):
    from cocontrol.evaluation import read_weights
    return read_weights(path)


@pytest.mark.parametrize("case,english", [c[1:] for c in EVAL_CASES],
                         ids=[c[0] for c in EVAL_CASES])
def test_evaluation_errors_in_zh(case, english, city, tmp_path):
    check(lambda: case(city, tmp_path), english, InputError)


# ---------------------------------------------------------------------------- air quality
def _aq():
    from cocontrol import airquality
    return airquality


_CITY = {"SO2": 1e4, "NOx": 2e4, "NH3": 5e3, "BC": 1e3, "OM": 2e3}
_MATRIX = pd.DataFrame({"receptor": ["X"], "component": ["PM2.5"], "source_region": ["X"],
                        "precursor": ["SO2"], "sector": [""], "ugm3_per_t": [1e-4]})


def _matrix(**over):
    df = _MATRIX.copy()
    for k, v in over.items():
        df[k] = v
    return df


AQ_CASES = [
    ("unknown_model", lambda a, t: a.create("cmaqq", city="X", base_precursors_t=_CITY),
     "unknown air-quality model"),
    ("pm25_base", lambda a, t: a.city_model("X", -1, 0.5, _CITY), "base PM2.5 must be positive"),
    ("fractions", lambda a, t: a.city_model("X", 30, 0.5, _CITY,
                                            component_fractions={"SO4": 0.5, "dust": 0.5}),
     "unknown component in component_fractions"),
    ("fraction_sum", lambda a, t: a.city_model("X", 30, 0.5, _CITY,
                                               component_fractions={"SO4": 0.5}),
     "component fractions must be >= 0 and sum to 1"),
    ("local_share", lambda a, t: a.city_model("X", 30, 1.5, _CITY),
     "local share of SO4 must be a fraction"),
    ("share_key", lambda a, t: a.city_model("X", 30, {"dust": 0.5}, _CITY),
     "unknown component in local_share"),
    ("city_emission", lambda a, t: a.city_model("X", 30, 0.5, {**_CITY, "SO2": -1}),
     "base emission of SO2 must be positive"),
    ("city_required", lambda a, t: a.city_model("X", 30, 0.5, {"SO2": 1.0}),
     "city base emission of NOx is required"),
    ("emis_precursor", lambda a, t: a.normalise_emissions(pd.DataFrame(
        {"source_region": ["X"], "precursor": ["CO"], "change_t": [1.0]})), "unknown precursor"),
    ("emis_region", lambda a, t: a.normalise_emissions(pd.DataFrame(
        {"source_region": [""], "precursor": ["SO2"], "change_t": [1.0]})),
     "empty source region"),
    ("emis_nan", lambda a, t: a.normalise_emissions(pd.DataFrame(
        {"source_region": ["X"], "precursor": ["SO2"], "change_t": ["lots"]})), "not a number"),
    ("emis_column", lambda a, t: a.normalise_emissions(pd.DataFrame(
        {"source_region": ["X"], "precursor": ["SO2"]})), "no emission column"),
    ("emis_negative", lambda a, t: a.normalise_emissions(pd.DataFrame(
        {"source_region": ["X"], "precursor": ["SO2"], "base_t": [-1.0], "new_t": [1.0]})),
     "negative emission"),
    ("matrix_file", lambda a, t: a.read_sensitivity_matrix(t / "none.csv"), "file not found"),
    ("matrix_precursor", lambda a, t: a.sensitivity_matrix_model(_matrix(precursor="CO")),
     "unknown precursor"),
    ("matrix_component", lambda a, t: a.sensitivity_matrix_model(_matrix(component="dust")),
     "unknown component"),
    ("matrix_nan", lambda a, t: a.sensitivity_matrix_model(
        _matrix(ugm3_per_t="big")), "not a number"),
    ("matrix_empty", lambda a, t: a.sensitivity_matrix_model(_matrix(receptor=None)),
     "empty cell"),
    ("no_coefficient", lambda a, t: a.sensitivity_matrix_model(_matrix()).predict(pd.DataFrame(
        {"source_region": ["Y"], "precursor": ["NOx"], "change_t": [1.0]})),
     "has no coefficient for this source region"),
    ("rsm_columns", lambda a, t: a.ResponseSurfaceModel.fit(pd.DataFrame({"x": [1.0]})),
     "no emission-ratio columns"),
    ("rsm_precursor", lambda a, t: a.ResponseSurfaceModel.fit(pd.DataFrame(
        {"ratio_CO": [1.0], "PM2.5_ugm3": [30.0]})), "unknown precursor in column name"),
]


@pytest.mark.parametrize("case,english", [c[1:] for c in AQ_CASES], ids=[c[0] for c in AQ_CASES])
def test_airquality_errors_in_zh(case, english, tmp_path):
    check(lambda: case(_aq(), tmp_path), english, InputError)


# --------------------------------------------------------------------------------- health
def _ad(**kw):
    from cocontrol.health import avoided_deaths
    args = {"pm25_base": 40.0, "pm25_new": 35.0, "population": 1e6, "mortality_rate": 0.007}
    return avoided_deaths(**{**args, **kw})


HEALTH_CASES = [
    ("crf", lambda: _ad(crf="pope2002"), "unknown concentration-response function"),
    ("vsl", lambda: _ad(vsl="oecd_high"), "unknown VSL option"),
    ("pm25_negative", lambda: _ad(pm25_new=-1.0), "PM2.5 must be a number >= 0"),
    ("population", lambda: _ad(population=None), "population and mortality_rate are required"),
    ("age_columns", lambda: _ad(population=None, mortality_rate=None,
                                age_groups=pd.DataFrame({"age_from": [30]})), "missing columns"),
    ("negative_rate", lambda: _ad(mortality_rate=-0.1), "missing or negative value"),
]


@pytest.mark.parametrize("case,english", [c[1:] for c in HEALTH_CASES],
                         ids=[c[0] for c in HEALTH_CASES])
def test_health_errors_in_zh(case, english):
    check(case, english, InputError)


# ------------------------------------------------------------------------------------ CGE
@pytest.fixture(scope="module")
def economy():
    from cocontrol.cge import load_economy
    return load_economy()


def _ins(kind, **params):
    from cocontrol.cge import Instrument
    return Instrument(code="X", kind=kind, params=params)


def _yaml(t, text):
    p = t / "instruments.yaml"
    p.write_text(text, encoding="utf-8")
    return p


CGE_CASES = [
    ("sam_missing", lambda e, t: __import__("cocontrol.cge", fromlist=["x"]).read_sam(
        t / "none.csv"), "SAM file not found"),
    ("sam_cell", lambda e, t: (t.joinpath("s.csv").write_text(
        ",AGR,LAB,HOH\nAGR,0,x,1\nLAB,1,0,0\nHOH,0,1,0\n"),
        __import__("cocontrol.cge", fromlist=["x"]).read_sam(t / "s.csv")),
     "required account 'EXT' is missing"),
    ("closure_savings", lambda e, t: __import__("cocontrol.cge", fromlist=["x"]).Closure(
        savings="keynesian").check(e.cal), "unknown savings-investment closure"),
    ("closure_numeraire", lambda e, t: __import__("cocontrol.cge", fromlist=["x"]).Closure(
        numeraire="GOLD").check(e.cal), "the numeraire must be a factor of the SAM"),
    ("instrument_rate", lambda e, t: __import__("cocontrol.cge", fromlist=["x"]).to_shocks(
        e.cal, [_ins("carbon_tax")]), "not a number"),
    ("unknown_kind", lambda e, t: __import__("cocontrol.cge", fromlist=["x"]).to_shocks(
        e.cal, [_ins("bogus")]), "unknown instrument kind"),
    ("combinations", lambda e, t: __import__("cocontrol.cge", fromlist=["x"])
     .all_combinations([f"I{i}" for i in range(7)]),
     "number of instruments for the combination engine"),
    ("duplicate_codes", lambda e, t: __import__("cocontrol.cge", fromlist=["x"])
     .run_combinations(e, [_ins("carbon_tax", rate=0.1)] * 2), "duplicate instrument codes"),
]


@pytest.mark.parametrize("case,english", [c[1:] for c in CGE_CASES], ids=[c[0] for c in CGE_CASES])
def test_cge_errors_in_zh(case, english, economy, tmp_path):
    check(lambda: case(economy, tmp_path), english, InputError)


# -------------------------------------------------------------------------------- metrics
def _met(name):
    import importlib
    return importlib.import_module(f"cocontrol.metrics.{name}")


METRICS_CASES = [
    ("pm_as", lambda: _met("cocontrol").pev_table(pm_as="ash"),
     "pm_as must be 'soot' or 'dust'", ValueError),
    ("voc", lambda: _met("cocontrol").pev_table(voc="some"),
     "voc must be a number (kg per equivalent) or 'exclude'", ValueError),
    ("formula", lambda: _met("coupling").coupling_degree([0.5], [0.5], formula="new"),
     "formula must be 'original' or 'corrected'", ValueError),
    ("tapio", lambda: _met("decoupling").tapio_state([1.0], [1.0], lower=2.0, upper=1.0),
     "need 0 < lower <= upper", ValueError),
    ("lmdi_zero", lambda: _met("lmdi").lmdi_terms([1.0], [2.0], zero="skip"),
     "zero must be 'limit' or 'delta'", ValueError),
    ("required", lambda: _met("_table").require_columns(pd.DataFrame({"a": [1]}), ["year"],
                                                         "t.csv"),
     "required column 'year' is missing", InputError),
    ("unique", lambda: _met("_table").check_unique(pd.DataFrame({"k": [1, 1]}), ["k"], "t.csv"),
     "duplicate row for the same key", InputError),
    ("numeric", lambda: _met("_table").numeric_columns(pd.DataFrame({"v": ["x"]}), ["v"],
                                                        "t.csv"),
     "value is not a number", InputError),
]


@pytest.mark.parametrize("case,english,exc", [c[1:] for c in METRICS_CASES],
                         ids=[c[0] for c in METRICS_CASES])
def test_metrics_errors_in_zh(case, english, exc):
    check(case, english, exc)


# ---------------------------------------------------------------------------- uncertainty
def _unc(name):
    import importlib
    return importlib.import_module(f"cocontrol.uncertainty.{name}")


UNC_CASES = [
    ("distribution", lambda: _unc("distributions").from_range(0.5, 1.5, kind="weibull"),
     "unknown distribution"),
    ("interval", lambda: _unc("distributions").from_range(1.2, 1.5),
     "a 95 % interval must contain the central value"),
    ("lognormal", lambda: _unc("distributions").from_range(0.0, 1.5),
     "a lognormal interval needs lower > 0"),
    ("method", lambda: _unc("sampling").sample(["a"], 10, method="sobol"),
     "unknown sampling method"),
    ("draws", lambda: _unc("sampling").sample(["a"], 0), "need at least one draw"),
    ("corr_param", lambda: _unc("sampling").correlation_matrix(["a", "b"], {("a", "z"): 0.5}),
     "unknown parameter"),
    ("corr_range", lambda: _unc("sampling").correlation_matrix(["a", "b"], {("a", "b"): 1.5}),
     "correlation out of range"),
]


@pytest.mark.parametrize("case,english", [c[1:] for c in UNC_CASES], ids=[c[0] for c in UNC_CASES])
def test_uncertainty_errors_in_zh(case, english):
    check(case, english, InputError)


# ------------------------------------------------------------------------ scenario engine
def test_scenario_engine_error_in_zh():
    from types import SimpleNamespace

    from cocontrol.scenario.engine import region_mask

    base = SimpleNamespace(lines=pd.DataFrame({"region_id": ["A"]}))
    check(lambda: region_mask(base, "Z"), "region has no source lines", InputError)
