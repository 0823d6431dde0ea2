"""Data intake: templates, workbooks, units and `evalkit validate` (params/README.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import yaml
from openpyxl import load_workbook

from evalkit import carbon
from evalkit.catalog import load_catalog
from evalkit.cli import main
from evalkit.evaluation import evaluate
from evalkit.carbon import Energy
from evalkit.intake import LoadedPark, Profile, load_park, parse_park
from evalkit.intake.shape import ENERGY_SERIES, ENERGY_SETTINGS, PROFILE_LABELS, drop_blanks
from evalkit.intake.template import write_template
from evalkit.core import units
from evalkit.core.problems import InputError
from evalkit.core.units import UnitError, convert
from evalkit.intake.validate import validate_park
from evalkit.intake.workbook import _report_sheet, DATA, ENERGY, QUALITATIVE, export_park, read_workbook

from conftest import copy_year

PARAMS = Path(__file__).parent.parent / "params"
DEMOS = ["demo-chem", "demo-hitech", "demo-heavy", "demo-gatefail"]
WINDOW = [2021, 2022, 2023]
YEARS = [2020, *WINDOW]
CATALOG = load_catalog()
FACTORS = carbon.load_factors()


def demo_raw(park: str = "demo-chem") -> dict:
    return yaml.safe_load((PARAMS / f"{park}.yaml").read_text("utf-8"))


def write_park(folder: Path, raw: dict, park: str = "park", evidence_of: str = "demo-chem") -> Path:
    """Write `raw` as folder/<park>.yaml, with the evidence files of the demo park it was made from."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{park}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    if raw.get("evidence") and not (folder / "evidence" / park).exists():
        shutil.copytree(PARAMS / "evidence" / evidence_of, folder / "evidence" / park)
    return path


def problems_in(folder: Path, park: str = "park", window: list[int] = WINDOW) -> set[tuple[str, int | None, str]]:
    found = validate_park(park, folder, CATALOG, window, FACTORS)
    return {(p.field, p.year, p.severity) for p in found.items}


def result_of(park: LoadedPark) -> dict:
    return evaluate(park, CATALOG, WINDOW, factors=FACTORS).model_dump()


def same_outcome(a: dict, b: dict) -> bool:
    """Index, grade and every indicator's points. The template lists fuels in the factor table's
    order, the demo file in its own, and emissions are summed in file order, so figures may differ
    in the last binary digit (exact equality is asserted where the order is kept, below)."""
    def outcome(r: dict) -> tuple:
        points = {(y, i["code"]): round(i["points"], 9) for y, yr in r["yearly"].items() for i in yr["indicators"]}
        return r["index"], r["grade"], r["overall"]["verdict"], points
    return outcome(a) == outcome(b)


def row_of(sheet, code: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == code)


def column_of(sheet, header) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == header)


def fill_workbook(path: Path, raw: dict) -> None:
    """Type a park's data into a blank template workbook, cell by cell, as an assessor would."""
    book = load_workbook(path)
    settings = book["概况与设置"]
    for key, value in raw["profile"].items():
        cell = settings.cell(row_of(settings, f"profile.{key}"), 3)
        cell.value = "、".join(value) if isinstance(value, list) else ("是" if value else "否") if value is True else value
    basic = book["基本要求"]
    for key, answer in raw["basic_requirements"].items():
        row = row_of(basic, key)
        basic.cell(row, 3).value = "是" if answer["met"] else "否"
        basic.cell(row, 4).value = answer["evidence"]
    for sheet, section in ((book[DATA], raw["data"]), (book[ENERGY], _flat_energy(raw["energy"]))):
        for code, series in section.items():
            row = row_of(sheet, code)
            sheet.cell(row, 3).value, sheet.cell(row, 4).value = series["unit"], series["source"]
            for year, value in series["values"].items():
                sheet.cell(row, column_of(sheet, year)).value = value
    qualitative = book[QUALITATIVE]
    for code, years in raw["qualitative"].items():
        for year, choice in years.items():
            row = next(r for r in range(2, qualitative.max_row + 1)
                       if qualitative.cell(r, 1).value == code and qualitative.cell(r, 3).value == year)
            qualitative.cell(row, 4).value, qualitative.cell(row, 5).value = choice["level"], choice["evidence"]
    bonus = book["加分项"]
    for year, items in raw["bonus"].items():
        for item in items:
            bonus.append([year, item["name"], item["points"], item["justification"], item["evidence"],
                          item["rubric"], item["approved_points"], item["approval_note"]])
    _report_sheet(book, raw)  # the evidence register, report section and evidence ids, as export writes them
    book.save(path)


