"""Distributions and sampling match their specification (moments, quantiles, strata,
correlation); Sobol indices of the Ishigami function."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from cocontrol.errors import InputError
from cocontrol.uncertainty import from_range, sample, sobol_indices
from cocontrol.uncertainty.distributions import Z95


def test_split_lognormal_hits_the_interval_and_the_median():
    d = from_range(0.366, 6.1, "lognormal")  # EMEP SO2 hard-coal interval, as ratios
    q = d.ppf(np.array([0.025, 0.5, 0.975]))
    np.testing.assert_allclose(q, [0.366, 1.0, 6.1], rtol=1e-9)


def test_symmetric_normal_moments():
    d = from_range(0.9, 1.1, "normal")
    x = d.ppf(sample(["a"], 200_000, "mc", seed=1)[:, 0])
    assert x.mean() == pytest.approx(1.0, abs=5e-4)
    assert x.std() == pytest.approx(0.1 / Z95, rel=0.01)


def test_symmetric_lognormal_moments():
    """ln m ~ N(0, s) with s = ln(1.5)/1.96: E[m] = exp(s²/2), Var = (e^{s²} − 1) e^{s²}."""
    d = from_range(1 / 1.5, 1.5, "lognormal")
    s = np.log(1.5) / Z95
    x = d.ppf(sample(["a"], 200_000, "lhs", seed=2)[:, 0])
    assert x.mean() == pytest.approx(np.exp(s * s / 2), rel=1e-3)
    assert x.var() == pytest.approx((np.exp(s * s) - 1) * np.exp(s * s), rel=0.02)


def test_uniform_and_triangular_moments():
    u = sample(["a"], 100_000, "lhs", seed=3)[:, 0]
    x = from_range(0.5, 1.5, "uniform").ppf(u)
    assert x.mean() == pytest.approx(1.0, abs=1e-3)
    assert x.var() == pytest.approx(1 / 12, rel=0.01)
    t = from_range(0.5, 2.0, "triangular").ppf(u)
    assert t.mean() == pytest.approx((0.5 + 1.0 + 2.0) / 3, rel=1e-3)


def test_bad_ranges_are_plain_errors():
    with pytest.raises(InputError, match="contain the central value"):
        from_range(1.1, 1.5)
    with pytest.raises(InputError, match="lower > 0"):
        from_range(0.0, 2.0, "lognormal")
    with pytest.raises(InputError, match="unknown distribution"):
        from_range(0.5, 2.0, "cauchy")


def test_latin_hypercube_strata_and_reproducibility():
    n = 200
    u = sample(["a", "b", "c"], n, "lhs", seed=7)
    for j in range(3):
        assert sorted(np.floor(u[:, j] * n).astype(int)) == list(range(n))
    np.testing.assert_array_equal(u, sample(["a", "b", "c"], n, "lhs", seed=7))
    assert not np.array_equal(u, sample(["a", "b", "c"], n, "lhs", seed=8))


def test_gaussian_copula_correlation():
    u = sample(["a", "b"], 50_000, "mc", seed=4, correlation={("a", "b"): 0.6})
    z = stats.norm.ppf(u)
    assert np.corrcoef(z.T)[0, 1] == pytest.approx(0.6, abs=0.01)
    assert u.min() > 0 and u.max() < 1
    with pytest.raises(InputError, match="positive definite"):
        sample(["a", "b", "c"], 10, "mc", correlation={("a", "b"): 0.9, ("a", "c"): 0.9,
                                                        ("b", "c"): -0.9})


def test_sobol_indices_of_the_ishigami_function():
    """Ishigami & Homma (1990), a = 7, b = 0.1, x_i uniform on [−π, π]. Analytic indices
    (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, Sec. 4.8):
    S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)."""
    def f(U):
        x = -np.pi + 2 * np.pi * U
        return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])

    r = sobol_indices(f, 3, n=4096, seed=1)
    np.testing.assert_allclose(r.S1, [0.3139, 0.4424, 0.0], atol=0.04)
    np.testing.assert_allclose(r.ST, [0.5576, 0.4424, 0.2437], atol=0.04)
    assert r.n_evaluations == 4096 * (3 + 2)
