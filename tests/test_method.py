"""Method fidelity (issue 12): grid-factor decomposition, consistency rules, not-applicable reasons,
reference confirmation and the draft mark / `render --final`.

The 发电煤耗法 for indicator 16 and the electricity factors are checked by hand in test_carbon.py
(test_nonfossil_share_by_the_coal_rate_method_hand_computed and its neighbours); bonus approval in
test_evaluation.py.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from evalkit.catalog import default_catalog_path, load_catalog
from evalkit.cli import main
from evalkit.core.problems import InputError
from evalkit.evaluation import evaluate
from evalkit.intake.consistency import check_consistency
from evalkit.intake.validate import validate_park
from evalkit.report import method

from conftest import confirming_catalog

WINDOW = [2021, 2022, 2023]
ROOT = Path(__file__).resolve().parents[1]
DRAFT = "参考值未经核实"


# --- carbon intensity: grid factor vs the park ---------------------------------------------------

def small_park(raw: dict) -> dict:
    """demo-chem with a small, hand-checkable energy section: electricity only, green power in 2023."""
    raw["energy"] = {"electricity_purchased": {"unit": "万kWh", "source": "售电量统计",
                                               "values": {2020: 100, 2021: 100, 2022: 100, 2023: 100}},
                     "green_electricity": {"unit": "万kWh", "source": "绿电交易凭证",
                                           "values": {2020: 0, 2021: 0, 2022: 0, 2023: 20}}}
    raw["data"]["iva"]["values"] = {2020: 1, 2021: 1, 2022: 1, 2023: 1}          # 亿元 = 10 000 万元
    return raw


def test_grid_factor_decomposition_adds_up_and_matches_hand_computation(catalog, chem_raw, make_park):
    result = evaluate(make_park(small_park(chem_raw)), catalog, WINDOW)
    d = result.carbon_decomposition
    # by hand (one series for every year, as the park deducts green power in 2023):
    #          2021 (base) 1 000 000 kWh × 0.5942 (without market-traded non-fossil) = 594.2 t → 0.05942 t/万元
    #          2023 (target) 800 000 kWh × 0.6096 = 487.68 t → 0.048768
    #          2023 at the 2021 value of the same series: 800 000 × 0.5942 = 475.36 t → 0.047536
    assert (d.base_year, d.target_year) == (2021, 2023)
    assert d.intensity_base == pytest.approx(0.05942)
    assert d.intensity_target == pytest.approx(0.048768)
    assert d.intensity_target_at_base_factor == pytest.approx(0.047536)
    assert d.grid_effect == pytest.approx(0.048768 - 0.047536)       # +0.001232: the factor rose
    # −0.011884 = the 200 000 kWh of green power × 0.5942: the park's own change, no series switch in it
    assert d.park_effect == pytest.approx(0.047536 - 0.05942)
    assert d.grid_effect + d.park_effect == pytest.approx(d.change, abs=1e-15)
    assert d.change == pytest.approx(result.yearly[2023].carbon["intensity"] - result.yearly[2021].carbon["intensity"])
    assert "0.5942" in d.traces["recomputed"].substituted and "0.6096" in d.traces["recomputed"].substituted
    assert d.traces["split"].substituted.endswith("= 0.001232 − 0.01188")  # not "+ −0.01188"
    text = method.decomposition(result)
    assert "电网排放因子变化的影响" in text and "园区自身变化" in text
    # the table shows the decomposition at the precision of its trace text: one number, not 0.011884 and 0.01188
    assert "| −0\\.01188 |" in text and "0\\.011884" not in text and "| 0\\.001232 |" in text


def test_decomposition_says_why_when_it_cannot_be_made(catalog, chem_raw, make_park):
    raw = small_park(chem_raw)
    raw["energy"] = {"verified_co2": {"unit": "t", "source": "核查报告",
                                      "values": {2020: 500, 2021: 500, 2022: 480, 2023: 470}}}
    result = evaluate(make_park(raw), catalog, WINDOW)
    assert result.carbon_decomposition is None and "经核证排放总量" in result.carbon_decomposition_note


# --- consistency rules: the two cases of the issue ------------------------------------------------

def inconsistent(raw: dict) -> dict:
    raw["data"]["water_sections_met"]["values"][2021] = 11          # 11 of 12 sections met
    raw["qualitative"]["I22"][2023] = {"level": "B", "evidence": "国家级绿色供应链管理企业3家、省级绿色工厂21家"}
    raw["data"]["green_chain_firms"]["values"][2023] = 24           # 24 of 128 firms = 18.75 %
    return raw


def test_consistency_rules_fire_on_the_two_cases(catalog, chem_raw, make_park, write_params, factors):
    raw = inconsistent(chem_raw)
    park = make_park(raw)
    violated = {(f.rule, f.year): f for f in check_consistency(park, catalog, WINDOW) if f.status == "violated"}
    assert set(violated) == {("env_quality_water", 2021), ("green_chain_level_B", 2023)}
    water, chain = violated["env_quality_water", 2021], violated["green_chain_level_B", 2023]
    assert water.value == pytest.approx(11 / 12 * 100) and water.expected_zh == "≥ 100 %"
    assert chain.value == pytest.approx(18.75) and chain.expected_zh == "20–50 %"
    assert "24 ÷ 128" in chain.trace.substituted
    # the result at the catalog's display precision for %, as the summary shows it (not 91.6667)
    assert water.trace.substituted.endswith("× 100 = 91.67")

    # validate: warnings naming the answer's field and year
    problems = validate_park("crafted", write_params(raw), catalog, WINDOW, factors)
    warned = {(p.field, p.year) for p in problems.items if p.severity == "warning"}
    assert warned == {("basic_requirements.environmental_quality", 2021), ("qualitative.I22.level", 2023)}
    assert not problems.errors

    # the report's methodology section lists them; the scores are unchanged by a violation
    result = evaluate(park, catalog, WINDOW)
    text = method.methodology(result)
    assert "2 项不一致" in text and "18\\.75" in text
    assert any("一致性核对" in w for w in result.warnings)


def test_consistent_answers_pass_and_missing_data_is_not_a_violation(catalog, chem_raw, make_park):
    findings = check_consistency(make_park(chem_raw), catalog, WINDOW)
    assert findings and all(f.status == "consistent" for f in findings)
    chem_raw["data"].pop("green_chain_firms")
    findings = check_consistency(make_park(chem_raw), catalog, WINDOW)
    assert {f.status for f in findings if f.rule.startswith("green_chain")} == {"not_checkable"}


def test_consistency_rules_are_catalog_data(tmp_path):
    raw = yaml.safe_load(default_catalog_path().read_text("utf-8"))
    raw["consistency_rules"].append({"id": "bad", "text_zh": "x", "when": {"indicator": "I22", "level": "Z"},
                                     "check": {"formula": "firms ** 2", "formula_zh": "x", "unit": "%"}})
    shutil.copy(default_catalog_path().parent / raw["basic_requirements"], tmp_path / raw["basic_requirements"])
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    with pytest.raises(InputError) as excinfo:
        load_catalog(path)
    fields = {p.field for p in excinfo.value.problems}
    assert {"consistency_rules[bad].when.level", "consistency_rules[bad].check",
            "consistency_rules[bad].check.formula"} <= fields


# --- not applicable vs missing ---------------------------------------------------------------------

def test_not_applicable_needs_a_structural_reason_and_cannot_hide_missing_data(catalog, chem_raw, make_park):
    chem_raw["not_applicable"] = {
        "I34": {"reason": "no_such_service", "justification": "区内公交由市公交集团运营并纳入全市统计，园区无法单独统计"},
        "I29": {"justification": "无可回收废气资源"},
        "I28": {"reason": "too_expensive", "justification": "余热数据难以获取"},
    }
    with pytest.raises(InputError) as excinfo:
        evaluate(make_park(chem_raw), catalog, WINDOW)
    found = {p.field: p for p in excinfo.value.problems}
    assert set(found) == {"not_applicable.I34.justification", "not_applicable.I29.reason",
                          "not_applicable.I28.reason", "not_applicable.I28.justification"}
    assert "missing data, not not-applicable" in found["not_applicable.I34.justification"].expected
    assert "no_such_facility" in found["not_applicable.I29.reason"].expected


def test_a_structural_not_applicable_is_shown_with_its_reason(catalog, chem_raw, make_park):
    chem_raw["not_applicable"] = {"I34": {"reason": "no_such_service", "justification": "区内无公交线路和站点"}}
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    [item] = result.not_applicable
    assert item.reason == "no_such_service" and "公共服务" in item.reason_zh
    assert "区内无公交线路和站点" in method.not_applicable(result)


# --- references: status, confirmation, --final -----------------------------------------------------

def test_reference_status_of_the_demo_park(catalog, chem_raw, make_park):
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    status = {(r.code, r.field): r for r in result.references}
    assert status["I02", "floor"].status == "verified" and "GB 3095-2012" in status["I02", "floor"].citation
    assert status["I16", "reference"].status == "verified" and "国发〔2021〕23号" in status["I16", "reference"].citation
    assert status["I17", "reference"].basis == "evalkit_default" and status["I17", "reference"].value == 5
    assert status["I10", "reference"].status == "unverified"
    assert DRAFT in method.summary_notice(result)


def test_assessor_confirmation_needs_document_and_clause(catalog, chem_raw, make_park):
    chem_raw["reference_confirmations"] = {"I10": {"document_no": "苏环办〔2024〕1号", "clause": "附表2",
                                                   "confirmed_by": "示范评价机构"}}
    result = evaluate(make_park(chem_raw), catalog, WINDOW)
    i10 = next(r for r in result.references if r.code == "I10")
    assert i10.status == "confirmed_by_assessor" and "苏环办〔2024〕1号 附表2" in i10.citation
    chem_raw["reference_confirmations"]["I10"]["clause"] = " "
    with pytest.raises(InputError):
        make_park(chem_raw)


def test_confirmations_survive_the_workbook(catalog, chem_raw, make_park, tmp_path):
    from evalkit.intake import load_park
    from evalkit.intake.workbook import export_park

    chem_raw["reference_confirmations"] = {"I10": {"fields": ["reference"], "document_no": "苏环办〔2024〕1号",
                                                   "clause": "附表2", "confirmed_by": "示范评价机构"}}
    park = make_park(chem_raw, "roundtrip")
    export_park(park, catalog, tmp_path / "book" / "roundtrip.xlsx")
    assert load_park("roundtrip", tmp_path / "book").input == park.input


def test_render_final_refuses_unconfirmed_references_and_succeeds_with_a_confirming_catalog(
        tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    args = ["render", "--park", "demo-chem", "--years", "2021-2023", "--output-dir", str(tmp_path / "out"),
            "--to", "html", "--final"]
    code = main(args)
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err
    assert "indicators[I10].scoring.reference" in err and "reference_confirmations.I10" in err
    assert not (tmp_path / "out").exists()  # nothing executed, nothing written

    code = main([*args, "--catalog", str(confirming_catalog(tmp_path / "catalog"))])
    out, err = capsys.readouterr()
    assert code == 0, err
    html = (tmp_path / "out" / "demo-chem" / "2021-2023" / "report.html").read_text("utf-8")
    assert "参考值未经核实（草稿）" not in html and "body::after" not in html and "正式报告" in html


# --- the draft mark on every page of every format --------------------------------------------------

@pytest.fixture(scope="module")
def draft_report(tmp_path_factory):
    from evalkit import carbon
    from evalkit.catalog import referenced_files
    from evalkit.render import render_report

    out = tmp_path_factory.mktemp("draft")
    catalog = default_catalog_path()
    outcome = render_report("demo-chem", WINDOW, input_path=ROOT / "params" / "demo-chem.yaml",
                            catalog_path=catalog, catalog_files=referenced_files(catalog),
                            factor_paths=[carbon.DEFAULT_TABLE], output_dir=out, engine="pandoc",
                            progress=lambda _: None)
    return outcome.files


def test_draft_mark_on_the_summary_and_every_page(draft_report):
    html = draft_report["html"].read_text("utf-8")
    assert "body::after" in html and DRAFT in html                       # fixed footer line in the HTML
    with zipfile.ZipFile(draft_report["docx"]) as docx:
        document = docx.read("word/document.xml").decode("utf-8")
        rels = docx.read("word/_rels/document.xml.rels").decode("utf-8")
        footer_id = re.search(r'<w:footerReference[^>]*r:id="([^"]+)"', document).group(1)
        target = re.search(rf'Id="{footer_id}"[^>]*Target="([^"]+)"', rels).group(1)
        footer = docx.read(f"word/{target}").decode("utf-8")
    assert DRAFT in footer and "NUMPAGES" in footer  # the draft mark above the page number, on every page
    pages = PdfReader(draft_report["pdf"]).pages
    assert all(DRAFT in "".join(page.extract_text().split()) for page in pages)
    # The summary follows the cover, sign-off and contents pages.
    summary = "".join("".join(page.extract_text().split()) for page in pages[3:5])
    assert "参考值未经核实（草稿）" in summary


def test_evalkits_own_default_rules_are_neither_labelled_nor_counted_as_verified(catalog, factors):
    from evalkit.intake import load_park

    result = evaluate(load_park("demo-chem", ROOT / "params"), catalog, WINDOW, factors=factors)
    rules = [r for r in result.references if r.basis == "evalkit_default" and r.status == "verified"]
    published = [r for r in result.references if r.basis != "evalkit_default" and r.status == "verified"]
    assert rules and "I03" in {r.code for r in rules}
    text = method.references(result)
    assert f"已核实 {len(published)} 项，evalkit 默认规则 {len(rules)} 项，" in text
    rows = [line for line in text.splitlines() if line.startswith("| I03 |")]
    assert rows and all("evalkit 默认规则（无原文可核）" in row and "已核实" not in row for row in rows)


def test_substituted_formulas_and_trace_numbers_use_the_minus_sign():
    from evalkit.catalog.formulas import Formula
    from evalkit.core.trace import fmt

    value, text = Formula.parse("(a - b) / a * 100 + -c").evaluate(lambda s: {"a": 1280, "b": 1150, "c": 2}[s.name])
    assert value == pytest.approx(130 / 1280 * 100 - 2)
    assert text == "(1,280 − 1,150) ÷ 1,280 × 100 + −2" and "-" not in text
    assert (fmt(-3.04343), fmt(-5.0), fmt(-0.01234), fmt(-1234.5)) == ("−3.0434", "−5", "−0.01234", "−1,234.5")