def _flat_energy(energy: dict) -> dict:
    return {**{f"fuels.{k}": v for k, v in energy["fuels"].items()},
            **{k: v for k, v in energy.items() if k in ENERGY_SERIES}}


# The template

def test_yaml_template_lists_everything_the_catalog_and_factor_table_need(tmp_path):
    path = tmp_path / "newpark.yaml"
    write_template(CATALOG, "newpark", YEARS, path, xlsx=False)
    raw = yaml.safe_load(path.read_text("utf-8"))
    assert set(raw["data"]) == set(CATALOG.inputs)
    assert all(raw["data"][s]["unit"] == spec.unit for s, spec in CATALOG.inputs.items())
    assert all(series["values"] == dict.fromkeys(YEARS) for series in raw["data"].values())
    assert set(raw["basic_requirements"]) == {item.id for item in CATALOG.basic_requirements.items}
    assert set(raw["energy"]["fuels"]) == set(FACTORS.fuels)
    assert set(raw["qualitative"]) == {i.code for i in CATALOG.indicators if i.kind == "qualitative"}
    assert raw["not_applicable"] == raw["bonus"] == raw["reference_overrides"] == {}
    text = path.read_text("utf-8")
    assert "# 工业增加值（万元）" in text and "A 优（1） / B 良（0.75）" in text


def test_template_tables_cover_the_input_model():
    assert set(PROFILE_LABELS) == set(Profile.model_fields)
    assert set(ENERGY_SERIES) | set(ENERGY_SETTINGS) | {"fuels"} == set(Energy.model_fields)


def test_a_blank_template_lists_the_park_name_and_every_gap_at_once(tmp_path):
    write_template(CATALOG, "newpark", YEARS, tmp_path / "newpark.yaml", xlsx=False)
    found = problems_in(tmp_path, "newpark")
    errors = {p for p in found if p[2] == "error"}
    assert errors == {("profile.name_zh", None, "error"), *(("years", y, "error") for y in WINDOW)}
    warned = {field for field, _, severity in found if severity == "warning"}
    assert {"data.iva", "data.pm25", "basic_requirements.boundary"} <= warned


def test_yaml_template_filled_validates_clean_and_scores_like_the_demo(tmp_path):
    path = tmp_path / "demo-chem.yaml"
    write_template(CATALOG, "demo-chem", YEARS, path, xlsx=False)
    raw, demo = yaml.safe_load(path.read_text("utf-8")), demo_raw()
    raw["profile"].update(demo["profile"])
    raw["basic_requirements"] = demo["basic_requirements"]
    raw["data"].update(demo["data"])
    raw["energy"]["fuels"].update(demo["energy"].pop("fuels"))
    raw["energy"].update(demo["energy"])
    for code, years in demo["qualitative"].items():
        raw["qualitative"][code].update(years)   # 2020 stays blank: outside the window
    raw["bonus"] = demo["bonus"]
    raw["evidence"], raw["report"] = demo["evidence"], demo["report"]
    write_park(tmp_path, raw, "demo-chem")

    assert problems_in(tmp_path, "demo-chem") == set()
    filled = LoadedPark(id="demo-chem", path=path, input=parse_park(drop_blanks(raw), str(path)))
    assert filled.input == load_park("demo-chem", PARAMS).input
    assert same_outcome(result_of(filled), result_of(load_park("demo-chem", PARAMS)))


