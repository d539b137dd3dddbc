"""The lines' ancestors at every level (``engine.line_attributes``): the rows of the regions
found from the pivot (no look-up of ids, when the activity's region categories are the
regions table's own ids) give the same columns as the look-up by id, and both the
hierarchy walked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cocontrol._frame import factorize_runs
from cocontrol.inventory import engine


def _regions() -> pd.DataFrame:
    return pd.DataFrame({
        "region_id": ["C", "D1", "D2", "P1", "E1", "E2", "E3"],
        "parent_id": [None, "C", "C", "D1", "P1", "D2", "C"],
        "level": ["city", "district", "district", "park", "enterprise", "enterprise",
                  "enterprise"],
    })


def test_region_rows_from_the_pivot_match_the_look_up_by_id():
    regions = _regions()
    reg = pd.Categorical.from_codes([6, 4, 4, 5, 6], categories=regions["region_id"])
    act = pd.DataFrame({"source_id": ["s1", "s2", "s3", "s4", "s5"], "region_id": reg,
                        "sector": pd.Categorical(["power"] * 5)})
    runs, lines = factorize_runs(act, ["source_id", "region_id", "sector"])
    rows = engine._region_rows(regions, act["region_id"], runs.origin("region_id"))
    assert rows is not None  # the categories are the regions' own ids array
    assert [regions["region_id"][r] for r in rows] == list(lines["region_id"].cat.categories)
    fast = engine.line_attributes(lines["region_id"], lines["sector"], regions, rows)
    slow = engine.line_attributes(lines["region_id"], lines["sector"], regions)
    for col in slow:
        assert list(fast[col].categories) == list(slow[col].categories), col
        assert np.array_equal(fast[col].codes, slow[col].codes), col
    # by hand: E3 hangs under the city directly (no district, no park); E1 under park P1
    # in district D1; E2 in district D2
    assert list(slow["district"].astype(object)) == ["(none)", "D1", "D1", "D2", "(none)"]
    assert list(slow["park"].astype(object)) == ["(none)", "P1", "P1", "(none)", "(none)"]
    assert list(slow["enterprise"].astype(object)) == ["E3", "E1", "E1", "E2", "E3"]
    assert list(slow["city"].astype(object)) == ["C"] * 5


def test_other_categories_are_looked_up_by_id():
    regions = _regions()
    reg = pd.Categorical(["E1", "E3"], categories=["E3", "E1"])  # not the regions' array
    act = pd.DataFrame({"source_id": ["s1", "s2"], "region_id": reg,
                        "sector": pd.Categorical(["power"] * 2)})
    runs, _ = factorize_runs(act, ["source_id", "region_id", "sector"])
    assert engine._region_rows(regions, act["region_id"], runs.origin("region_id")) is None
