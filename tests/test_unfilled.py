"""An unfinished report (【待评价机构填写】 left) is a draft: the places are listed once with the park-file
field that fills each, the footer, summary and sign-off page say so, `render --final` refuses; and
the PDF pages are numbered the same way whether or not a draft mark applies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evalkit.cli import main
from evalkit.intake.models import Activity, EvidenceItem
from evalkit.render import draft
from evalkit.report.unfilled import PLACEHOLDER, unfilled_fields

from conftest import confirming_catalog
from test_report import context, report_text

ROOT = Path(__file__).resolve().parents[1]


def fill_everything(park) -> None:
    r = park.report
    for name in ("report_no", "client", "assessor", "date", "conclusion", "project_lead", "reviewer",
                 "approver", "sign_date"):
        setattr(r, name, f"已填写的{name}")
    park.profile.assessment_type = "第三方评价"
    r.recommendations = ["已填写的建议"]
    r.scope.geographic = r.scope.statistical = "已填写的边界"
    r.scope.notes = ["已填写的口径说明"]
    r.procedure = [Activity(activity="资料核查", dates="2024年3月", by="评价组", content="核查")]
    if not park.evidence:
        park.evidence.append(EvidenceItem(id="X01", title="材料"))


def empty_report_section(park) -> None:
    park.report = type(park.report)()
    park.profile.assessor = park.profile.assessment_type = None


@pytest.mark.parametrize("park_id", ["demo-heavy", "demo-gatefail"])
def test_every_placeholder_is_listed_and_filling_the_listed_fields_removes_them_all(park_id):
    ctx = context(park_id)
    listed = unfilled_fields(ctx.park)
    text = report_text(ctx)
    assert listed and PLACEHOLDER in text
    table = text[text.index("**待评价机构填写的内容**"):]
    for field in listed:
        assert f"| {field.place_zh} | {field.field} |" in table
    # A placeholder printed by the report but missing from the list would survive this:
    assert PLACEHOLDER not in report_text(context(park_id, fill_everything))
    assert "待评价机构填写的内容" not in report_text(context(park_id, fill_everything))


def test_an_empty_report_section_lists_each_place_once():
    ctx = context("demo-chem", empty_report_section)
    fields = [f.field for f in unfilled_fields(ctx.park)]
    assert len(fields) == len(set(fields)) == 15
    assert {"report.report_no", "report.procedure", "report.conclusion", "profile.assessment_type"} <= set(fields)
    text = report_text(ctx)
    assert "报告中 15 处内容尚待评价机构填写" in text  # the summary says so
    ctx.park.evidence.clear()
    assert unfilled_fields(ctx.park)[-1].field == "evidence"  # the register's placeholder


def test_a_procedure_activity_without_dates_or_persons_is_listed():
    def edit(park):
        park.report.procedure[1].dates = None
    fields = unfilled_fields(context("demo-chem", edit).park)
    assert [(f.field, f.place_zh) for f in fields] == [("report.procedure[1].dates", "评价工作程序 · 现场核查 · 时间")]


def test_the_sign_off_page_of_a_draft_keeps_the_names_but_says_they_do_not_count():
    text = report_text(context("demo-heavy"))
    sign_off = text[:text.index("签署日期")]
    assert "草稿，未签发" in sign_off and "不具签署效力" in sign_off and "处待评价机构填写" in sign_off
    chem = report_text(context("demo-chem"))  # a draft only for its unconfirmed references
    sign_off = chem[:chem.index("签署日期")]
    assert "草稿，未签发" in sign_off and "项参考值未经原文核实" in sign_off
    assert "张华（高级工程师，虚构）" in sign_off  # reviewers read drafts with the names


def test_the_sign_off_page_of_a_finished_report_has_no_draft_note(tmp_path):
    from evalkit.catalog import load_catalog
    from evalkit.evaluation import evaluate
    from evalkit.intake import load_park
    from evalkit.report.context import ReportContext

    catalog = load_catalog(confirming_catalog(tmp_path))
    park = load_park("demo-chem", ROOT / "params")
    ctx = ReportContext(evaluate(park, catalog, [2021, 2022, 2023]), catalog, park.input,
                        evidence_dir=park.evidence_dir)
    text = report_text(ctx)
    assert "草稿，未签发" not in text and "待评价机构填写" not in text


def test_the_footer_says_what_is_missing():
    assert draft.footer_text(3) == f"{draft.DRAFT_MARK}（3 项参考值未经原文核实，见评价方法说明）"
    assert draft.footer_text(0, unfilled=9) == "草稿 · 9 处待评价机构填写（见评价方法说明）"
    # Each count next to its own item: the bracket after the unfilled places must not hold the references.
    assert draft.footer_text(3, unfilled=9) == f"{draft.DRAFT_MARK}（3 项）· 9 处待评价机构填写（均见评价方法说明）"


def test_pdf_pages_are_numbered_alike_with_and_without_a_draft_mark(tmp_path):
    plain = (ROOT / "report_template" / "typst-header.typ").read_text("utf-8")
    marked = draft.marked_template(ROOT / "report_template", tmp_path, 0, unfilled=2)
    marked_typ = (marked / "typst-header.typ").read_text("utf-8")
    footers = re.findall(r"#set page\(footer: .*", plain)
    assert len(footers) == 1 and draft.PAGE_NUMBER in footers[0]  # without the mark: 第 X 页 共 Y 页
    last = re.findall(r"#set page\(footer: .*", marked_typ)[-1]  # the last set rule wins
    assert draft.PAGE_NUMBER in last and "2 处待评价机构填写" in last


def render_final(tmp_path, params, park, capsys) -> tuple[int, str]:
    """`evalkit render --final` of `park` with every reference confirmed: exit code and stderr."""
    code = main(["render", "--park", park, "--years", "2021-2023", "--params-dir", str(params),
                 "--catalog", str(confirming_catalog(tmp_path / "catalog")), "--output-dir", str(tmp_path / "out"),
                 "--to", "html", "--final"])
    return code, capsys.readouterr().err


def test_render_final_refuses_a_report_with_placeholders(tmp_path, chem_raw, write_params, capsys):
    del chem_raw["report"]["date"]
    chem_raw["report"]["scope"]["notes"] = []
    code, err = render_final(tmp_path, write_params(chem_raw, "unfinished"), "unfinished", capsys)
    assert code == 2 and "Traceback" not in err
    assert "report.date" in err and "report.scope.notes" in err and "封面 · 报告日期" in err
    assert not (tmp_path / "out").exists()


def test_every_pdf_page_of_an_unfinished_report_says_so_and_final_is_refused(tmp_path):
    from pypdf import PdfReader

    from evalkit import carbon
    from evalkit.catalog import default_catalog_path, referenced_files
    from evalkit.render import RenderError, render_report

    catalog = default_catalog_path()
    arguments = dict(input_path=ROOT / "params" / "demo-gatefail.yaml", catalog_path=catalog,
                     catalog_files=referenced_files(catalog), factor_paths=[carbon.DEFAULT_TABLE],
                     formats=["pdf"], engine="pandoc", progress=lambda _: None)
    outcome = render_report("demo-gatefail", [2021, 2022, 2023], output_dir=tmp_path / "draft", **arguments)
    pages = PdfReader(outcome.files["pdf"]).pages
    for n, page in enumerate(pages, 1):
        text = "".join(page.extract_text().split())
        assert "草稿·9处待评价机构填写" in text and f"第{n}页共{len(pages)}页" in text, n
    with pytest.raises(RenderError) as refused:
        render_report("demo-gatefail", [2021, 2022, 2023], output_dir=tmp_path / "final",
                      options={"final": True}, **arguments)
    assert refused.value.stage == "final" and "report.scope.geographic" in str(refused.value)
    assert not (tmp_path / "final" / "demo-gatefail").exists() or not any((tmp_path / "final").rglob("report.*"))


def test_render_final_refuses_assessor_text_that_the_results_contradict(tmp_path, chem_raw, write_params, capsys):
    chem_raw["report"]["conclusion"] = "经评价，园区绩效指数为 85.90 分，评价等级为 AA级。"
    params = write_params(chem_raw, "contradicted")
    code, err = render_final(tmp_path, params, "contradicted", capsys)
    assert code == 2 and "Traceback" not in err
    assert "report.conclusion" in err and "85.90" in err and "AA级" in err
    assert main(["score", "--park", "contradicted", "--years", "2021-2023", "--params-dir", str(params), "--json"]) == 0
    index = json.loads(capsys.readouterr().out)["index"]
    assert f"{index:.2f}" in err  # the computed index it contradicts
    assert not (tmp_path / "out").exists()
    # the pipeline refuses it too (render_report called directly, after the notebook has run)
    from evalkit import carbon
    from evalkit.catalog import referenced_files
    from evalkit.render import RenderError, render_report

    catalog = confirming_catalog(tmp_path / "catalog")
    with pytest.raises(RenderError) as refused:
        render_report("contradicted", [2021, 2022, 2023], input_path=params / "contradicted.yaml",
                      catalog_path=catalog, catalog_files=referenced_files(catalog),
                      factor_paths=[carbon.DEFAULT_TABLE], formats=["html"], engine="pandoc",
                      output_dir=tmp_path / "api", options={"final": True}, progress=lambda _: None)
    assert refused.value.stage == "final" and "report.conclusion" in str(refused.value)
    assert not any((tmp_path / "api").rglob("report.*"))
