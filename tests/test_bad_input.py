"""Bad input is answered with every problem at once — file, field, year, value, expectation —
exit status 2 and no traceback."""

import pytest

from evalkit.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def score(capsys, params, *extra, park="crafted", years="2021-2023"):
    return run(capsys, "score", "--park", park, "--years", years, "--params-dir", str(params), *extra)


def test_demo_park_scores(capsys):
    code, out, _ = run(capsys, "score", "--park", "demo-chem", "--years", "2021-2023")
    assert code == 0 and "demo-chem" in out and "grade" in out


@pytest.mark.parametrize("mutate, field, year, expected", [
    (lambda r: r["data"]["pm25"]["values"].__setitem__(2022, "abc"), "data.pm25.values.2022", "2022", "a number"),
    (lambda r: r["data"]["nox"]["values"].__setitem__(2022, -5), "data.nox", "2022", "≥ 0"),
    (lambda r: r["data"]["iva"]["values"].__setitem__(2021, 0), "data.iva", "2021", "> 0"),
    (lambda r: r["data"]["nox"].__setitem__("source", "  "), "data.nox.source", "", "a source (数据来源)"),
    (lambda r: r["data"]["nox"].__setitem__("unit", "万元"), "data.nox.unit", "", "convertible to t"),
    (lambda r: r["qualitative"].__setitem__("I99", {2021: {"level": "A", "evidence": "x"}}), "qualitative.I99", "", "indicator code"),
    (lambda r: r["not_applicable"].__setitem__("I77", {"justification": "x"}) if "not_applicable" in r
     else r.__setitem__("not_applicable", {"I77": {"justification": "x"}}), "not_applicable.I77", "", "indicator code"),
    (lambda r: r["qualitative"]["I19"][2022].__setitem__("level", "Z"), "qualitative.I19.level", "2022", "one of"),
    (lambda r: r["bonus"][2023][0].__setitem__("points", 12), "bonus.2023.0.points", "2023", "at most 10"),
    (lambda r: r["data"].__setitem__("co2_typo", {"unit": "t", "source": "s", "values": {2021: 1}}), "data.co2_typo", "", "input symbol"),
    (lambda r: r["data"]["green_building_area"]["values"].__setitem__(2022, 40), "data.green_building_area", "2022", "not more than"),
    (lambda r: r["basic_requirements"]["boundary"].__setitem__("evidence", ""), "basic_requirements.boundary.evidence", "", "evidence"),
    (lambda r: r["energy"]["fuels"].__setitem__("unobtainium", {"unit": "t", "source": "s", "values": {2021: 1}}), "energy.fuels.unobtainium", "", "raw_coal"),
])
def test_each_bad_input_is_named(capsys, chem_raw, write_params, mutate, field, year, expected):
    mutate(chem_raw)
    code, _, err = score(capsys, write_params(chem_raw))
    assert code == 2
    row = next((line for line in err.splitlines() if field in line), None)
    assert row is not None, err
    assert "crafted.yaml" in row and year in row and expected in row


def test_every_problem_is_reported_at_once(capsys, chem_raw, write_params):
    chem_raw["data"]["nox"]["values"][2021] = -1
    chem_raw["data"]["so2"]["source"] = ""
    chem_raw["data"]["pm25"]["values"][2023] = "n/a"
    code, _, err = score(capsys, write_params(chem_raw))
    assert code == 2
    assert all(f in err for f in ("data.nox", "data.so2.source", "data.pm25.values.2023"))


@pytest.mark.parametrize("years, expected", [
    ("2022-2023", "at least 3 years"),
    ("2021", "a window like 2021-2023"),
    ("2023-2021", "first year before last year"),
])
def test_bad_window(capsys, years, expected):
    code, _, err = run(capsys, "score", "--park", "demo-chem", "--years", years)
    assert code == 2 and expected in err and "--years" in err


def test_year_outside_the_data(capsys):
    code, _, err = run(capsys, "score", "--park", "demo-chem", "--years", "2022-2024")
    assert code == 2 and "2024" in err and "data for every year of the window" in err


def test_window_needs_the_year_before(capsys):
    code, _, err = run(capsys, "score", "--park", "demo-chem", "--years", "2020-2022")
    assert code == 2 and "2019" in err and "change-rate" in err


@pytest.mark.parametrize("park, expected", [
    ("no-such-park", "parks there"),
    ("../x", "not a path"),
    ("/etc/passwd", "not a path"),
    ("demo chem", "not a path"),
])
def test_bad_park_name(capsys, park, expected):
    code, _, err = run(capsys, "score", "--park", park, "--years", "2021-2023")
    assert code == 2 and expected in err


def test_invalid_yaml_names_the_line(capsys, tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    (params / "broken.yaml").write_text("profile:\n  name_zh: x\n data: [\n", "utf-8")
    code, _, err = run(capsys, "score", "--park", "broken", "--years", "2021-2023", "--params-dir", str(params))
    assert code == 2 and "line" in err and "broken.yaml" in err


def test_unknown_field_is_refused(capsys, chem_raw, write_params):
    chem_raw["profile"]["nmae_zh"] = "typo"
    code, _, err = score(capsys, write_params(chem_raw))
    assert code == 2 and "profile.nmae_zh" in err and "no such field" in err
