"""Hosoe, Gasawa & Hashimoto (2010), ch. 6 standard model (GAMS model library STDCGE).

The benchmark must reproduce the SAM to 1e-8; the tariff-abolition counterfactual is checked
against an independent transcription of the book's equations (the GAMS STDCGE equation list,
written here in level form with the book's gamma/delta/theta/xi parameters) and against
invariants (Walras' law, homogeneity, accounting identities).
"""

from importlib import resources

import numpy as np
import pytest
from scipy.optimize import fsolve

from cocontrol.cge.calibrate import calibrate
from cocontrol.cge.model import CgeModel, Closure, Shocks
from cocontrol.cge.sam import read_sam
from cocontrol.cge.solve import solve
from cocontrol.errors import InputError


def _sam_path():
    return resources.files("cocontrol") / "data" / "cge" / "hosoe_stdcge_sam.csv"


@pytest.fixture(scope="module")
def cal():
    return calibrate(read_sam(_sam_path()))


def test_sam_values_and_balance(cal):
    # Hosoe et al. (2010), ch. 6 SAM: Z0 = Y0 + sum X0 -> BRD 35 + 38 = 73, MLK 55 + 17 = 72
    np.testing.assert_allclose(cal.Z0, [73.0, 72.0])
    np.testing.assert_allclose(cal.D0, [70.0, 72.0])  # (1 + tauz) Z0 - E0
    np.testing.assert_allclose(cal.Q0, [84.0, 85.0])
    np.testing.assert_allclose(cal.tauz, [5 / 73, 4 / 72])
    np.testing.assert_allclose(cal.taum, [1 / 13, 2 / 11])
    assert cal.ssp == pytest.approx(17 / 90) and cal.taud == pytest.approx(23 / 90)
    assert cal.ssg == pytest.approx(2 / 35)


def _sam_from_solution(v, cal):
    """Rebuild the SAM cells (values at solution prices) from a solution."""
    return {
        "X": v["X"] * v["pq"][:, None], "F": v["F"] * v["pf"][:, None],
        "IDT": v["Tz"], "TRF": v["Tm"], "M": v["M"] * v["pm"], "E": v["E"] * v["pe"],
        "Xp": v["Xp"] * v["pq"], "Xg": v["Xg"] * v["pq"], "Xv": v["Xv"] * v["pq"],
        "Td": v["Td"], "Sp": v["Sp"], "Sg": v["Sg"],
    }