def test_xlsx_template_filled_validates_clean_and_scores_like_the_yaml(tmp_path):
    path = tmp_path / "demo-chem.xlsx"
    write_template(CATALOG, "demo-chem", YEARS, path, xlsx=True)
    fill_workbook(path, demo_raw())
    shutil.copytree(PARAMS / "evidence" / "demo-chem", tmp_path / "evidence" / "demo-chem")
    assert problems_in(tmp_path, "demo-chem") == set()
    from_xlsx = load_park("demo-chem", tmp_path)
    assert from_xlsx.input == load_park("demo-chem", PARAMS).input
    assert same_outcome(result_of(from_xlsx), result_of(load_park("demo-chem", PARAMS)))


def test_xlsx_template_layout(tmp_path):
    path = tmp_path / "newpark.xlsx"
    write_template(CATALOG, "newpark", YEARS, path, xlsx=True)
    book = load_workbook(path)
    assert book.sheetnames[:5] == ["说明", "概况与设置", "基本要求", "年度数据", "能源数据"]
    data = book[DATA]
    assert [c.value for c in data[1]] == ["代码 symbol", "名称", "单位", "数据来源", *YEARS, "说明", "备注 note",
                                          "口径（实测/推算/估算/代用）", "推算或估算方法", "代用数据可代表园区的理由"]
    assert data.freeze_panes == "E2"
    iva = row_of(data, "iva")
    assert (data.cell(iva, 2).value, data.cell(iva, 3).value) == ("工业增加值", "万元")
    assert {row_of(data, s) for s in CATALOG.inputs} == set(range(2, len(CATALOG.inputs) + 2))
    units = {str(dv.sqref): dv.formula1 for dv in data.data_validations.dataValidation}
    assert any(f"C{iva}" in cells.split() and formula == '"元,万元,亿元"' for cells, formula in units.items())
    basic = book["基本要求"]
    assert [dv.formula1 for dv in basic.data_validations.dataValidation] == ['"是,否,待补证"']
    levels = [dv.formula1 for dv in book[QUALITATIVE].data_validations.dataValidation]
    assert levels == ['"A,B,C,D"'] * 11
    assert {row_of(book[ENERGY], f"fuels.{key}") for key in FACTORS.fuels}


# Workbook round trip

@pytest.mark.parametrize("park", [*DEMOS, "demo-sparse"])
def test_export_then_read_gives_the_identical_park(tmp_path, park):
    loaded = load_park(park, PARAMS)
    export_park(loaded, CATALOG, tmp_path / f"{park}.xlsx")
    assert parse_park(read_workbook(tmp_path / f"{park}.xlsx"), "x") == loaded.input
    assert load_park(park, tmp_path).input == loaded.input


def test_export_adds_a_blank_column_for_the_next_year(tmp_path):
    export_park(load_park("demo-chem", PARAMS), CATALOG, tmp_path / "p.xlsx")
    headers = [c.value for c in load_workbook(tmp_path / "p.xlsx")[DATA][1]]
    assert headers[4:9] == [2020, 2021, 2022, 2023, 2024] and headers[9] == "说明"


@pytest.mark.parametrize("park", ["demo-hitech", "demo-heavy", "demo-textile"])  # textile: a reconciliation
def test_yaml_and_xlsx_of_the_same_data_score_the_same(tmp_path, park):
    export_park(load_park(park, PARAMS), CATALOG, tmp_path / f"{park}.xlsx")
    assert result_of(load_park(park, tmp_path)) == result_of(load_park(park, PARAMS))


