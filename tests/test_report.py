"""The report's chapters from a Result and the park file, without rendering: wording, placeholders for
the assessor's text, self-evaluation, evidence citations, numbers (issue 11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evalkit import carbon
from evalkit.catalog import load_catalog
from evalkit.evaluation import evaluate
from evalkit.intake import load_park
from evalkit.intake.validate import validate_park
from evalkit.report import chapters
from evalkit.report.context import ReportContext
from evalkit.report.numbers import number
from evalkit.report.sections import PLACEHOLDER, Figure
from evalkit.report.unfilled import unfilled_fields

PARAMS = Path(__file__).resolve().parents[1] / "params"
YEARS = [2021, 2022, 2023]
CATALOG = load_catalog()
FACTORS = carbon.load_factors()


def context(park_id: str, edit=None) -> ReportContext:
    park = load_park(park_id, PARAMS)
    if edit:
        edit(park.input)
    result = evaluate(park, CATALOG, YEARS, factors=FACTORS)
    return ReportContext(result, CATALOG, park.input, evidence_dir=park.evidence_dir)


def markdown_blocks(ctx: ReportContext) -> list[str]:
    """The report's Markdown blocks, figures as their captions (and closed)."""
    import matplotlib.pyplot as plt

    parts = []
    for block in chapters.blocks(ctx):
        if isinstance(block, Figure):
            plt.close(block.figure)
            parts.append(f"图 {block.caption}")
        else:
            parts.append(str(block))
    return parts


