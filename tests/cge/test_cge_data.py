"""Provenance of the bundled CGE data: every row carries its source or basis."""

from importlib import resources

import pandas as pd
import pytest
import yaml

DATA = resources.files("cocontrol") / "data" / "cge"


@pytest.mark.parametrize("name", ["hosoe_stdcge_sam.csv", "hosoe_splcge_sam.csv",
                                  "china_illustrative_sam.csv",
                                  "china_illustrative_elasticities.csv",
                                  "china_illustrative_satellite.csv"])
def test_every_row_has_a_source(name):
    df = pd.read_csv(DATA / name, comment="#", dtype=str, keep_default_na=False)
    assert "source" in df.columns
    assert (df["source"].str.strip().str.len() > 10).all()


def test_illustrative_data_say_so():
    text = (DATA / "china_illustrative_sam.csv").read_text(encoding="utf-8")
    assert text.startswith("# ILLUSTRATIVE")
    assert "# unit: billion yuan (2020 prices)" in text
    doc = yaml.safe_load((DATA / "china_illustrative_instruments.yaml").read_text("utf-8"))
    for ins in doc["instruments"]:
        assert ins["source"] and ins["name_en"] and ins["name_zh"]