def test_workbook_problems_name_sheet_and_cell(tmp_path):
    path = tmp_path / "park.xlsx"
    export_park(load_park("demo-chem", PARAMS), CATALOG, path)
    book = load_workbook(path)
    data, basic = book[DATA], book["基本要求"]
    col_2021 = column_of(data, 2021)
    data.cell(row_of(data, "nh3n"), col_2021).value = "约100"
    data.cell(row_of(data, "cod"), 4).value = None
    basic.cell(row_of(basic, "boundary"), 3).value = "大概"
    book.save(path)
    found = {p.field for p in validate_park("park", tmp_path, CATALOG, WINDOW, FACTORS).items}
    letter = data.cell(1, col_2021).column_letter
    assert f"sheet 年度数据!{letter}{row_of(data, 'nh3n')}: data.nh3n.values.2021" in found
    assert f"sheet 年度数据!D{row_of(data, 'cod')}: data.cod.source" in found
    assert f"sheet 基本要求!C{row_of(basic, 'boundary')}: basic_requirements.boundary.met" in found


def test_workbook_check_problems_name_the_cell(tmp_path):
    path = tmp_path / "park.xlsx"
    export_park(load_park("demo-chem", PARAMS), CATALOG, path)
    book = load_workbook(path)
    data = book[DATA]
    data.cell(row_of(data, "satisfaction"), column_of(data, 2022)).value = 120
    book.save(path)
    shutil.copytree(PARAMS / "evidence" / "demo-chem", tmp_path / "evidence" / "park")
    [problem] = validate_park("park", tmp_path, CATALOG, WINDOW, FACTORS).items
    cell = data.cell(row_of(data, "satisfaction"), column_of(data, 2022)).coordinate
    assert (problem.field, problem.year, problem.severity) == (f"sheet 年度数据!{cell}: data.satisfaction", 2022, "error")


def test_workbook_percent_cells_read_as_shown(tmp_path):
    path = tmp_path / "park.xlsx"
    export_park(load_park("demo-chem", PARAMS), CATALOG, path)
    book = load_workbook(path)
    data = book[DATA]
    cell = data.cell(row_of(data, "satisfaction"), column_of(data, 2023))
    cell.value, cell.number_format = 0.91, "0%"
    book.save(path)
    assert load_park("park", tmp_path).input.data["satisfaction"].values[2023] == 91


def test_workbook_without_a_sheet_or_not_a_workbook_is_an_error(tmp_path):
    path = tmp_path / "park.xlsx"
    export_park(load_park("demo-chem", PARAMS), CATALOG, path)
    book = load_workbook(path)
    del book[ENERGY]
    book.save(path)
    assert problems_in(tmp_path) == {(f"sheet {ENERGY}", None, "error")}
    path.write_text("not a workbook", "utf-8")
    assert problems_in(tmp_path) == {("(file)", None, "error")}


# Units

@pytest.mark.parametrize("value, unit, target, expected", [
    (3, "亿元", "万元", 30_000), (5e7, "元", "万元", 5_000),
    (2_000, "千克", "t", 2), (1.5, "万吨", "t", 15_000), (1, "吨", "t", 1),
    (2, "万吨标准煤", "tce", 20_000), (500, "千克标准煤", "tce", 0.5),
    (3, "万kWh", "kWh", 30_000), (2, "MWh", "kWh", 2_000), (1, "GWh", "kWh", 1e6), (1, "GJ", "GJ", 1),
    (2, "万m³", "m³", 20_000), (1, "亿立方米", "m³", 1e8),
    (86, "%", "%", 86), (1.2, "万人", "人", 12_000), (3, "万m²", "m²", 30_000),
])
def test_units_as_statistics_write_them_convert_to_catalog_units(value, unit, target, expected):
    assert convert(value, unit, target) == pytest.approx(expected, rel=1e-12)


def test_units_of_another_dimension_do_not_convert():
    with pytest.raises(UnitError, match="different dimension"):
        convert(1, "万吨", "万元")


def test_an_unknown_unit_lists_only_the_units_of_the_expected_dimension():
    with pytest.raises(UnitError) as caught:
        convert(1, "万万吨", "t")
    listed = str(caught.value).split(": ", 1)[1].split(", ")
    assert {"吨", "万吨", "千克", "kg"} <= set(listed)
    assert not {"万元", "kWh", "m³", "tce"} & set(listed)


