"""Health co-benefits of PM2.5 changes: avoided premature deaths and their value.

* Log-linear concentration–response function (default Krewski et al. 2009, RR 1.06 per
  10 µg/m³, adults 30+; alternative Yin et al. 2017 Chinese male cohort, HR 1.09):

      ΔM = y0 · (1 − exp(−β ΔC)) · Pop,     β = ln(RR)/10,  ΔC = C_base − C_new

* GEMM NCD+LRI (Burnett et al. 2018, PNAS 115, 9592):

      HR(C) = exp(θ ln(z/α + 1) / (1 + exp(−(z − μ)/ν))),  z = max(0, C − 2.4)
      ΔM = y0 · Pop · (1 − HR(C_new)/HR(C_base))

  which reduces to the log-linear form when HR(C) = exp(βC).
* Optional valuation with a value of statistical life (VSL; default Cao et al. 2023, CNY 4.76
  million, 2019 prices; user-overridable).

All parameters come from the versioned file ``data/health/health_assumptions.yaml``; its
``version`` string is returned in every result row.
"""

from cocontrol.health.crf import (
    assumptions,
    assumptions_version,
    avoided_deaths,
    avoided_deaths_of_response,
    gemm_hazard_ratio,
    hazard_ratio,
    loglinear_beta,
)

__all__ = ["assumptions", "assumptions_version", "avoided_deaths", "avoided_deaths_of_response",
           "gemm_hazard_ratio", "hazard_ratio", "loglinear_beta"]