def report_text(ctx: ReportContext) -> str:
    """The report's Markdown with evalkit's escapes resolved."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", "\n\n".join(markdown_blocks(ctx)))


@pytest.fixture(scope="module")
def texts():
    return {park: report_text(context(park))
            for park in ("demo-chem", "demo-hitech", "demo-heavy", "demo-gatefail", "demo-sparse", "demo-textile")}


def test_every_park_gets_every_chapter(texts):
    for park, text in texts.items():
        for heading in filter(None, chapters.headings()):
            assert f"# {heading}" in text, (park, heading)


def test_a_failed_basic_requirement_is_stated_as_the_finding(texts):
    text = texts["demo-gatefail"]
    finding = "2022年6月18日，园区一家医药中间体企业储罐泄漏，物料经雨水管网进入南溪河"
    assert f"不满足：{finding}" in text  # the summary
    assert f"经核查，{finding}" in text  # the basic-requirements chapter
    assert "发生了较大及以上突发环境事件" not in text  # the requirement is not restated as the finding
    assert "不满足：评价期内未发生" not in text and "不达标：评价期内未发生" not in text


def test_changes_are_said_without_double_negatives(texts):
    text = texts["demo-heavy"]
    assert re.search(r"碳排放强度上升 \d+\.\d\d%", text)
    assert "未下降" not in text and "下降率 -" not in text and "削减率 -" not in text


def test_redistributed_weights_say_so_next_to_the_maximum(texts):
    text = texts["demo-hitech"]  # I28, I29, I34 not applicable: 路径协同 weights redistributed
    block = text[text.index("### I26 "):text.index("### I27 ")]
    assert "权重按比例调整后的满分" in block and "公布权重 0.01" in block
    assert "权重按比例调整后的满分" not in texts["demo-chem"]


def test_the_assessors_text_comes_from_the_park_file_or_is_marked_missing(texts):
    chem, heavy = texts["demo-chem"], texts["demo-heavy"]
    raw = load_park("demo-chem", PARAMS).input.report
    for value in (raw.report_no, raw.client, raw.conclusion, raw.project_lead, raw.reviewer, raw.sign_date,
                  *raw.recommendations, *raw.scope.notes):
        assert value in chem, value
    assert PLACEHOLDER not in chem
    assert heavy.count(PLACEHOLDER) >= 6  # conclusion, recommendations, sign-off names, procedure, date


def test_an_edit_of_the_report_section_lands_in_the_report():
    def edit(park):
        park.report.conclusion = "经核查，园区整体表现良好（修改后的结论）。"
    assert "经核查，园区整体表现良好（修改后的结论）。" in report_text(context("demo-chem", edit))


def test_self_evaluation_stands_next_to_the_third_party_figures(texts):
    ctx = context("demo-chem")
    own, result = ctx.park.report.self_evaluation, ctx.result
    text = texts["demo-chem"]
    assert f"| 绩效指数 | {own.index:.2f} | {result.index:.2f} | {result.index - own.index:.2f} |" in text
    third = result.yearly[2023].index
    assert f"| 2023年年度指数 | {own.yearly_index[2023]:.2f} | {third:.2f} | {third - own.yearly_index[2023]:.2f} |" in text
    assert "园区自评价" not in texts["demo-heavy"]


def test_gate_items_data_rows_and_levels_cite_evidence_ids(texts):
    text = texts["demo-chem"]
    assert re.search(r"^\| 1 \| 园区地理边界.+ \| 满足 \| B01 \|", text, re.M)
    assert re.search(r"^\| 工业增加值 \| 亿元 \| 300 \| 330 \| 360 \| 395 \| D01 \|$", text, re.M)
    assert re.search(r"^\| I19 \| 土地规划合理利用水平 \| 2023 \| A（优） \| Q03 \| 2\.00 \|$", text, re.M)
    register = text[text.index("# 附录A"):]
    assert re.search(r"^\| B01 \| .+ \| B01\.txt [0-9a-f]{16} \|$", register, re.M)


def test_numbers_never_use_scientific_notation():
    assert number(3.0303e-05, 4) == "0.0000303"
    assert number(0.021519, 3) == "0.0215"
    assert number(2134217.4582, 2) == "2,134,217.46"
    assert number(-23.456, 2) == "−23.46" and number(32.0, 2) == "32"  # the minus sign, not a hyphen


def test_overall_evaluation_shows_pollutant_intensities_in_kg_per_10k_yuan_and_solid_waste_once(texts):
    text = texts["demo-chem"]
    headings = [h for h in chapters.headings() if h]
    start = next(h for h in headings if h.endswith("、整体评价"))
    overall = text[text.index(f"# {start}"):text.index(f"# {headings[headings.index(start) + 1]}")]
    assert re.search(r"^\| 氮氧化物 \| kg/万元 \| 0\.\d{3} \| 0\.\d{3} \| 下降", overall, re.M)
    assert len(re.findall(r"^\| 工业固体废物 \|", overall, re.M)) == 1
    assert not re.search(r"\de-\d", text)


def test_a_missing_evidence_file_is_a_validate_warning(tmp_path):
    import shutil
    shutil.copy(PARAMS / "demo-chem.yaml", tmp_path / "demo-chem.yaml")
    shutil.copytree(PARAMS / "evidence" / "demo-chem", tmp_path / "evidence" / "demo-chem")
    (tmp_path / "evidence" / "demo-chem" / "D05.txt").unlink()
    problems = validate_park("demo-chem", tmp_path, CATALOG, YEARS, FACTORS).items
    assert [(p.field, p.value, p.severity) for p in problems] == [("evidence.13.file", "D05.txt", "warning")]


def test_an_unregistered_evidence_id_is_an_error(tmp_path):
    import shutil
    text = (PARAMS / "demo-chem.yaml").read_text("utf-8").replace("evidence_ids: [D05]", "evidence_ids: [X99]", 1)
    (tmp_path / "demo-chem.yaml").write_text(text, "utf-8")
    shutil.copytree(PARAMS / "evidence" / "demo-chem", tmp_path / "evidence" / "demo-chem")
    problems = validate_park("demo-chem", tmp_path, CATALOG, YEARS, FACTORS).items
    assert [(p.field, p.value, p.severity) for p in problems] == [("data.nox.evidence_ids", "X99", "error")]


PROGRAMMER_TEXT = re.compile(r"[a-z]+_[a-z_]+|prev\(|round_half_up|DIGEST|\bNone\b|\{\}|\breference\b|\bfloor\b"
                             r"|qualitative\.|\bdata\.|\benergy\.|\d[eE][-+]?\d|@\d{4}"
                             r"|--[a-z]+|evalkit (?:render|verify|score|validate|sign|gaps)\b|由 ?evalkit|可由 ?evalkit")


def test_no_programmer_text_before_the_appendices_for_any_park(texts):
    first_appendix = next(h for h in chapters.headings() if h.startswith("附录"))
    for park, text in texts.items():
        body = text[:text.index(f"# {first_appendix}")]
        body = re.sub(r"```\{=\w+\}.*?```", "", body, flags=re.S)  # raw page breaks and contents fields
        for field in unfilled_fields(load_park(park, PARAMS).input):  # the park-file fields the assessor fills in
            body = body.replace(f"| {field.field} |", "")
        assert not PROGRAMMER_TEXT.findall(body), (park, PROGRAMMER_TEXT.findall(body)[:8])


PAYLOAD = "<script>alert(1)</script> ```{=typst}\n#pagebreak()\n``` [链接](http://example.com) ![图](/etc/passwd) $x^2$ **粗**"


def test_the_assessors_text_and_the_register_are_shown_as_text():
    """Every new free-text field of the park file (report section, evidence register) is escaped."""
    from evalkit.intake.models import Activity, EvidenceItem, SelfEvaluation

    def edit(park):
        r = park.report
        for field in ("report_no", "client", "assessor", "date", "conclusion", "project_lead", "reviewer",
                      "approver", "sign_date"):
            setattr(r, field, PAYLOAD)
        r.recommendations, r.basis_extra = [PAYLOAD], [PAYLOAD]
        r.scope.geographic = r.scope.statistical = PAYLOAD
        r.scope.notes = [PAYLOAD]
        r.procedure = [Activity(activity=PAYLOAD, dates=PAYLOAD, by=PAYLOAD, content=PAYLOAD)]
        r.self_evaluation = SelfEvaluation(source=PAYLOAD, grade=PAYLOAD)
        park.evidence.append(EvidenceItem(id="X01", title=PAYLOAD, issuer=PAYLOAD, doc_no=PAYLOAD, date=PAYLOAD,
                                          verified_by=PAYLOAD, note=PAYLOAD))
    plain = "".join(markdown_blocks(context("demo-chem")))
    hostile = "".join(markdown_blocks(context("demo-chem", edit)))
    assert hostile.count("```{=") == plain.count("```{=")  # no raw block from user text
    assert "<script>" not in hostile and "](http" not in hostile and "![" not in hostile
    assert "\\<script\\>" in hostile  # shown literally


def test_the_lua_filter_lets_through_exactly_the_reports_layout_blocks():
    from evalkit.report.layout import RAW_BLOCKS
    lua = (Path(__file__).resolve().parents[1] / "report_template" / "pandoc" / "notebook.lua").read_text("utf-8")
    allowed = re.findall(r'\{"(\w+)", \[==\[(.*?)\]==\]\}', lua, re.S)
    assert sorted(allowed) == sorted(block for blocks in RAW_BLOCKS.values() for block in blocks)
    emitted = set()
    for block in markdown_blocks(context("demo-chem")):
        emitted |= set(re.findall(r"```\{=(\w+)\}\n(.*?)\n```", block, re.S))
    assert emitted and emitted <= set(allowed)


def test_word_sets_the_tables_marked_small_in_small_type_and_drops_the_markers():
    from evalkit.render.docx import small_tables
    from evalkit.report.layout import RAW_BLOCKS

    small, normal = (dict(RAW_BLOCKS[name])["openxml"] for name in ("small_tables", "normal_tables"))
    cell = '<w:tc><w:p><w:pPr><w:pStyle w:val="Compact" /><w:jc w:val="left" /></w:pPr>{}</w:p></w:tc>'
    tbl = ('<w:tbl><w:tr>' + cell.format('<w:r><w:t>83.56 (1.91)</w:t></w:r>')
           + cell.format('<w:r><w:rPr><w:rFonts w:hint="eastAsia" /></w:rPr><w:t>空气</w:t></w:r>') + '</w:tr></w:tbl>')
    finished = small_tables(f"<w:body>{tbl}{small}{tbl}{normal}{tbl}</w:body>")
    before, marked, after = re.findall(r"<w:tbl>.*?</w:tbl>", finished, re.S)
    assert before == after == tbl  # only the marked table changes
    assert marked.count('<w:sz w:val="15"/>') == 2 and marked.count('w:after="0"') == 2
    assert '<w:rFonts w:hint="eastAsia" /><w:sz w:val="15"/>' in marked  # schema order: rFonts before sz
    assert "EvalkitSmallTables" not in finished and "EvalkitNormalTables" not in finished


def test_a_coverage_chart_only_where_coverage_is_incomplete(texts):
    assert "图 数据覆盖率" not in texts["demo-chem"]  # 100 % everywhere: the table says it all
    assert "图 数据覆盖率" in texts["demo-sparse"]


def test_each_chapter_heading_once_and_the_history_under_its_own_heading(texts):
    for park, text in texts.items():
        headings = re.findall(r"^#+ .+$", text, re.M)
        repeated = {h for h in headings if headings.count(h) > 1 and not re.match(r"^#+ (I|B)\d\d ", h)}
        assert not repeated, (park, repeated)
    park = load_park("demo-textile", PARAMS)  # its data go back to 2019: an earlier window
    ctx = ReportContext(evaluate(park, CATALOG, YEARS, factors=FACTORS), CATALOG, park.input, loaded=park,
                        factors=FACTORS)
    textile = report_text(ctx)
    assert textile.count("历年变化") == 1 and "\n## 历年变化\n" in f"\n{textile}\n"


def test_the_non_fossil_computations_show_each_formula_and_source_once(texts):
    appendix = texts["demo-chem"][texts["demo-chem"].index("# 附录B"):]
    for title in ("非化石能源消费量", "一次能源消费量（发电煤耗法）", "非化石能源占比"):
        assert appendix.count(f"**{title}**：") == 1, title
    lines = re.findall(r"^\| 202[123] \| G = .+；C_nf = .+\|$", appendix, re.M)
    assert len(lines) == 3  # one substituted line a year
    ctx = context("demo-chem")
    source = next(i["source"] for c in (yr.carbon for yr in ctx.result.yearly.values())
                  for i in c["traces"]["nonfossil_tce"]["inputs"] if i["symbol"] == "b")
    assert appendix.count(source) == 2  # once in each of the two computations that use it, not once a year


@pytest.mark.parametrize("park_id", ["demo-sparse", "demo-textile"])
def test_the_newer_demo_parks_cite_synthetic_evidence_for_every_row_they_answer(park_id):
    ctx = context(park_id)
    park = ctx.park
    register = {item.id: item for item in park.evidence}
    cited = [i for s in park.all_series().values() for i in s.evidence_ids] + [
        i for answer in park.basic_requirements.values() if answer.met is True for i in answer.evidence_ids]
    assert all(s.evidence_ids for s in park.all_series().values())
    assert cited and set(cited) <= set(register)
    assert all(ctx.evidence.attached(i) for i in register)  # every registered file is there, hashed
    folder = PARAMS / "evidence" / park_id
    assert all("SYNTHETIC" in (folder / item.file).read_text("utf-8") for item in register.values())
    assert park.report.report_no and park.report.conclusion


def test_base_data_lists_the_years_the_evaluation_uses_and_names_the_others():
    from evalkit.report import sections

    park = load_park("demo-textile", PARAMS)  # data 2019–2024
    ctx = ReportContext(evaluate(park, CATALOG, YEARS, factors=FACTORS), CATALOG, park.input, loaded=park)
    text = "\n".join(sections.base_data(ctx))
    header = next(line for line in text.splitlines() if line.startswith("| 数据项"))
    assert header.count("年 |") == 4 and "2020年" in header and "2023年" in header
    assert "2019年" not in header and "2024年" not in header
    assert "园区数据文件另有2019、2024年的数据，本次评价不使用" in text
    # with an earlier base year, that year is used and listed
    ctx = ReportContext(evaluate(park, CATALOG, YEARS, factors=FACTORS, base_year=2019), CATALOG, park.input,
                        loaded=park)
    text = "\n".join(sections.base_data(ctx))
    assert "2019年" in next(line for line in text.splitlines() if line.startswith("| 数据项"))
    assert "另有2024年的数据" in text


def test_a_basic_requirement_contradicted_by_the_data_is_never_shown_as_met(texts):
    text = texts["demo-heavy"]
    assert "全部基本要求均满足" not in text and "| 基本要求 | 全部满足" not in text
    # the gate item shows the answer and the data against it
    assert re.search(r"\| 园区环境质量满足所在功能区环境质量标准要求 \| \*\*待核实\*\* \|[^\n]*园区答复满足；数据核对："
                     r"PM2\.5年均浓度：2021年 45、2022年 44、2023年 44 µg/m³（应为 ≤ 35 µg/m³）", text)
    # the cover and the summary count it as needing verification
    assert "| 基本要求 | 尚未确认（1项园区答复满足但与园区数据不一致，待核实） |" in text
    assert "1项基本要求园区答复满足，但与园区数据不一致，须评价机构核实" in text
    assert "| 需补充的资料 | 1项基本要求待评价机构核实（清单见" in text  # no "0项…" beside it
    # demo-gatefail: failed on its incident, and its environmental-quality answer is flagged too
    assert "此外，1项基本要求园区答复满足，但与园区数据不一致" in texts["demo-gatefail"]
    # an item the assessor reconciled stays met, with the data and the explanation beside it
    assert "评价机构核实说明：2019—2021年未达标的1个断面为南湖河入境断面" in texts["demo-textile"]


def test_not_rated_reasons_list_every_blocker(texts):
    text = texts["demo-heavy"]
    reasons = next(line for line in text.splitlines() if line.startswith("| 不予定级的原因 |"))
    for part in ("（1）1项基本要求", "（2）整体评价为负向", "（3）绩效指数 52.89 低于最低等级门槛 60 分",
                 "（4）目标层 效果协同（14.56/35 分，41.6%）"):
        assert part in reasons
    glance = next(line for line in text.splitlines() if line.startswith("| 评价结论 |"))
    assert "指数低于最低等级门槛" in glance and "目标层得分未达满分值的50%" in glance


def test_deferred_with_too_little_data_leads_with_the_deferral_and_labels_every_result_chapter(texts):
    text = texts["demo-sparse"]
    glance = next(line for line in text.splitlines() if line.startswith("| 评价结论 |"))
    assert glance.startswith("| 评价结论 | **评价暂缓，暂不定级**（基本要求尚未确认满足；数据覆盖不足")
    assert "不予定级**" not in glance
    # the promise of the basic-requirements chapter is kept: each result chapter carries the label
    assert "各部分的指标得分与指数因数据覆盖亦不足，均标为参考值，不作定级依据；补证并确认满足、补齐数据使覆盖率达到最低要求后方可定级" in text
    assert text.count("> **参考值**：数据覆盖不足，本部分的指标得分") == 3
    heavy = texts["demo-heavy"]
    assert "各部分的指标得分与指数均标为暂定结果；上述事项仍须核实，但因整体评价为负向" in heavy
    assert heavy.count("> **暂定结果**：基本要求尚未确认满足") == 3
    assert "> **暂定结果**" not in texts["demo-chem"] and "> **参考值**" not in texts["demo-chem"]


def test_a_park_not_rated_anyway_is_never_promised_a_grade_for_verifying_an_item(texts):
    """Review 2, item 2: demo-heavy's overall evaluation is negative; its item to verify still needs
    verifying, but no text may say a grade follows, nor call the park 评价暂缓."""
    text = texts["demo-heavy"]
    assert "方可定级" not in text and "方可作为定级依据" not in text
    rows = [line for line in text.splitlines()
            if line.startswith(("| 评价结论 |", "| 基本要求 |", "| 基本要求评价 |", "| 不予定级的原因 |"))
            and not line.startswith("| 基本要求 | 园区答复 |")]  # the header of the list of items to verify
    assert len(rows) == 4 and not any("评价暂缓" in row for row in rows)
    assert "| 基本要求评价 | 尚未确认，1项基本要求园区答复满足，但与园区数据不一致，须评价机构核实" in text
    assert ("须评价机构核实；因整体评价为负向（实测数据显示上升），即使核实并确认满足，本次评价仍不予定级"
            in next(row for row in rows if row.startswith("| 不予定级的原因 |")))
    assert "上述事项仍须核实，但因整体评价为负向（实测数据显示上升），确认满足也不能使园区在本次评价中获得等级" in text
    assert text.count("本次评价不予定级，补证或核实的结果不改变这一结论") == 3  # each result chapter's label
    # a deferred park keeps both: 评价暂缓 and the grade once the items are settled
    assert "| 基本要求 | 尚未确认，评价暂缓（4项待补证） |" in texts["demo-sparse"]


def test_the_cover_points_to_a_list_that_holds_the_items_to_verify(texts):
    """Review 2, item 3: "需补充的资料" points to “数据缺口与资料补充”; that section lists the items to
    verify (what contradicts what, what the assessor does), even when no data are missing."""
    def section(text: str) -> str:
        return re.split(r"\n#{1,2} ", text.split("## 数据缺口与资料补充")[1])[0]

    for park, data in (("demo-heavy", "PM2.5年均浓度：2021年 45、2022年 44、2023年 44 µg/m³（应为 ≤ 35 µg/m³）"),
                       ("demo-gatefail", "PM2.5年均浓度：2021年 36、2022年 36 µg/m³（应为 ≤ 35 µg/m³）")):
        text = texts[park]
        assert "1项基本要求待评价机构核实（清单见“数据缺口与资料补充”）" in text
        listed = section(text)
        assert "评价期内无数据缺口" in listed and "待评价机构核实的基本要求" in listed
        assert "| 园区环境质量满足所在功能区环境质量标准要求 | 满足 | " + data in listed
        assert "核实说明" in listed and "改为不满足" in listed
    listed = section(texts["demo-sparse"])
    assert "待补证的基本要求" in listed and "待评价机构核实" not in listed


def test_the_method_note_on_basic_requirements_names_each_label_the_result_chapters_carry(texts):
    """Review 2, item 12: 暂定结果 while the gate is pending, 参考值 when coverage is too low."""
    note = next(d.text_zh for d in CATALOG.decisions if d.id == "D8")
    for park in ("demo-heavy", "demo-sparse"):
        label = re.search(r"^> \*\*(暂定结果|参考值)\*\*：", texts[park], re.M).group(1)
        assert label in note, (park, label)


def test_carbon_chapter_of_a_park_failing_the_gate_says_why_nothing_was_accounted(texts):
    text = texts["demo-gatefail"]
    assert "园区未提供能源消费数据" not in text
    assert "基本要求不满足，按标准6.1.2不开展绩效指标评价，本报告未据能源消费数据核算碳排放" in text


def test_base_data_shows_accounted_carbon_in_the_catalogs_display_unit_so_it_fits_its_column():
    from evalkit.report import sections
    from evalkit.report.sections import carbon_years

    ctx = context("demo-heavy")  # some 19 million t CO2 a year
    text = re.sub(r"\\(.)", r"\1", "\n".join(sections.base_data(ctx)))
    row = next(line for line in text.splitlines() if line.startswith("| 二氧化碳排放总量"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    total = carbon_years(ctx.result)[2021]["total_t"]
    assert cells[1] == "万t" and number(total / 10000, 4) in cells
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| 数据项"):
            years = [c.strip() for c in line.strip("|").split("|")][2:-1]
            assert all(len(c.split(" [注")[0]) <= 11 for c in years), line


@pytest.mark.parametrize("park_id", ["demo-sparse", "demo-heavy"])
def test_the_index_charts_legend_hides_no_bar_and_no_value_label(park_id):
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from evalkit.report import charts

    ctx = context(park_id)
    fig = charts.index_chart(ctx.result, {b.grade: b.min for b in CATALOG.grading.bands})
    try:
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent(renderer)
        labels = [t for t in ax.texts if re.fullmatch(r"\d+\.\d\d", t.get_text())]
        assert len(labels) == len(ctx.result.yearly)
        for artist in [*labels, *ax.patches]:
            assert not legend.overlaps(artist.get_window_extent(renderer)), artist
        assert fig.bbox.contains(legend.x0, legend.y0) and fig.bbox.contains(legend.x1, legend.y1)
    finally:
        plt.close(fig)


def test_the_basic_requirements_and_procedure_tables_stay_whole_with_their_text():
    from evalkit.report import sections
    from evalkit.report.layout import END_KEEP, KEEP_TOGETHER

    ctx = context("demo-chem")
    blocks = str(sections.gate(ctx)).split("\n\n")
    assert blocks[0] == KEEP_TOGETHER and blocks[-1] == END_KEEP
    assert any(b.startswith("| 序号 | 基本要求") for b in blocks) and "经核查，全部基本要求均满足" in blocks[-2]
    blocks = list(sections.procedure(ctx))  # the work-procedure table with its note
    assert blocks[0] == KEEP_TOGETHER and blocks[-1] == END_KEEP and "证明材料共" in blocks[-2]


def test_an_indicator_without_data_in_any_year_is_one_line_of_a_gap_table(texts):
    from evalkit.report.sections import per_year

    ctx = context("demo-sparse")
    by_code = {i.code: list(per_year(ctx.result, i.code).values()) for i in CATALOG.indicators}
    no_data = [code for code, rs in by_code.items()
               if CATALOG.indicator(code).kind == "quantitative" and all(r.status == "missing" for r in rs)]
    partly = [code for code, rs in by_code.items() if CATALOG.indicator(code).kind == "quantitative"
              and any(r.status == "missing" for r in rs) and code not in no_data]
    assert len(no_data) >= 5
    text = texts["demo-sparse"]
    computations = text[text.index("绩效指标计算\n"):text.index("目标层得分、加分项与绩效指数\n")]
    for code in no_data:
        assert f"### {code} " not in computations
        [row] = [line for line in computations.splitlines() if line.startswith(f"| {code} |")]
        assert "年）" in row and "—2023年）" in row and row.rstrip(" |").endswith("0.00"), row
    for code in partly:
        assert f"### {code} " in computations
    assert computations.count("以下定量指标评价期内各年均缺少数据") == len(
        {CATALOG.indicator(code).target_level for code in no_data})


def test_score_means_points_and_the_0_to_1_value_is_the_score_rate(texts):
    for park in ("demo-heavy", "demo-chem"):
        text = texts[park]
        assert not re.search(r"得分 [01]\.\d", text), park  # "得分 0.508" read as points
        assert "| 年份 | 计算过程 | 指标值 | 得分率 s | 得分点数 |" in text
    assert re.search(r"得分率 \d+\.\d%", texts["demo-heavy"])  # the advice's figure


def test_cover_summary_and_body_name_the_basic_requirements_outcome_alike(texts):
    text = texts["demo-chem"]
    assert "| 基本要求 | 全部满足 |" in text and "全部基本要求均满足" in text
    assert "达标 |" not in text
    # demo-heavy's environmental-quality answer is contradicted by its data: not 全部满足 (gate.py decision)
    assert "| 基本要求 | 尚未确认（1项园区答复满足但与园区数据不一致，待核实） |" in texts["demo-heavy"]
    text = texts["demo-gatefail"]
    assert "| 基本要求 | 不满足（1项不满足；1项园区答复满足但与园区数据不一致，待核实） |" in text
    assert "基本要求不满足" in text and "基本要求不达标" not in text


def test_the_formula_line_names_the_formula_the_years_were_computed_with(texts):
    ctx = context("demo-sparse")
    from evalkit.report.sections import per_year

    used = {r.variant for r in per_year(ctx.result, "I14").values() if r.status == "ok"}
    assert used == {"信访投诉减少率"}  # the alternative the indicator's name offers
    text = texts["demo-sparse"]
    start = text.index("### I14 ")
    block = text[start:text.index("\n#", start + 1)]
    formula = next(line for line in block.splitlines() if line.startswith("**公式**"))
    assert "信访投诉" in formula and "满意度（问卷调查）" not in formula
    assert "替代口径" not in block


def test_levels_without_data_show_as_a_data_gap_not_as_weak(texts):
    """demo-sparse: no first-level or target level reads 0.0 % because its data are missing."""
    from evalkit.report import charts

    sparse = texts["demo-sparse"]
    table = sparse[sparse.index("各一级指标得分（计入指数各年的平均值）"):]
    table = table[:table.index("图 各一级指标得分率")]
    assert "| 效果协同 | 污染物排放 | 0.00 | 12.00 | 缺数据 | 0% |" in table
    assert "| 管理协同 | 管理协同度 | 8.50 | 20.00 | 85.0% | 50% |" in table
    assert "0.0%" not in table and "不代表表现差" in table
    assert "图 各一级指标得分率（有实际数据部分" in sparse
    rule = next(line for line in sparse.splitlines() if "目标层50%规则" in line)
    assert "管理协同 8.50/20分（有数据部分得分率 85.0%，数据覆盖 50%）" in rule
    assert "（42.5%）" not in rule and "（26.5%）" not in rule
    # the chart: no bar where nothing has data, the text 缺数据 instead; partial data hatched
    ctx = context("demo-sparse")
    fig = charts.first_level_chart(ctx.result)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    bars = {round(p.get_y() + p.get_height() / 2): p for p in ax.patches}
    missing = [n for n, label in enumerate(labels) if label.startswith(("污染物排放", "碳排放", "扩绿"))]
    assert len(missing) == 3 and not any(n in bars for n in missing)
    assert sum(t.get_text().startswith("缺数据") for t in ax.texts) == 6
    management = labels.index("管理协同度（管理协同）")
    assert bars[management].get_width() == pytest.approx(85) and bars[management].get_hatch()
    assert any(t.get_text() == "85.0%（数据覆盖 50%）" for t in ax.texts)


def test_complete_data_keep_the_plain_score_rate(texts):
    chem = texts["demo-chem"]
    assert "| 目标层 | 一级指标 | 平均得分 | 满分 | 得分率 |" in chem and "得分率（有数据部分）" not in chem
    rule = next(line for line in chem.splitlines() if "目标层50%规则" in line)
    assert "有数据部分" not in rule and "数据覆盖" not in rule


APPENDIX_PROGRAMMER_TEXT = re.compile(r"[a-z]+_[a-z_]+|\benergy\.|\bdata\.|\[\d{4}|\{\}|\bNone\b|由 ?evalkit ?核算|区间文件")


def test_the_appendices_speak_chinese_outside_the_symbols_table():
    """Trace notes name data items in Chinese (not nonfossil_tce, energy.electricity_purchased), the run
    parameters are Chinese labels and values (not [2021, 2022, 2023], None, {}); only 符号对照 shows symbols."""
    park = load_park("demo-chem", PARAMS)
    result = evaluate(park, CATALOG, YEARS, factors=FACTORS)
    ctx = ReportContext(result, CATALOG, park.input, evidence_dir=park.evidence_dir,
                        files={"园区数据文件": str(park.path)},
                        parameters={"park": "demo-chem", "years": YEARS, "base_year": None, "options": {}})
    text = report_text(ctx)
    appendices = [h for h in chapters.headings() if h.startswith("附录")]
    start, symbols = text.index(f"# {appendices[0]}"), text.index("### 符号对照")
    shown = text[start:symbols] + text[text.index(f"# {appendices[2]}"):]
    assert "见非化石能源消费量的计算" in shown and "由外购电力" in shown
    assert not APPENDIX_PROGRAMMER_TEXT.findall(shown), APPENDIX_PROGRAMMER_TEXT.findall(shown)[:8]
    assert "| 评价窗口 | 2021—2023年 |" in shown and "| 运行选项 | 无（默认设置） |" in shown
    assert "| 整体评价基准年 | 未指定（按园区数据文件的基准年，未填写时取评价窗口首年，本次为2021年） |" in shown


def test_trace_sources_in_the_results_name_data_items_not_symbols():
    from evalkit.archive import write_results

    for park_id in ("demo-chem", "demo-heavy"):
        ctx = context(park_id)
        sources: list[str] = []

        def walk(node, key=None):
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, k)
            elif isinstance(node, list):
                for v in node:
                    walk(v, key)
            elif key == "source" and isinstance(node, str):
                sources.append(node)
        import json
        import tempfile
        with tempfile.TemporaryDirectory() as folder:
            write_results(ctx.result, Path(folder) / "results.json")
            walk(json.loads((Path(folder) / "results.json").read_text("utf-8")))
        computed = [s for s in sources if s.startswith(("见", "由"))]
        assert computed and not [s for s in computed if re.search(r"[a-z]+_[a-z_]+|\benergy\.", s)], park_id


def test_every_evidence_count_in_the_report_is_the_registers(texts):
    for park, text in texts.items():
        registered = len(load_park(park, PARAMS).input.evidence)
        counts = re.findall(r"证明材料[^。，\n|]{0,8}?(\d+)\s*份", text)
        assert counts and set(counts) == {str(registered)}, (park, counts)


def register_rows(text: str) -> dict[str, list[str]]:
    register = text[text.index("| 编号 | 证明材料（出具单位，文号，日期）"):]
    register = register[:register.index("\n\n")]
    return {cells[0]: cells[1:] for line in register.splitlines()[2:]
            for cells in [[c.strip() for c in line.strip("|").split(" | ")]]}


def test_the_evidence_register_shows_16_hex_digits_as_its_header_says(texts):
    text = texts["demo-chem"]
    assert "SHA-256 摘要（前16位）" in text
    digests = [re.fullmatch(r"\S+ ([0-9a-f]+)", row[-1]).group(1) for row in register_rows(text).values()]
    assert digests and {len(d) for d in digests} == {16}


def test_the_register_does_not_repeat_what_the_title_names():
    from evalkit.intake.models import EvidenceItem

    def edit(park):
        park.evidence += [EvidenceItem(id="X01", title="绿色电力交易凭证（省电力交易中心）", issuer="省电力交易中心",
                                       date="2024-01-05"),
                          EvidenceItem(id="X02", title="审查意见（示范环审〔2020〕3号）", doc_no="示范环审〔2020〕3号",
                                       issuer="示范市生态环境局"),
                          EvidenceItem(id="X03", title="监测年报", verified_by="评价组 王敏；评价组 李强；评价组 王敏")]
    rows = register_rows(report_text(context("demo-chem", edit)))
    assert rows["X01"][0] == "绿色电力交易凭证（省电力交易中心）（2024-01-05）"
    assert rows["X02"][0] == "审查意见（示范环审〔2020〕3号）（示范市生态环境局）"
    assert rows["X03"][2] == "评价组 王敏；评价组 李强"
    assert rows["D30"][0].count("省电力交易中心") == 1


def test_the_demo_registers_name_each_person_once_per_item():
    for path in PARAMS.glob("demo-*.yaml"):
        for item in load_park(path.stem, PARAMS).input.evidence:
            names = re.split(r"[；、]", re.sub(r"评价组 |（虚构）", "", item.verified_by or ""))
            assert len(names) == len(set(names)), (path.name, item.id, item.verified_by)