def test_the_precomputed_unit_table_is_what_pint_computes_from_units_yaml():
    """units.table.json spares every run pint's registry; it must be current and exact."""
    table = json.loads(units.TABLE_FILE.read_text("utf-8"))
    assert table == units.build_table(units.UNITS_FILE.read_bytes()), \
        "units.yaml changed: rewrite the table with `python -m evalkit.core.units`"
    assert list(table["dimensions"]) == list(yaml.safe_load(units.UNITS_FILE.read_text("utf-8"))["aliases"])


def test_an_edited_units_yaml_is_used_even_before_the_table_is_rebuilt(tmp_path, monkeypatch):
    edited = tmp_path / "units.yaml"
    edited.write_text(units.UNITS_FILE.read_text("utf-8") + "  千万元: 1e7 * yuan\n", "utf-8")
    monkeypatch.setattr(units, "UNITS_FILE", edited)
    units._table.cache_clear()
    units.factor.cache_clear()
    try:
        assert convert(2, "千万元", "万元") == pytest.approx(2_000, rel=1e-12)
    finally:
        monkeypatch.undo()
        units._table.cache_clear()
        units.factor.cache_clear()


def test_a_park_in_other_units_scores_the_same(tmp_path):
    raw = demo_raw()
    iva = raw["data"]["iva"]
    iva["unit"], iva["values"] = "万元", {y: v * 10_000 for y, v in iva["values"].items()}
    nox = raw["data"]["nox"]
    nox["unit"], nox["values"] = "千克", {y: v * 1_000 for y, v in nox["values"].items()}
    write_park(tmp_path, raw, "demo-chem")
    assert result_of(load_park("demo-chem", tmp_path))["index"] == result_of(load_park("demo-chem", PARAMS))["index"]


@pytest.mark.parametrize("section, unit, field", [
    ("data.nox", "万元", "data.nox.unit"),
    ("data.satisfaction", "吨", "data.satisfaction.unit"),
    ("energy.fuels.raw_coal", "万kWh", "energy.fuels.raw_coal.unit"),
])
def test_a_unit_of_the_wrong_dimension_is_an_error_naming_the_field(tmp_path, section, unit, field):
    raw = demo_raw()
    node = raw
    for part in section.split("."):
        node = node[part]
    node["unit"] = unit
    write_park(tmp_path, raw)
    assert any(f == field and s == "error" for f, _, s in problems_in(tmp_path))


# Validation rules: each fires on a crafted bad file, and all are listed at once

def _without_year(raw: dict, year: int) -> None:
    for series in [*raw["data"].values(), *raw["energy"]["fuels"].values(),
                   *(v for k, v in raw["energy"].items() if k != "fuels" and isinstance(v, dict))]:
        series["values"].pop(year, None)


