"""docs/new-city.md, followed command by command from an empty folder (conftest.guide_city),
builds a city that is not the demo: an inventory, scenarios, an optimised plan, reports in both
languages."""

from __future__ import annotations

from newcityguide import GUIDE, guide_steps

from cocontrol.xlsxreport import read_workbook


def test_guide_has_commands_and_files():
    steps = guide_steps(GUIDE.read_text(encoding="utf-8"))
    runs = [s[1] for s in steps if s[0] == "run"]
    files = [s[1] for s in steps if s[0] == "file"]
    assert runs[0].startswith("cocontrol init ")              # from an empty folder
    assert {"hill-city/activity.csv", "hill-city/scenarios.yaml",
            "hill-city/optimisation.yaml"} <= set(files)
    assert any(" optimize " in r for r in runs) and any(" report " in r for r in runs)


def test_guide_builds_inventory_scenarios_plan_and_reports(guide_city):
    work, done = guide_city
    city = work / "hill-city"
    out = {c: r.output for c, r in done}
    # an inventory of this city (not the demo): its sources and sectors
    inv = next(o for c, o in out.items() if c.endswith("inventory hill-city --by sector"))
    # console tables show names (sectors.csv), not codes
    assert "Cement" in inv and "Road transport: freight" in inv and "Coking" not in inv
    zh_inv = next(o for c, o in out.items() if "--lang zh inventory" in c)
    assert "北区" in zh_inv or "north" in zh_inv
    # scenarios to 2060 with the target check
    run = next(o for c, o in out.items() if " run hill-city" in c)
    assert "policy" in run and "2060" in run
    # an optimised plan meeting 35 µg/m³ from 2030 with the CO2 peak by 2030
    book = read_workbook(city / "out" / "en" / "optimisation.xlsx")
    summ = book["summary"].set_index("year")
    assert summ.loc[2030, "PM2.5_plan_ugm3"] <= 35 + 1e-6
    assert summ.loc[2030, "PM2.5_base_scenario_ugm3"] > 35          # the plan did something
    co2 = summ["CO2_plan_Mt"].astype(float)
    assert (co2.loc[2030:].diff().dropna() <= 1e-9).all()
    # reports in both languages, named after the city in each language
    for lang, title in (("zh", "山城市"), ("en", "Hill City")):
        for name in ("inventory_report", "scenario_report", "optimisation_report"):
            html = (city / "out" / lang / f"{name}.html").read_text(encoding="utf-8")
            assert title in html.split("</h1>")[0], (lang, name)
        for book in ("inventory.xlsx", "scenarios.xlsx", "optimisation.xlsx"):
            assert (city / "out" / lang / book).stat().st_size > 5000