def test_benchmark_replicates_sam_to_1e8(cal):
    sol = solve(CgeModel(cal))
    v = sol.values
    t = cal.sam.table
    S, H = cal.sectors, cal.factors
    got = _sam_from_solution(v, cal)
    np.testing.assert_allclose(got["X"], t.loc[S, S].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(got["F"], t.loc[H, S].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(got["IDT"], t.loc["IDT", S].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(got["TRF"], t.loc["TRF", S].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(got["M"], t.loc["EXT", S].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(got["E"], t.loc[S, "EXT"].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(got["Xp"], t.loc[S, "HOH"].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(got["Xg"], t.loc[S, "GOV"].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(got["Xv"], t.loc[S, "INV"].to_numpy(), atol=1e-8)
    assert got["Td"] == pytest.approx(23, abs=1e-8)
    assert got["Sp"] == pytest.approx(17, abs=1e-8)
    assert got["Sg"] == pytest.approx(2, abs=1e-8)
    for k in ("pf", "pd", "pq", "pz", "py", "pe", "pm"):
        np.testing.assert_allclose(v[k], 1.0, atol=1e-8)
    assert v["eps"] == pytest.approx(1.0, abs=1e-8)


def _hosoe_level_model(sam_cal, taum_new):
    """Independent transcription of the STDCGE equations (Hosoe et al. 2010, ch. 6, level
    form with the book's calibrated gamma, delta, theta, xi, b); returns the solution dict."""
    c = sam_cal
    sigma = psi = 2.0
    eta = (sigma - 1) / sigma
    phi = (psi + 1) / psi
    tauz, taum0 = c.tauz, c.taum
    M0, D0, E0, Z0, Q0 = c.M0, c.D0, c.E0, c.Z0, c.Q0
    F0, Y0 = c.F0, c.Y0
    beta = F0 / Y0
    b = Y0 / np.prod(F0 ** beta, axis=0)
    ax = c.X0 / Z0
    ay = Y0 / Z0
    deltam = (1 + taum0) * M0 ** (1 - eta) / ((1 + taum0) * M0 ** (1 - eta) + D0 ** (1 - eta))
    deltad = D0 ** (1 - eta) / ((1 + taum0) * M0 ** (1 - eta) + D0 ** (1 - eta))
    gamma = Q0 / (deltam * M0 ** eta + deltad * D0 ** eta) ** (1 / eta)
    xie = E0 ** (1 - phi) / (E0 ** (1 - phi) + D0 ** (1 - phi))
    xid = D0 ** (1 - phi) / (E0 ** (1 - phi) + D0 ** (1 - phi))
    theta = Z0 / (xie * E0 ** phi + xid * D0 ** phi) ** (1 / phi)
    alpha, mu, lam = c.alpha, c.mu, c.lam
    FF, Sf = c.FF, c.Sf0
    # unknowns (levels): Y2 F4 X4 Z2 Xp2 Xg2 Xv2 E2 M2 Q2 D2 pf1(CAP) py2 pz2 pq2 pe2 pm2 pd2
    #                    eps Sp Sg Td Tz2 Tm2
    sizes = [2, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 2, 2]

    def split(z):
        out, k = [], 0
        for s in sizes:
            out.append(z[k:k + s])
            k += s
        return out

    def F_(z, taum=taum_new):
        (Y, F, X, Z, Xp, Xg, Xv, E, M, Q, D, pfc, py, pz, pq, pe, pm, pd, eps, Sp, Sg, Td,
         Tz, Tm) = split(z)
        F = F.reshape(2, 2)
        X = X.reshape(2, 2)
        pf = np.array([pfc[0], 1.0])  # pf(LAB) = 1: numeraire
        inc = (pf * FF).sum()
        r = [
            Y - b * np.prod(F ** beta, axis=0),                                  # eqpy
            (F - beta * py * Y / pf[:, None]).ravel(),                            # eqF
            (X - ax * Z).ravel(),                                                 # eqX
            Y - ay * Z,                                                           # eqY
            pz - (ay * py + (ax * pq[:, None]).sum(axis=0)),                      # eqpzs
            [Td[0] - c.taud * inc],                                                  # eqTd
            Tz - tauz * pz * Z,                                                   # eqTz
            Tm - taum * pm * M,                                                   # eqTm
            Xg - mu * (Td + Tz.sum() + Tm.sum() - Sg) / pq,                       # eqXg
            Xv - lam * (Sp + Sg + eps[0] * Sf) / pq,                              # eqXv
            [Sp[0] - c.ssp * inc],                                                # eqSp
            [Sg[0] - c.ssg * (Td[0] + Tz.sum() + Tm.sum())],                      # eqSg
            Xp - alpha * (inc - Sp - Td) / pq,                                    # eqXp
            pe - eps,                                                             # eqpe
            pm - eps,                                                             # eqpm
            [E.sum() + Sf - M.sum()],                                             # eqepsilon
            Q - gamma * (deltam * M ** eta + deltad * D ** eta) ** (1 / eta),     # eqpqs
            M - (gamma ** eta * deltam * pq / ((1 + taum) * pm)) ** (1 / (1 - eta)) * Q,
            D - (gamma ** eta * deltad * pq / pd) ** (1 / (1 - eta)) * Q,         # eqD
            Z - theta * (xie * E ** phi + xid * D ** phi) ** (1 / phi),           # eqpzd
            E - (theta ** phi * xie * (1 + tauz) * pz / pe) ** (1 / (1 - phi)) * Z,
            D - (theta ** phi * xid * (1 + tauz) * pz / pd) ** (1 / (1 - phi)) * Z,
            Q - (Xp + Xg + Xv + X.sum(axis=1)),                                   # eqpqd
            [F[0].sum() - FF[0]],                                                 # eqpf (CAP)
        ]
        return np.concatenate([np.atleast_1d(np.asarray(a, float)) for a in r])

    z0 = np.concatenate([Y0, F0.ravel(), c.X0.ravel(), Z0, c.Xp0, c.Xg0, c.Xv0, E0, M0, Q0,
                         D0, [1.0], np.ones(12), [1.0], [c.Sp0], [c.Sg0], [c.Td0],
                         c.tauz * Z0, c.taum * M0])
    assert np.abs(F_(z0, taum0)).max() < 1e-9  # the transcription reproduces the benchmark
    z = fsolve(F_, z0, xtol=1e-12)
    assert np.abs(F_(z)).max() < 1e-9
    (Y, F, X, Z, Xp, Xg, Xv, E, M, Q, D, pfc, py, pz, pq, pe, pm, pd, eps, Sp, Sg, Td, Tz,
     Tm) = split(z)
    return dict(Z=Z, Xp=Xp, Xg=Xg, Xv=Xv, E=E, M=M, Q=Q, D=D, pf=np.array([pfc[0], 1.0]),
                pq=pq, pz=pz, pd=pd, eps=eps[0], Td=Td[0], Sp=Sp[0], Sg=Sg[0])


def test_tariff_abolition_matches_book_equations(cal):
    """The book's ch. 6 experiment: all import tariffs abolished (taum = 0)."""
    sol = solve(CgeModel(cal, shocks=Shocks(taum=np.zeros(2))))
    ref = _hosoe_level_model(cal, np.zeros(2))
    v = sol.values
    for k in ("Z", "Xp", "Xg", "Xv", "E", "M", "Q", "D", "pf", "pq", "pz", "pd"):
        np.testing.assert_allclose(v[k], ref[k], rtol=1e-8, atol=1e-10, err_msg=k)
    for k in ("eps", "Td", "Sp", "Sg"):
        assert v[k] == pytest.approx(ref[k], rel=1e-8)
    # direction expected from trade theory: total imports rise (most for MLK, whose tariff
    # was highest), the currency depreciates to restore the balance of payments with fixed
    # foreign savings (exports rise), and household utility rises (small-country removal)
    assert v["M"].sum() > cal.M0.sum() and v["M"][1] > cal.M0[1]
    assert v["eps"] > 1 and v["E"].sum() > cal.E0.sum()
    u0 = np.prod(cal.Xp0 ** cal.alpha)
    u1 = np.prod(v["Xp"] ** cal.alpha)
    assert u1 > u0
    # tariff revenue is gone; the government budget shrinks accordingly
    assert v["Tm"].sum() == pytest.approx(0.0, abs=1e-12)


def test_walras_law_holds_at_counterfactual(cal):
    sol = solve(CgeModel(cal, shocks=Shocks(taum=np.zeros(2))))
    assert abs(sol.values["walras"]) < 1e-10  # the dropped labour-market equation holds
    v = sol.values
    # savings = investment in value; GDP identity (value added + net taxes = final demand)
    assert v["Sp"] + v["Sg"] + v["eps"] * v["Sf"] == pytest.approx(v["pq"] @ v["Xv"], rel=1e-10)
    gdp_inc = (v["pf"][:, None] * v["F"]).sum() + v["Tz"].sum() + v["Tm"].sum()
    gdp_exp = v["pq"] @ (v["Xp"] + v["Xg"] + v["Xv"]) + v["pe"] @ v["E"] - v["pm"] @ v["M"]
    assert gdp_inc == pytest.approx(gdp_exp, rel=1e-10)


@pytest.mark.parametrize("closure", [Closure(), Closure(savings="investment-driven"),
                                     Closure(exchange="fixed"),
                                     Closure(savings="investment-driven", exchange="fixed")])
def test_homogeneity_scaling_numeraire(cal, closure):
    """Degree-0 homogeneity in prices: doubling the numeraire doubles every price and the
    exchange rate and leaves every quantity unchanged."""
    sh = Shocks(taum=np.array([0.0, 0.05]))
    base = solve(CgeModel(cal, closure=closure, shocks=sh)).values
    c2 = Closure(savings=closure.savings, exchange=closure.exchange, numeraire_value=2.0)
    dbl = solve(CgeModel(cal, closure=c2, shocks=sh)).values
    for k in ("pf", "pd", "pq", "pz", "py", "pe", "pm"):
        np.testing.assert_allclose(dbl[k], 2 * base[k], rtol=1e-9, err_msg=k)
    for k in ("Z", "Q", "Xp", "Xg", "Xv", "E", "M", "D", "F"):
        np.testing.assert_allclose(dbl[k], base[k], rtol=1e-9, err_msg=k)
    assert abs(dbl["walras"]) < 1e-10


def test_closures_give_expected_macro_behaviour(cal):
    sh = Shocks(taum=np.zeros(2))
    inv = solve(CgeModel(cal, closure=Closure(savings="investment-driven"), shocks=sh)).values
    np.testing.assert_allclose(inv["Xv"], cal.Xv0)  # real investment fixed
    fx = solve(CgeModel(cal, closure=Closure(exchange="fixed"), shocks=sh)).values
    assert fx["eps"] == 1.0 and fx["Sf"] != pytest.approx(cal.Sf0)  # foreign savings adjust


def test_no_policy_returns_benchmark(cal):
    sol = solve(CgeModel(cal, shocks=Shocks()))
    assert sol.method == "benchmark" and sol.max_residual < 1e-12
    np.testing.assert_allclose(sol.values["Z"], cal.Z0, rtol=1e-12)


def test_unbalanced_sam_is_reported_with_account(tmp_path):
    text = _sam_path().read_text(encoding="utf-8").replace("BRD,21,8,", "BRD,21,9,", 1)
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_sam(p)
    msg = str(e.value)
    assert "'BRD'" in msg and "'MLK'" in msg
    lines = text.splitlines()
    brd_line = next(i for i, ln in enumerate(lines) if ln.startswith("BRD,")) + 1
    assert {pr.row for pr in e.value.problems} == {brd_line, brd_line + 1} and "not balanced" in msg


def test_non_numeric_and_negative_cells(tmp_path):
    text = _sam_path().read_text(encoding="utf-8")
    p = tmp_path / "bad.csv"
    p.write_text(text.replace("MLK,17,9,", "MLK,abc,-9,", 1), encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_sam(p)
    assert any("not a number" in x.message for x in e.value.problems)
    assert any("negative" in x.message for x in e.value.problems)


def test_excel_sam_gives_same_calibration(tmp_path, cal):
    import pandas as pd

    t = cal.sam.table
    p = tmp_path / "sam.xlsx"
    t.to_excel(p, sheet_name="SAM")
    cal2 = calibrate(read_sam(p, sheet="SAM"))
    np.testing.assert_allclose(cal2.Z0, cal.Z0)
    np.testing.assert_allclose(cal2.alpha, cal.alpha)
    assert isinstance(cal2.sam.table, pd.DataFrame)


def test_simple_closed_model_ch5_analytic_solution():
    """Hosoe et al. (2010), ch. 5 simple model (SPLCGE): Cobb–Douglas utility and production,
    no intermediates, no trade. With expenditure shares alpha and factor shares beta, factor
    income shares are a_h = sum_i alpha_i beta_hi (a_K = a_L = 0.5 here), so with pL = 1:
    Y = L / a_L, pK = Y a_K / K, F_hi = beta_hi alpha_i Y / p_h. Checked after a 10 % capital
    endowment increase."""
    path = resources.files("cocontrol") / "data" / "cge" / "hosoe_splcge_sam.csv"
    cal = calibrate(read_sam(path))
    with pytest.raises(InputError, match="closed economy"):
        CgeModel(cal)
    cl = Closure(exchange="fixed")
    base = solve(CgeModel(cal, closure=cl)).values
    np.testing.assert_allclose(base["Xp"], [15, 35], atol=1e-10)
    sh = Shocks(ff_mult=np.array([1.1, 1.0]))
    v = solve(CgeModel(cal, closure=cl, shocks=sh)).values
    K, L = 25 * 1.1, 25.0
    alpha = np.array([0.3, 0.7])
    beta = np.array([[5 / 15, 20 / 35], [10 / 15, 15 / 35]])
    aK, aL = alpha @ beta[0], alpha @ beta[1]
    Y = L / aL
    pK = Y * aK / K
    F = beta * alpha[None, :] * Y / np.array([pK, 1.0])[:, None]
    np.testing.assert_allclose(v["pf"], [pK, 1.0], rtol=1e-10)
    np.testing.assert_allclose(v["F"], F, rtol=1e-10)
    b = cal.Y0 / np.prod(cal.F0 ** beta, axis=0)
    np.testing.assert_allclose(v["Z"], b * np.prod(F ** beta, axis=0), rtol=1e-10)
    np.testing.assert_allclose(v["Xp"], v["Z"], rtol=1e-10)
    assert abs(v["Sf"]) < 1e-9 and abs(v["walras"]) < 1e-10


def test_bad_closure_lists_every_problem(cal):
    # each setting checked on its own: savings, exchange, numéraire (a factor of the SAM:
    # CAP or LAB in Hosoe's SAM) and its price (> 0), all reported at once
    with pytest.raises(InputError) as e:
        Closure(savings="keynesian", exchange="crawling", numeraire="LAND",
                numeraire_value=0.0).check(cal)
    assert [p.column for p in e.value.problems] == ["savings", "exchange", "numeraire",
                                                    "numeraire_value"]
    Closure(numeraire="CAP", numeraire_value=2.0).check(cal)  # valid: no error
    with pytest.raises(InputError) as e:
        CgeModel(cal, shocks=Shocks(recycling="lump_sum"))
    assert e.value.problems[0].column == "recycling"


def test_capital_as_numeraire_gives_the_same_real_solution(cal):
    # homogeneity: fixing the price of capital instead of labour rescales every price by
    # one factor and leaves real quantities unchanged (Hosoe et al. 2010, ch. 6)
    sh = Shocks(taum=np.zeros(2))
    a = solve(CgeModel(cal, shocks=sh)).values
    b = solve(CgeModel(cal, closure=Closure(numeraire="CAP"), shocks=sh)).values
    np.testing.assert_allclose(b["Z"], a["Z"], rtol=1e-8)
    ratio = b["pf"] / a["pf"]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-8)
    assert b["pf"][cal.factors.index("CAP")] == pytest.approx(1.0)


def test_foreign_savings_multiplier_scales_the_current_account_deficit(cal):
    # Hosoe SAM: imports 13 + 11, exports 8 + 4, so foreign savings Sf0 = 24 - 12 = 12; with
    # sf_mult = 1.5 (the recursive-dynamic driver's shock) Sf = 18 and the balance of
    # payments at world prices 1 reads E + Sf = M (Hosoe et al. 2010, eq. for epsilon)
    assert cal.Sf0 == pytest.approx(12.0)
    v = solve(CgeModel(cal, shocks=Shocks(sf_mult=1.5))).values
    assert v["Sf"] == pytest.approx(18.0)
    assert v["M"].sum() - v["E"].sum() == pytest.approx(18.0, rel=1e-9)
    assert abs(v["walras"]) < 1e-10


@pytest.mark.parametrize("closure", [Closure(), Closure(exchange="fixed"),
                                     Closure(savings="investment-driven", numeraire_value=2.0),
                                     Closure(exchange="fixed", numeraire_value=2.0)])
def test_benchmark_point_solves_every_closure(cal, closure):
    # the benchmark replicates the SAM (Hosoe et al. 2010, ch. 6): at the starting point
    # x_benchmark (quantities at benchmark, prices = numeraire value, foreign savings = Sf0)
    # every equation holds, for every closure and numeraire value (homogeneity of degree 0)
    m = CgeModel(cal, closure=closure)
    assert np.abs(m.residuals(m.x_benchmark())).max() < 1e-12
