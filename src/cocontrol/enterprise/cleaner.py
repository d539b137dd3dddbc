"""Cleaner production with carbon (清洁生产 + 碳): the editable indicator template
``cleaner_production`` (src/cocontrol/data/evaluation/cleaner_production.yaml) scored with the
evaluation engine, with the emission indicators filled from the enterprise accounts.

Computed indicators, per enterprise and year, from an :class:`EnterpriseAccount` with the
production of its main product (kg or t per unit of product; units converted on both sides):

* ``so2_per_product``, ``nox_per_product``, ``pm_per_product`` (PM10): kg per unit;
* ``co2_per_product``: t CO2 (scope 1 + scope 2) per unit;
* ``carbon_benchmark_ratio``: the account's intensity / benchmark ratio, when a benchmark applies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol.enterprise._common import convert_ratio
from cocontrol.enterprise.account import EnterpriseAccount
from cocontrol.errors import InputError, Problem
from cocontrol.i18n import Msg

SPECIES_INDICATORS = {"SO2": "so2_per_product", "NOx": "nox_per_product",
                      "PM10": "pm_per_product"}


def computed_indicators(accounts: list[EnterpriseAccount], product_of: dict[str, str],
                        production: pd.DataFrame, product_unit: str = "t") -> pd.DataFrame:
    """Long table ``unit, year, indicator, value`` for :func:`merge_computed`.

    ``production``: ``enterprise_id, year, product, value, unit``; ``product_of`` names the
    main product of each enterprise.
    """
    rows = []
    for acc in accounts:
        prod = product_of.get(acc.enterprise_id)
        if prod is None:
            raise InputError(Problem(file="<cleaner production>", column="product",
                                     value=acc.enterprise_id,
                                     message=Msg("msg.ent_no_main_product")))
        p = production[(production["enterprise_id"] == acc.enterprise_id)
                       & (production["product"] == prod)]
        for r in p.itertuples(index=False):
            a = acc.annual[acc.annual["year"] == r.year]
            for sp, ind in SPECIES_INDICATORS.items():
                v = a[(a["species"] == sp) & (a["scope"] == 1)]["value"]
                if len(v) and not np.isnan(v.iloc[0]):
                    rows.append((acc.enterprise_id, r.year, ind, convert_ratio(
                        float(v.iloc[0]) / float(r.value), f"t/{r.unit}",
                        f"kg/{product_unit}", "production unit")))
            co2 = a[a["species"] == "CO2"]["value"].sum(min_count=1)
            if not np.isnan(co2):
                rows.append((acc.enterprise_id, r.year, "co2_per_product", convert_ratio(
                    float(co2) / float(r.value), f"t/{r.unit}", f"t/{product_unit}",
                    "production unit")))
        if acc.benchmark is not None:
            for b in acc.benchmark.itertuples(index=False):
                rows.append((acc.enterprise_id, b.year, "carbon_benchmark_ratio", b.ratio))
    return pd.DataFrame(rows, columns=["unit", "year", "indicator", "value"])


def evaluate_cleaner_production(values: pd.DataFrame, computed: pd.DataFrame | None = None,
                                units: pd.DataFrame | None = None, system=None, **kw):
    """Score enterprises with the cleaner-production-with-carbon template (or ``system``).

    ``values``: wide, index ``(unit, year)``, one column per indicator of the system (as
    :func:`cocontrol.evaluation.load_values` returns); ``computed`` fills the blanks.
    """
    from cocontrol.evaluation import evaluate, load_system, merge_computed

    system = system or load_system("cleaner_production")
    if computed is not None and len(computed):
        values = merge_computed(values, computed)
    return evaluate(system, values, units=units, **kw)