RULES = {
    "missing value": (lambda r: r["data"]["pm25"]["values"].pop(2022), ("data.pm25", 2022, "warning")),
    "blank value": (lambda r: r["data"]["pm25"]["values"].update({2022: None}), ("data.pm25", 2022, "warning")),
    # without any electricity figure there is no non-fossil energy to count (I16)
    "missing carbon input": (lambda r: [r["energy"].pop(k) for k in ("onsite_renewable", "green_electricity",
                                                                     "electricity_purchased")],
                             ("energy", 2021, "warning")),
    "missing level": (lambda r: r["qualitative"]["I19"].pop(2022), ("qualitative.I19", 2022, "warning")),
    "share above 100 %": (lambda r: r["data"]["satisfaction"]["values"].update({2022: 120}),
                          ("data.satisfaction", 2022, "error")),
    "negative emission": (lambda r: r["data"]["nox"]["values"].update({2021: -5}), ("data.nox", 2021, "error")),
    "negative energy": (lambda r: r["energy"]["fuels"]["diesel"]["values"].update({2021: -1}),
                        ("energy.fuels.diesel", 2021, "error")),
    "empty source": (lambda r: r["data"]["cod"].update(source=""), ("data.cod.source", None, "error")),
    "not a number": (lambda r: r["data"]["nh3n"]["values"].update({2021: "约100"}),
                     ("data.nh3n.values.2021", 2021, "error")),
    "missing year": (lambda r: _without_year(r, 2023), ("years", 2023, "error")),
    "missing year before the window": (lambda r: _without_year(r, 2020), ("years", 2020, "error")),
    "met without evidence": (lambda r: r["basic_requirements"]["boundary"].update(evidence=""),
                             ("basic_requirements.boundary.evidence", None, "error")),
    "unanswered requirement": (lambda r: r["basic_requirements"].pop("disclosure"),
                               ("basic_requirements.disclosure", None, "warning")),
    "part larger than whole": (lambda r: r["data"]["green_building_area"]["values"].update({2023: 35}),
                               ("data.green_building_area", 2023, "error")),
    "wrong unit": (lambda r: r["data"]["so2"].update(unit="万元"), ("data.so2.unit", None, "error")),
    "unknown input": (lambda r: r["data"].update(foo=r["data"]["iva"]), ("data.foo", None, "error")),
    "unknown level": (lambda r: r["qualitative"]["I22"][2022].update(level="E"),
                      ("qualitative.I22.level", 2022, "error")),
    "jump above 5×": (lambda r: r["data"]["water_reused"]["values"].update({2022: 93_000}),
                      ("data.water_reused", 2022, "warning")),
    "drop below 1/5": (lambda r: r["data"]["freight"]["values"].update({2023: 300}), ("data.freight", 2023, "warning")),
}


def test_the_demo_file_is_clean(tmp_path):
    write_park(tmp_path, demo_raw())
    assert problems_in(tmp_path) == set()


@pytest.mark.parametrize("rule", RULES)
def test_each_validation_rule_fires(tmp_path, rule):
    mutate, expected = RULES[rule]
    raw = demo_raw()
    mutate(raw)
    write_park(tmp_path, raw)
    assert expected in problems_in(tmp_path)


def test_every_problem_is_listed_at_once(tmp_path):
    raw = demo_raw()
    checks = {name: rule for name, rule in RULES.items()
              if name not in {"empty source", "not a number", "missing year", "missing year before the window"}}
    for mutate, _ in checks.values():  # shape errors stop before the meaning checks: kept apart
        mutate(raw)
    write_park(tmp_path, raw)
    assert {expected for _, expected in checks.values()} <= problems_in(tmp_path)


def test_shape_errors_are_listed_together(tmp_path):
    raw = demo_raw()
    for name in ("empty source", "not a number"):
        RULES[name][0](raw)
    write_park(tmp_path, raw)
    errors = {p for p in problems_in(tmp_path) if p[2] == "error"}
    assert errors == {RULES["empty source"][1], RULES["not a number"][1]}


def test_a_missing_input_of_the_overall_evaluation_says_what_it_costs(tmp_path):
    raw = demo_raw()
    raw["data"]["iva"]["values"].pop(2023)
    write_park(tmp_path, raw)
    [problem] = [p for p in validate_park("park", tmp_path, CATALOG, WINDOW, FACTORS).items
                 if p.field == "data.iva"]
    assert problem.year == 2023 and "I04" in problem.expected and "整体评价" in problem.expected


def test_not_applicable_indicators_need_no_data(tmp_path):
    raw = demo_raw()
    for symbol in ("nev_buses", "buses"):
        raw["data"].pop(symbol)
    write_park(tmp_path, raw)
    assert {f for f, _, _ in problems_in(tmp_path)} == {"data.nev_buses", "data.buses"}
    raw["not_applicable"] = {"I34": {"reason": "no_such_service", "justification": "园区内无公交线路和站点"}}
    write_park(tmp_path, raw)
    assert problems_in(tmp_path) == set()


