"""The catalog: Table 5-1 as data, its validation, and custom catalogs without Python."""

import csv
import json
from pathlib import Path

import pytest
import yaml

from evalkit.catalog import default_catalog_path, load_catalog
from evalkit.cli import main
from evalkit.evaluation import evaluate
from evalkit.core.problems import InputError

TABLE = Path(__file__).resolve().parents[2] / "shared" / "standard" / "table-5-1.csv"


def test_default_catalog_matches_table_5_1(catalog):
    assert len(catalog.indicators) == 41
    if TABLE.exists():  # the standard's table beside the repo, as in the workplace and CI
        rows = list(csv.DictReader(TABLE.open(encoding="utf-8")))
        for row, ind in zip(rows, catalog.indicators):
            assert (ind.code, ind.name_zh, ind.target_level, ind.first_level, ind.second_level, ind.weight) == (
                f"I{int(row['no']):02d}", row["name_zh"], row["target_level"], row["first_level"],
                row["second_level"], float(row["weight"]))
    assert [catalog.level_max_points(t.name) for t in catalog.target_levels] == [35, 46, 20]


def test_weight_discrepancy_is_a_warning(catalog):
    assert any("路径协同" in w and "0.46" in w for w in catalog.warnings)


def test_every_reference_cites_a_source(catalog):
    for ind in catalog.indicators:
        for variant in ind.variants() or [ind]:
            spec = variant.scoring
            for ref in (spec.reference, spec.floor):
                if ref is not None:
                    assert ref.source.strip(), ind.code
            if spec.method == "tiered":
                assert spec.levels and all(lv.criteria_zh for lv in spec.levels)


def test_catalog_json_has_the_documented_fields(capsys):
    assert main(["catalog", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["indicators"]) == 41
    for ind in data["indicators"]:
        for key in ("code", "name_zh", "name_en", "target_level", "first_level", "second_level", "weight",
                    "direction", "method"):
            assert key in ind


def test_catalog_table_prints(capsys):
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    assert "I41" in out and "碳排放监测" in out and "0.46" in out


def _custom(tmp_path, edit) -> Path:
    raw = yaml.safe_load(default_catalog_path().read_text("utf-8"))
    edit(raw)
    (tmp_path / "basic_requirements.yaml").write_text(
        (default_catalog_path().parent / "basic_requirements.yaml").read_text("utf-8"), "utf-8")
    path = tmp_path / "provincial.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return path


def _indicator(raw, code):
    return next(i for i in raw["indicators"] if i["code"] == code)


@pytest.mark.parametrize("edit, field, expected", [
    (lambda r: _indicator(r, "I04")["scoring"].__setitem__("method", "magic"), "indicators[I04].scoring.method", "one of"),
    (lambda r: _indicator(r, "I04")["scoring"].pop("reference"), "indicators[I04].scoring.reference", "required by method"),
    (lambda r: _indicator(r, "I04").__setitem__("formula", "nox * 1000 / gdp"), "indicators[I04].formula", "declared under inputs"),
    (lambda r: _indicator(r, "I04").__setitem__("formula", "__import__('os')"), "indicators[I04].formula", "not allowed"),
    (lambda r: _indicator(r, "I04").__setitem__("target_level", "其他"), "indicators[I04].target_level", "one of"),
    (lambda r: _indicator(r, "I05").__setitem__("code", "I04"), "indicators[I04].code", "used once"),
    (lambda r: _indicator(r, "I04").__setitem__("weight", "heavy"), "indicators.[I04].weight", "number"),
    (lambda r: _indicator(r, "I19")["scoring"]["levels"][0].__setitem__("score", 2), "levels", "less than or equal to 1"),
])
def test_broken_custom_catalog_is_refused(tmp_path, edit, field, expected):
    with pytest.raises(InputError) as info:
        load_catalog(_custom(tmp_path, edit))
    text = str(info.value)
    assert field in text and expected in text


def test_broken_catalog_via_cli_exits_2(tmp_path, capsys):
    path = _custom(tmp_path, lambda r: _indicator(r, "I04")["scoring"].__setitem__("method", "magic"))
    assert main(["score", "--park", "demo-chem", "--years", "2021-2023", "--catalog", str(path)]) == 2
    assert "magic" in capsys.readouterr().err


def test_provincial_catalog_changes_results_without_python(tmp_path, chem_raw, make_park, catalog):
    def stricter(raw):
        raw["id"] = "province-x"
        _indicator(raw, "I10")["scoring"]["reference"]["value"] = 0.3
        raw["target_levels"][1]["weight"] = 0.46
    custom = load_catalog(_custom(tmp_path, stricter))
    assert custom.id == "province-x" and not any("路径协同" in w for w in custom.warnings)
    park = make_park(chem_raw)
    default = evaluate(park, catalog, [2021, 2022, 2023])
    provincial = evaluate(park, custom, [2021, 2022, 2023])
    assert provincial.catalog.id == "province-x" and provincial.catalog.sha256 != default.catalog.sha256
    assert provincial.yearly[2023].indicators[9].score < default.yearly[2023].indicators[9].score
