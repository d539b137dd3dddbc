"""Inventory species → precursors of the air-quality models (used by the optimiser's link,
the uncertainty stage and monitoring alike)."""

from __future__ import annotations

import pandas as pd

from cocontrol.airquality.base import PM25_OTHER


def default_mapping(om_oc_ratio: float = 1.4, om_share_of_primary: float | None = None
                    ) -> pd.DataFrame:
    """Species → precursor factors ``precursor, species, factor``.

    SO2, NOx, NH3, VOCs, BC map one to one (same spelling as the species). Primary organic
    matter OM = ``om_oc_ratio`` × OC; the model's ``PM2.5_other`` precursor (primary PM2.5
    other than BC and OM) = PM2.5 − BC − OM. If the inventory has no OC
    (``om_share_of_primary`` given), OM is taken as that share of primary PM2.5 other than
    BC: OM = θ (PM2.5 − BC), PM2.5_other = (1 − θ)(PM2.5 − BC).
    """
    o = PM25_OTHER
    rows = [("SO2", "SO2", 1.0), ("NOx", "NOx", 1.0), ("NH3", "NH3", 1.0),
            ("VOCs", "VOCs", 1.0), ("BC", "BC", 1.0)]
    if om_share_of_primary is None:
        rows += [("OM", "OC", om_oc_ratio), (o, "PM2.5", 1.0), (o, "BC", -1.0),
                 (o, "OC", -om_oc_ratio)]
    else:
        th = float(om_share_of_primary)
        rows += [("OM", "PM2.5", th), ("OM", "BC", -th), (o, "PM2.5", 1 - th),
                 (o, "BC", -(1 - th))]
    return pd.DataFrame(rows, columns=["precursor", "species", "factor"])