def test_score_reads_yaml_blanks_as_missing_data(tmp_path):
    raw = demo_raw()
    raw["data"]["pm25"]["values"][2022] = None
    write_park(tmp_path, raw)
    result = evaluate(load_park("park", tmp_path), CATALOG, WINDOW, factors=FACTORS)
    assert [(g.code, g.year) for g in result.data_gaps] == [("I02", 2022)]


# Years the window does not use: the factor table has no grid factor for 2018 (nor 2017), the window
# 2021–2023 reads 2020–2023 and the base year only (missing is not bad: an old year blocks nothing)

def test_energy_data_of_a_year_the_window_does_not_use_block_nothing(tmp_path, capsys):
    write_park(tmp_path / "plain", demo_raw())
    write_park(tmp_path / "older", copy_year(demo_raw(), 2020, 2018))
    assert problems_in(tmp_path / "older") == set()  # validate: no error, no gap, nothing for 2018
    plain = evaluate(load_park("park", tmp_path / "plain"), CATALOG, WINDOW, factors=FACTORS)
    older = evaluate(load_park("park", tmp_path / "older"), CATALOG, WINDOW, factors=FACTORS)
    assert older.to_json() == plain.to_json()
    assert main(["score", "--park", "park", "--years", "2021-2023", "--params-dir", str(tmp_path / "older")]) == 0
    assert "grid_factor" not in capsys.readouterr().err


@pytest.mark.parametrize("window, base_year", [([2018, 2019, 2020], None), (WINDOW, 2018)],
                         ids=["inside the window", "base year of the overall evaluation"])
def test_a_used_year_without_a_grid_factor_is_an_error_naming_file_field_and_year(tmp_path, window, base_year):
    raw = copy_year(demo_raw(), 2020, 2017, 2018, 2019)
    raw["profile"]["base_year"] = base_year
    path = write_park(tmp_path, raw)
    with pytest.raises(InputError) as exc:
        evaluate(load_park("park", tmp_path), CATALOG, window, factors=FACTORS)
    [problem, *_] = [p for p in exc.value.problems if p.year == 2018 and p.severity == "error"]
    assert (problem.file, problem.field, problem.value) == (str(path), "energy.grid_factor", "national_average")
    assert "2018" in problem.expected
    assert ("energy.grid_factor", 2018, "error") in problems_in(tmp_path, window=window)


def test_unscored_proxy_figures_are_warned_for_the_years_the_window_uses(tmp_path):
    raw = copy_year(copy_year(demo_raw(), 2020, 2018, 2019), 2023, 2024)
    raw["profile"]["base_year"] = 2019
    raw["data"]["so2"]["scope"] = "proxy"
    write_park(tmp_path, raw)
    assert {year for field, year, _ in problems_in(tmp_path) if field == "data.so2"} == {2019, 2020, 2021, 2022, 2023}


# `evalkit validate` exit codes, never a traceback

def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(["validate", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_validate_exit_codes(tmp_path, capsys):
    """0: the park can be rated (warnings or not); 1: it cannot be rated; 2: errors."""
    code, out = _run(capsys, "--park", "demo-chem", "--years", "2021-2023", "--params-dir", str(PARAMS))
    assert code == 0 and "grade possible / 能否定级: yes" in out
    raw = demo_raw()
    raw["qualitative"]["I19"].pop(2022)  # a gap that costs points but leaves coverage above 65 %
    write_park(tmp_path, raw)
    code, out = _run(capsys, "--park", "park", "--years", "2021-2023", "--params-dir", str(tmp_path))
    assert code == 0 and "qualitative.I19" in out
    raw["basic_requirements"]["planning_eia"] = {"met": "unknown"}
    write_park(tmp_path, raw)
    code, out = _run(capsys, "--park", "park", "--years", "2021-2023", "--params-dir", str(tmp_path))
    assert code == 1 and "deferred" in out and "planning_eia" in out and "评价暂缓" in out
    raw["data"]["nox"]["values"][2021] = -5
    write_park(tmp_path, raw)
    code, out = _run(capsys, "--park", "park", "--years", "2021-2023", "--params-dir", str(tmp_path))
    assert code == 2 and "data.nox" in out and "qualitative.I19" in out


@pytest.mark.parametrize("content", ["profile: [unclosed", "- a list\n- not a park\n", "", "data: {iva: 3}\n"])
def test_validate_never_shows_a_traceback(tmp_path, capsys, content):
    (tmp_path / "park.yaml").write_text(content, "utf-8")
    code, out = _run(capsys, "--park", "park", "--years", "2021-2023", "--params-dir", str(tmp_path))
    assert code == 2 and "Traceback" not in out and "internal error" not in out


def test_validate_of_an_unknown_park_lists_the_known_ones(capsys):
    code, out = _run(capsys, "--park", "nosuchpark", "--years", "2021-2023", "--params-dir", str(PARAMS))
    assert code == 2 and "demo-chem" in out


def test_template_and_export_commands(tmp_path, capsys):
    assert main(["template", "--park", "newpark", "--years", "2020-2023", "--xlsx",
                 "--output", str(tmp_path / "newpark.xlsx")]) == 0
    assert main(["export", "--park", "demo-hitech", "--xlsx", "--params-dir", str(PARAMS),
                 "--output", str(tmp_path / "demo-hitech.xlsx")]) == 0
    assert load_park("demo-hitech", tmp_path).input == load_park("demo-hitech", PARAMS).input
    assert main(["template", "--park", "newpark", "--years", "2020-2023", "--xlsx",
                 "--output", str(tmp_path / "newpark.xlsx")]) == 2   # refuses to overwrite


def test_workbook_without_the_data_quality_columns_is_still_read(tmp_path):
    """Workbooks made before scope existed keep working: the quality columns are optional."""
    export_park(load_park("demo-chem", PARAMS), CATALOG, tmp_path / "old.xlsx")
    book = load_workbook(tmp_path / "old.xlsx")
    for title in (DATA, "能源数据", "分年来源"):
        sheet = book[title]
        headers = [c.value for c in sheet[1]]
        first = min(n for n, h in enumerate(headers, 1) if h in {"备注 note", "口径（实测/推算/估算/代用）"})
        sheet.delete_cols(first, len(headers) - first + 1)
    book.save(tmp_path / "old.xlsx")
    assert load_park("old", tmp_path).input == load_park("demo-chem", PARAMS).input


def test_workbook_reads_pending_answers_and_scopes_in_chinese(tmp_path):
    export_park(load_park("demo-sparse", PARAMS), CATALOG, tmp_path / "s.xlsx")
    book = load_workbook(tmp_path / "s.xlsx")
    basic = book["基本要求"]
    assert basic.cell(row_of(basic, "planning_eia"), 3).value == "待补证"
    data = book[DATA]
    headers = [c.value for c in data[1]]
    scope = headers.index("口径（实测/推算/估算/代用）") + 1
    assert data.cell(row_of(data, "good_air_ratio"), scope).value == "代用"
    park = load_park("s", tmp_path).input
    assert park.basic_requirements["planning_eia"].met == "unknown"
    assert park.data["green_industry_va"].scope == "estimated"


def test_export_writes_excel_without_being_told(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--park", "demo-chem", "--params-dir", str(PARAMS)]) == 0
    assert "wrote demo-chem.xlsx" in capsys.readouterr().out
    assert load_park("demo-chem", tmp_path).input == load_park("demo-chem", PARAMS).input


def test_help_gives_the_chinese_terms_an_assessor_looks_for(capsys):
    terms = {"score": ["评价窗口", "评价年", "基准年", "指标目录", "排放因子表", "园区", "整体评价"],
             "render": ["评价窗口", "基准年", "指标目录", "排放因子表", "园区"],
             "validate": ["评价窗口", "园区数据文件"]}
    for command, expected in terms.items():
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert [term for term in expected if term not in text] == [], command
