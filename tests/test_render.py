"""Execution, rendering engines, template assets and the CJK chart helper.

The tests render the real report of the demo park `params/demo-chem.yaml` with the default
catalog and carbon factor table. One real render (pandoc engine, all three formats) is shared by
the read-back tests; other renders make html only. Tests that need a broken notebook copy the
template into tmp_path and change the copy.
"""

from __future__ import annotations

import base64
import html as html_lib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from pypdf import PdfReader

from evalkit import carbon
from evalkit.archive import results_json
from evalkit.catalog import default_catalog_path, referenced_files
from evalkit.cli import main
from evalkit.evaluation import evaluate
from evalkit.intake import LoadedPark, read_park_file
from evalkit.report import chapters
from evalkit.report.sections import GRADE_ZH
from evalkit.render import (
    FORMATS, TEMPLATE_DIR, NotebookError, RenderError, get_engine, render_report,
)
from evalkit.render import execute as execute_module
from evalkit.render.pandoc import prepare_notebook

ROOT = Path(__file__).resolve().parents[1]
PARK_ID = "demo-chem"
PARK_FILE = ROOT / "params" / f"{PARK_ID}.yaml"
PARK_NAME = "东海湾化工园区"  # profile.name_zh is 东海湾化工园区（合成示范数据）
YEARS = [2021, 2022, 2023]
CATALOG = default_catalog_path()
AIR_SOURCE = "园区空气自动监测站年报"  # demo-chem.yaml: source of good_air_days, valid_air_days, pm25


def real_inputs(park: Path = PARK_FILE) -> dict:
    """The inputs `evalkit render --park demo-chem` passes: park file, default catalog with its
    checklist, default carbon factor table."""
    return {"input_path": park, "catalog_path": CATALOG, "catalog_files": referenced_files(CATALOG),
            "factor_paths": [carbon.DEFAULT_TABLE]}


def render_html(output_dir: Path, **kwargs):
    """A quick render of the demo park: html only, pandoc, quiet."""
    kwargs = {**real_inputs(), "formats": ["html"], "engine": "pandoc", "progress": lambda _: None} | kwargs
    return render_report(PARK_ID, YEARS, output_dir=output_dir, **kwargs)


def copy_template(tmp_path: Path) -> Path:
    target = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, target)
    return target


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The demo park's report, rendered by pandoc into html, docx and pdf."""
    root = tmp_path_factory.mktemp("render")
    lines: list[str] = []
    outcome = render_report(PARK_ID, YEARS, **real_inputs(), output_dir=root / "outputs", engine="pandoc",
                            command=["evalkit", "render"], progress=lines.append)
    return outcome, lines


@pytest.fixture(scope="module")
def read_back(rendered):
    """The text of each rendered format, extracted once (the PDF takes seconds)."""
    outcome, _ = rendered
    return {"html": visible_text(outcome.files["html"].read_text("utf-8")),
            "docx": docx_text(outcome.files["docx"]),
            "pdf": pdf_text(outcome.files["pdf"])}


@pytest.fixture(scope="module")
def archived_results(rendered):
    outcome, _ = rendered
    return json.loads(outcome.files["results"].read_text("utf-8"))


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def squeeze(text: str) -> str:
    """Text without whitespace: Typst spaces Latin from CJK and breaks lines inside table cells."""
    return "".join(text.split())


def docx_xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as docx:
        return docx.read(part).decode("utf-8")


def docx_text(path: Path) -> str:
    """The document's text runs, joined (a phrase may be split over several runs)."""
    runs = re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", docx_xml(path))
    return html_lib.unescape("".join(runs))


def visible_text(html: str) -> str:
    body = html[html.index("<body"):]
    return html_lib.unescape(re.sub(r"<[^>]+>", "", body))


def markdown_outputs(nb) -> list[str]:
    return [unescape(output.data["text/markdown"]) for cell in nb.cells if cell.cell_type == "code"
            for output in cell.outputs if "text/markdown" in output.get("data", {})]


def unescape(markdown: str) -> str:
    """The Markdown with its backslash escapes resolved (user text is escaped by evalkit.report.markup)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def png_outputs(nb) -> int:
    return sum("image/png" in output.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
               for output in cell.outputs)


# --- executing the real report -------------------------------------------------------------------

def test_executed_notebook_runs_every_cell_with_the_archived_inputs(rendered):
    outcome, _ = rendered
    nb = nbformat.read(outcome.files["notebook"], as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert nb.metadata.papermill.parameters == {
        "park": PARK_ID, "years": YEARS, "input_path": f"inputs/park/{PARK_FILE.name}",
        "catalog_path": f"inputs/catalog/{CATALOG.name}", "factor_paths": ["inputs/factors/carbon_factors.yaml"],
        "base_year": None, "options": {}, "results_path": "results.json",
    }


def test_results_json_is_the_evaluation_of_the_demo_park(rendered, catalog, factors):
    outcome, _ = rendered
    park = LoadedPark(id=PARK_ID, path=PARK_FILE, input=read_park_file(PARK_FILE))
    expected = evaluate(park, catalog, YEARS, factors=factors)
    assert outcome.files["results"].read_text("utf-8") == results_json(expected)
    assert expected.grade in {"AAA", "AA", "A"}  # the demo park is rated, so the report shows every section


def test_notebook_output_holds_every_indicators_computation(rendered, catalog):
    """Each quantitative indicator of I01…I41 has its own block (formula in words, one computed row per
    year); each qualitative indicator's level of each year cites the evidence ids of the park file; every
    input of the park file is in the base-data table once, with its source or evidence ids."""
    outputs = markdown_outputs(nbformat.read(rendered[0].files["notebook"], as_version=4))
    text = "\n".join(outputs)
    raw = yaml.safe_load(PARK_FILE.read_text("utf-8"))
    assert [i.code for i in catalog.indicators] == [f"I{n:02d}" for n in range(1, 42)]
    for indicator in catalog.indicators:
        if indicator.kind == "qualitative":
            for year in YEARS:
                ids = "、".join(raw["qualitative"][indicator.code][year]["evidence_ids"])
                assert re.search(rf"^\| {indicator.code} \| [^|]+ \| {year} \| [^|]+ \| {ids} \|", text, re.M), \
                    (indicator.code, year)
            continue
        blocks = [t for t in outputs if f"### {indicator.code} {indicator.name_zh}\n" in t]
        assert len(blocks) == 1, indicator.code
        assert indicator.formula_zh in blocks[0], indicator.code
        assert [int(y) for y in re.findall(r"^\| (\d{4}) \|", blocks[0], re.M)] == YEARS, indicator.code
        assert indicator.formula not in blocks[0] or re.fullmatch(r"\w+", indicator.formula), indicator.code
    [base] = [t for t in outputs if t.startswith("| 数据项 | 单位 |")]
    names = {symbol: spec.name_zh for symbol, spec in catalog.inputs.items()}
    for symbol, series in raw["data"].items():
        rows = re.findall(rf"^\| {re.escape(names[symbol])} \| .+ \| ([^|]+) \|$", base, re.M)
        assert len(rows) == 1, symbol
        assert "、".join(series["evidence_ids"]) in rows[0], symbol
    assert AIR_SOURCE in "\n".join(outputs)  # in the evidence register


def energy_sources() -> dict[str, str]:
    """Source of every energy series of demo-chem.yaml, by field."""
    energy = yaml.safe_load(PARK_FILE.read_text("utf-8"))["energy"]
    found = {f"fuels.{key}": series["source"] for key, series in energy["fuels"].items()}
    found |= {key: series["source"] for key, series in energy.items()
              if isinstance(series, dict) and "source" in series}
    return found


def test_notebook_output_shows_the_energy_data_sources(rendered):
    """The carbon accounting lists each energy figure with its source."""
    outcome, _ = rendered
    text = "\n".join(markdown_outputs(nbformat.read(outcome.files["notebook"], as_version=4)))
    sources = energy_sources()
    assert len(sources) >= 6
    for field, source in sources.items():
        assert source in text, (field, source)


# --- the pandoc engine, read back -------------------------------------------------------------------

def test_every_format_shows_park_grade_and_a_data_source(read_back, archived_results):
    grade = f"评价等级：{GRADE_ZH[archived_results['grade']]}"
    assert archived_results["grade"] in {"AAA", "AA", "A"}
    texts = read_back | {"pdf": squeeze(read_back["pdf"])}
    for fmt, text in texts.items():
        assert PARK_NAME in text and archived_results["park_name"] in text, fmt
        assert grade in text, fmt
        assert AIR_SOURCE in text, fmt
        for heading in filter(None, chapters.headings()):
            assert squeeze(heading) in squeeze(text), (fmt, heading)


def test_html_is_one_self_contained_file_with_every_chart(rendered):
    outcome, _ = rendered
    html = outcome.files["html"].read_text("utf-8")
    charts = png_outputs(nbformat.read(outcome.files["notebook"], as_version=4))
    assert charts >= 4  # index, first-level indicators, carbon, lost points
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', html)) == charts  # embedded, not linked
    assert not re.search(r'(src|href)="(?!data:|#)', html)  # nothing outside the file
    assert 'lang="zh-CN"' in html
    assert "import matplotlib" not in html and "write_results" not in html  # code hidden
    assert "<pre" not in html  # not even as empty code blocks


def test_docx_has_every_chart_and_chinese_styles(rendered, read_back):
    outcome, _ = rendered
    charts = png_outputs(nbformat.read(outcome.files["notebook"], as_version=4))
    text = read_back["docx"]
    assert "版本说明" in text
    assert "import" not in text and "display(" not in text
    with zipfile.ZipFile(outcome.files["docx"]) as docx:
        assert len([name for name in docx.namelist() if name.startswith("word/media/")]) == charts
    styles = docx_xml(outcome.files["docx"], "word/styles.xml")
    assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="黑体"' in styles  # 正文宋体, 标题黑体
    fonts = docx_xml(outcome.files["docx"], "word/fontTable.xml")
    assert 'w:val="Noto Serif CJK SC"' in fonts and 'w:val="Noto Sans CJK SC"' in fonts  # the fallbacks


def test_pdf_has_chinese_text_in_an_embedded_cjk_font(rendered, read_back):
    outcome, _ = rendered
    text = read_back["pdf"]
    assert "产业园区减污降碳协同增效绩效评价报告" in text
    assert "import" not in text and "display(" not in text
    fonts = {str(font.get_object()["/BaseFont"])
             for page in PdfReader(outcome.files["pdf"]).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("CJK" in font for font in fonts), fonts


def body_text(text: str) -> str:
    """The report (whitespace removed) before its first appendix: the symbols appendix is the one place
    for code symbols. The last occurrence of the heading: the contents list it first."""
    text = squeeze(text)
    first_appendix = squeeze(next(h for h in chapters.headings() if h.startswith("附录")))
    return text[:text.rindex(first_appendix)]


CODE_TEXT = re.compile(r"prev\(|round_half_up|DIGEST|\bNone\b|\{\}|energy\.|data\.|\d[eE][-+]?\d")


def test_body_text_has_no_code_symbols_and_no_scientific_notation(read_back, catalog):
    symbols = [s for s in catalog.inputs if "_" in s or s in {"iva", "nox", "so2", "vocs", "cod", "nh3n", "pm25"}]
    symbol = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, symbols)) + r")(?![A-Za-z0-9_])")
    for fmt, text in read_back.items():
        body = body_text(text)
        assert "绩效指标计算" in body and "评价方法说明" in body, fmt
        assert not CODE_TEXT.findall(body), (fmt, CODE_TEXT.findall(body)[:5])
        assert not symbol.findall(body), (fmt, symbol.findall(body)[:5])
        # no "32 = 32": a number said to equal itself, not the end of a computation like "12 × 100 = 100"
        assert not re.search(r"(?<![\d.,×÷+*/(（−-])(\d[\d,.]*)=\1(?![\d.,])", body), fmt


def test_docx_is_an_a4_official_document_with_page_numbers_and_fields_updated_on_open(rendered):
    path = rendered[0].files["docx"]
    document = docx_xml(path)
    section = re.findall(r"<w:sectPr\b.*?</w:sectPr>", document, re.S)[-1]
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in section  # A4 portrait
    footer = docx_xml(path, "word/footer1.xml")
    assert re.search(r"第 .*PAGE.*页 共 .*NUMPAGES.*页", html_lib.unescape(re.sub(r"<[^>]+>", " ", footer)).replace("  ", " "))
    header = html_lib.unescape(re.sub(r"<[^>]+>", "", docx_xml(path, "word/header1.xml")))
    raw = yaml.safe_load(PARK_FILE.read_text("utf-8"))
    assert raw["report"]["report_no"] in header
    assert '<w:updateFields w:val="true"/>' in docx_xml(path, "word/settings.xml")
    assert 'TOC \\o "1-2"' in document  # contents of headings at two levels
    assert '<w:pStyle w:val="Heading1" />' in document or '<w:pStyle w:val="Heading1"/>' in document
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", document, re.S)
    assert tables and all('<w:tblLayout w:type="fixed"/>' in t for t in tables)


def test_every_base_data_row_of_the_html_cites_archived_evidence(rendered):
    outcome, _ = rendered
    html = outcome.files["html"].read_text("utf-8")
    manifest = json.loads(outcome.files["manifest"].read_text("utf-8"))
    register = {item["id"]: item for item in yaml.safe_load(PARK_FILE.read_text("utf-8"))["evidence"]}
    start = html.index("基础数据</h1>")
    table_html = html[start:html.index("</table>", start)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table_html, re.S)[1:]
    assert len(rows) >= 40
    for row in rows:
        cells = [html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        ids = re.findall(r"\b[A-Z]\d{2}\b", cells[-1])
        assert ids, cells
        for evidence_id in ids:
            archived = f"inputs/park/evidence/{PARK_ID}/{register[evidence_id]['file']}"
            assert (outcome.archive / archived).is_file(), archived
            assert any(i["path"] == archived for i in manifest["inputs"]), archived


def test_pdf_charts_are_at_least_200_dpi_and_fonts_are_simplified_chinese(rendered):
    outcome, _ = rendered
    reader = PdfReader(outcome.files["pdf"])
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"].get("/Font", {}).values()}
    cjk = [f for f in fonts if "CJK" in f]
    assert cjk and all("CJKsc" in f or "CJK SC" in f or "CJKSC" in f for f in cjk), fonts
    nb = nbformat.read(outcome.files["notebook"], as_version=4)
    from PIL import Image
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                import base64
                image = Image.open(io.BytesIO(base64.b64decode(output.data["image/png"])))
                assert image.info["dpi"][0] >= 199, image.info


def pdf_toc_text(path: Path) -> str:
    """The contents page of the PDF (after the cover and sign-off pages)."""
    pages = [squeeze(page.extract_text()) for page in PdfReader(path).pages]
    return next(text for text in pages if text.startswith("目录"))


def test_pdf_contents_list_chapters_and_target_levels_not_every_indicator(rendered):
    toc = pdf_toc_text(rendered[0].files["pdf"])
    computations = next(h for h in chapters.headings() if h.endswith("绩效指标计算"))
    assert computations in toc and "效果协同" in toc and "版本说明" in toc
    assert "I01" not in toc  # the 41 indicators (###) are below toc-depth


def test_colophon_and_manifest_name_the_engine(rendered, read_back):
    outcome, _ = rendered
    manifest = yaml.safe_load(outcome.files["manifest"].read_text("utf-8"))
    assert manifest["engine"]["name"] == "pandoc" and "pandoc" in manifest["engine"]["versions"]
    assert set(read_back) == set(FORMATS)
    for fmt, text in read_back.items():
        assert "渲染引擎" in text and "pandoc" in text, fmt


def test_progress_prints_one_timed_line_per_stage(rendered):
    _, lines = rendered
    timed = [line for line in lines if re.fullmatch(r"\[evalkit\] \w+ +\d+\.\d s", line)]
    assert [line.split()[1] for line in timed] == ["execute", "render", "archive"]


# --- the command line ------------------------------------------------------------------------------

def test_cli_renders_and_verifies_the_demo_park(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)  # --park demo-chem is read from params/
    code = main(["render", "--park", PARK_ID, "--years", "2021-2023", "--output-dir", str(tmp_path),
                 "--to", "html"])
    out, err = capsys.readouterr()
    assert code == 0, err
    archive = tmp_path / PARK_ID / "2021-2023"
    assert {p.name for p in archive.iterdir() if p.is_file()} == {
        "report.ipynb", "report.html", "results.json", "manifest.json"}
    assert f"report archived in {archive}" in out
    assert PARK_NAME in visible_text((archive / "report.html").read_text("utf-8"))

    code = main(["verify", str(archive)])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "reproduced exactly" in out


def test_cli_refuses_an_unknown_format_without_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = main(["render", "--park", PARK_ID, "--years", "2021-2023", "--output-dir", str(tmp_path),
                 "--to", "rtf"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out + err and "internal error" not in err
    assert "--to" in err and "rtf" in err and "html, docx, pdf" in err
    assert list(tmp_path.iterdir()) == []  # nothing executed, nothing written


# --- execution failures ----------------------------------------------------------------------------

def test_failing_cell_names_the_cell_and_the_error(tmp_path):
    template = copy_template(tmp_path)
    nb = nbformat.read(template / "report.ipynb", as_version=4)
    nb.cells.insert(3, new_code_cell("ratio = 1 / 0"))
    nbformat.write(nb, template / "report.ipynb")

    with pytest.raises(NotebookError) as caught:
        render_html(tmp_path / "outputs", template_dir=template)
    error = caught.value
    assert error.stage == "execute" and error.ename == "ZeroDivisionError"
    assert "ratio = 1 / 0" in str(error) and "division by zero" in str(error)
    assert f"cell {error.cell_index}" in str(error) and "at Cell In[" in str(error)
    assert "ZeroDivisionError" in error.traceback and "\x1b[" not in error.traceback
    assert not (tmp_path / "outputs" / PARK_ID / "2021-2023").exists()
    assert list((tmp_path / "outputs" / PARK_ID).iterdir()) == []  # no staging left behind


def test_notebook_must_write_results(tmp_path):
    template = copy_template(tmp_path)
    nb = nbformat.read(template / "report.ipynb", as_version=4)
    setup = next(c for c in nb.cells if "write_results(result, results_path)" in c.source)
    setup.source = setup.source.replace("write_results(result, results_path)", "")
    nbformat.write(nb, template / "report.ipynb")
    with pytest.raises(RenderError, match="did not write results.json") as caught:
        render_html(tmp_path / "outputs", template_dir=template)
    assert caught.value.stage == "execute"
    assert not (tmp_path / "outputs" / PARK_ID / "2021-2023").exists()


def test_template_must_declare_every_parameter(tmp_path):
    template = copy_template(tmp_path)
    nb = nbformat.read(template / "report.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert 'results_path = "results.json"' in params.source
    params.source = params.source.replace('results_path = "results.json"', "")
    nbformat.write(nb, template / "report.ipynb")
    with pytest.raises(RenderError, match="does not declare results_path"):
        render_html(tmp_path / "outputs", template_dir=template)


def test_kernel_of_another_interpreter_is_refused(monkeypatch):
    class Spec:
        argv = ["/opt/other/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]

    monkeypatch.setattr(execute_module.KernelSpecManager, "get_kernel_spec", lambda self, name: Spec())
    with pytest.raises(RenderError, match="runs /opt/other/bin/python, not this Python"):
        execute_module.check_kernel()


def test_default_kernel_is_this_interpreter():
    execute_module.check_kernel()  # raises if python3 would start another Python


@pytest.mark.parametrize("own_ipython_dir", [False, True])
def test_kernel_specs_are_looked_up_where_jupyter_looks(monkeypatch, tmp_path, own_ipython_dir):
    from jupyter_client.kernelspec import KernelSpecManager

    if own_ipython_dir:  # a kernel registered under IPYTHONDIR/kernels is found as Jupyter finds it
        spec = tmp_path / "ipython" / "kernels" / "extra"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps(
            {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
             "display_name": "extra", "language": "python"}))
        monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    else:
        monkeypatch.delenv("IPYTHONDIR", raising=False)
    ours = execute_module._kernel_specs()
    assert ours.kernel_dirs == KernelSpecManager().kernel_dirs
    assert ours.find_kernel_specs() == KernelSpecManager().find_kernel_specs()
    assert ("extra" in ours.find_kernel_specs()) == own_ipython_dir


def test_the_kernel_runs_in_the_run_folder_and_is_gone_after_a_failing_notebook(tmp_path):
    notebook = tmp_path / "template.ipynb"
    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                             new_code_cell("import os, pathlib; pathlib.Path('here.txt').write_text(os.getcwd())"),
                             new_code_cell("raise ValueError('broken on purpose')")])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebook)
    work = tmp_path / "run"
    work.mkdir()
    with pytest.raises(NotebookError, match="broken on purpose"):
        with execute_module.started_kernel(work) as kernel:
            process = kernel.provisioner.process
            execute_module.execute_notebook(notebook, work / "out.ipynb", {"x": 2}, kernel=kernel)
    assert (work / "here.txt").read_text() == str(work)
    assert process.poll() is not None  # ended, and reaped
    assert not kernel.has_kernel and all(not c.channels_running for c in kernel.clients)


# --- preparing the notebook for pandoc -------------------------------------------------------------

def test_prepare_notebook_hides_code_and_keeps_what_the_format_can_show():
    def display(data):
        return new_output("display_data", data=data)

    nb = new_notebook(cells=[
        new_raw_cell("---\ntitle: 标题\n---"),
        new_code_cell("print('x')", outputs=[
            new_output("stream", name="stdout", text="可见\n"),
            new_output("stream", name="stderr", text="UserWarning\n"),
            display({"text/markdown": "**表**", "text/plain": "<Markdown>"}),
            display({"text/html": "<b>h</b>", "text/plain": "plain"}),
        ]),
        new_code_cell("#| include: false\nsecret()", outputs=[display({"text/plain": "hidden"})]),
        new_code_cell("#| output: false\nquiet()", outputs=[display({"text/plain": "hidden"})]),
        new_code_cell("setup()"),
        new_markdown_cell("## 节"),
    ])
    html_nb, metadata = prepare_notebook(nbformat.from_dict(nb), "html")
    assert metadata["title"] == "标题" and metadata["lang"] == "zh-CN"
    assert [c.cell_type for c in html_nb.cells] == ["code", "markdown"]
    code = html_nb.cells[0]
    assert code.source == ""
    # HTML outputs are never shown raw, not even in report.html: their plain text stands in.
    assert [o.get("name") or next(iter(o.data)) for o in code.outputs] == ["stdout", "text/markdown", "text/plain"]

    docx_nb, _ = prepare_notebook(nbformat.from_dict(nb), "docx")
    assert [next(iter(o.data)) for o in docx_nb.cells[0].outputs if "data" in o] == ["text/markdown", "text/plain"]


def test_pandoc_reads_the_notebook_once_for_all_formats(rendered, tmp_path, monkeypatch):
    """One parse (Lua filter included) feeds every writer; Typst runs in a child process."""
    from evalkit.render import pandoc as pandoc_module
    from evalkit.render.engines import RenderJob

    outcome, _ = rendered
    seen: list[list[str]] = []
    real = pandoc_module._pandoc
    monkeypatch.setattr(pandoc_module, "_pandoc", lambda args, job, stage: seen.append(args) or real(args, job, stage))
    work = tmp_path / "work"
    work.mkdir()
    job = RenderJob(outcome.files["notebook"], {fmt: tmp_path / f"again.{fmt}" for fmt in FORMATS},
                    TEMPLATE_DIR, work, "# 版本说明")
    assert get_engine("pandoc").render(job) == []
    readers = [args[args.index("--from") + 1] for args in seen]
    assert readers.count("ipynb") == 1 and readers.count("json") == 3
    assert sum("notebook.lua" in " ".join(args) for args in seen) == 1
    assert all(path.stat().st_size > 10_000 for path in job.outputs.values())
    # The same report as the archived one, up to its colophon (this job's colophon is a stub).
    again, archived = (visible_text(path.read_text("utf-8")).rsplit("版本说明", 1)[0]
                       for path in (job.outputs["html"], outcome.files["html"]))
    assert again == archived and PARK_NAME in again


def test_formats_keeping_other_representations_read_their_own_document(tmp_path, monkeypatch):
    """Should a format keep another representation of an output, it gets its own parse: here Word
    is made to prefer plain text to the chart."""
    from evalkit.render import pandoc as pandoc_module
    from evalkit.render.engines import RenderJob

    monkeypatch.setitem(pandoc_module.MIME_PREFERENCE, "docx", ("text/markdown", "text/plain"))
    png = base64.b64encode(b"\x89PNG chart").decode()
    notebook = tmp_path / "executed.ipynb"
    nbformat.write(new_notebook(cells=[
        new_raw_cell("---\ntitle: 标题\n---"),
        new_code_cell("chart()", outputs=[new_output("display_data", data={
            "image/png": png, "text/plain": "图表的文字表示"})]),
    ]), notebook)
    work = tmp_path / "work"
    work.mkdir()
    job = RenderJob(notebook, {"html": tmp_path / "r.html", "docx": tmp_path / "r.docx"}, TEMPLATE_DIR,
                    work, "## 版本说明")
    get_engine("pandoc").render(job)
    assert sorted(p.name for p in work.glob("report-[0-9].json")) == ["report-0.json", "report-1.json"]
    html = job.outputs["html"].read_text("utf-8")
    assert f"data:image/png;base64,{png}" in html and "图表的文字表示" not in visible_text(html)
    assert "图表的文字表示" in docx_text(job.outputs["docx"])


def test_html_embeds_the_notebooks_charts_without_embed_resources(tmp_path):
    """Charts become data: URIs and the stylesheet is inline: one self-contained file."""
    from evalkit.render.engines import RenderJob

    png = base64.b64encode(b"\x89PNG chart").decode()
    chart = new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})
    notebook = tmp_path / "executed.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("chart()", outputs=[chart])]), notebook)
    work = tmp_path / "work"
    work.mkdir()
    job = RenderJob(notebook, {"html": tmp_path / "r.html"}, TEMPLATE_DIR, work, "# 版本说明")
    get_engine("pandoc").render(job)
    html = job.outputs["html"].read_text("utf-8")
    assert f'src="data:image/png;base64,{png}"' in html
    assert "border-collapse" in html and "<link" not in html  # report.css inline, not linked


def small_job(tmp_path: Path, template: Path = TEMPLATE_DIR, formats=("html", "pdf")):
    """A render job for a one-cell executed notebook (quick to write in every format)."""
    from evalkit.render.engines import RenderJob

    notebook = tmp_path / "executed.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("show()", outputs=[new_output(
        "display_data", data={"text/markdown": "园区**评价**结论", "text/plain": "<Markdown>"})])]), notebook)
    work = tmp_path / "work"
    work.mkdir()
    return RenderJob(notebook, {fmt: tmp_path / f"r.{fmt}" for fmt in formats}, template, work, "# 版本说明")


@pytest.fixture
def started(monkeypatch):
    """Every process started meanwhile (subprocess.run starts them through Popen too)."""
    processes: list[subprocess.Popen] = []

    class Recorded(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            processes.append(self)

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    return processes


def typst_workers(processes: list[subprocess.Popen]) -> list[subprocess.Popen]:
    return [p for p in processes if any(str(arg).endswith("typst_worker.py") for arg in p.args)]


def assert_all_ended(processes: list[subprocess.Popen]) -> None:
    """Every process has exited and been reaped: none left running, no zombie."""
    for process in processes:
        assert process.returncode is not None and not Path(f"/proc/{process.pid}").exists(), process.args


def test_pdf_uses_a_typst_worker_that_ends_with_the_render(tmp_path, started):
    job = small_job(tmp_path)
    assert get_engine("pandoc").render(job) == []
    assert "园区评价结论" in squeeze(pdf_text(job.outputs["pdf"]))
    assert len(typst_workers(started)) == 1
    assert_all_ended(started)


def test_a_failing_render_leaves_no_typst_worker(tmp_path, started):
    """The worker starts before pandoc reads the notebook; that read fails here (a broken Lua
    filter), and the worker, waiting for its .typ, is killed."""
    template = copy_template(tmp_path)
    (template / "pandoc" / "notebook.lua").write_text('error("broken filter")\n', encoding="utf-8")
    with pytest.raises(RenderError, match="broken filter") as caught:
        get_engine("pandoc").render(small_job(tmp_path, template))
    assert caught.value.stage == "render"
    assert len(typst_workers(started)) == 1
    assert_all_ended(started)


def test_typst_warnings_are_returned_with_the_format_and_tool(tmp_path):
    template = copy_template(tmp_path)
    with (template / "typst-header.typ").open("a", encoding="utf-8") as header:
        header.write('#text(font: "NoSuchFont")[x]\n')
    assert get_engine("pandoc").render(small_job(tmp_path, template)) == ["pdf: typst: unknown font family: nosuchfont"]


def test_a_typst_error_fails_the_pdf_with_typsts_message(tmp_path, started):
    template = copy_template(tmp_path)
    with (template / "typst-header.typ").open("a", encoding="utf-8") as header:
        header.write("#no-such-function()\n")
    with pytest.raises(RenderError, match="typst: unknown variable: no-such-function") as caught:
        get_engine("pandoc").render(small_job(tmp_path, template))
    assert caught.value.stage == "pdf"
    assert_all_ended(started)


def test_a_dead_typst_worker_fails_the_pdf_without_hanging(tmp_path, started, monkeypatch):
    class Killed(subprocess.Popen):  # recorded (see `started`); the worker dies as soon as started
        def __init__(self, args, **kwargs):
            super().__init__(args, **kwargs)
            if typst_workers([self]):
                self.kill()

    monkeypatch.setattr(subprocess, "Popen", Killed)
    with pytest.raises(RenderError, match=r"typst worker exited with -9") as caught:
        get_engine("pandoc").render(small_job(tmp_path))
    assert caught.value.stage == "pdf"
    assert_all_ended(started)


def test_pdf_without_a_cjk_font_names_the_fonts_to_install(tmp_path, monkeypatch, started):
    fonts_conf = tmp_path / "fonts.conf"  # fontconfig knowing no font at all
    fonts_conf.write_text('<?xml version="1.0"?><fontconfig></fontconfig>\n', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(fonts_conf))
    with pytest.raises(RenderError, match="no CJK font found for Typst .*fonts-noto-cjk") as caught:
        get_engine("pandoc").render(small_job(tmp_path))
    assert caught.value.stage == "pdf"
    assert_all_ended(started)


# --- engines ---------------------------------------------------------------------------------------

def test_auto_engine_is_quarto_only_when_installed(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert get_engine("auto").name == "pandoc"
    with pytest.raises(RenderError, match="engine 'quarto' is not installed"):
        get_engine("quarto")
    with pytest.raises(RenderError, match="unknown engine 'latex'"):
        get_engine("latex")
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    assert get_engine("auto").name == "quarto"


FAKE_QUARTO = """\
#!{python}
# Stands in for quarto {version}: logs each call, answers version queries as Quarto does, and for
# `render` checks how evalkit calls it, writes the notebook's last cell into each format's file and
# prints warnings the way real Quarto does (pandoc's `[WARNING]`, Quarto's coloured `WARN:`).
import json, os, pathlib, sys
args = sys.argv[1:]
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(json.dumps({{"args": args, "no_color": os.environ.get("NO_COLOR")}}) + "\\n")
if args == ["--version"]:
    print("{version}")
    sys.exit(0)
if args == ["pandoc", "--version"]:
    print("pandoc 3.6.3\\nFeatures: +server +lua")
    sys.exit(0)
if args == ["typst", "--version"]:
    print("typst 0.13.0 (8ad7de4e)")
    sys.exit(0)
assert args[:2] == ["render", "report.ipynb"] and "--no-execute" in args, args
assert pathlib.Path("_quarto.yml").is_file() and pathlib.Path("reference.docx").is_file()
cells = json.loads(pathlib.Path("report.ipynb").read_text("utf-8"))["cells"]
for fmt in args[args.index("--to") + 1].split(","):
    ext = {{"typst": "pdf"}}.get(fmt, fmt)
    pathlib.Path("report." + ext).write_text("".join(cells[-1]["source"]), "utf-8")
print("[WARNING] Div at report.ipynb line 12 column 1 unclosed", file=sys.stderr)
print("  at the end of the document", file=sys.stderr)
print("Output created: report.html", file=sys.stderr)
print("\\x1b[33mWARN: \\x1b[39mfont Noto Serif CJK SC not found in the project\\x1b[0m", file=sys.stderr)
"""


def install_fake_quarto(folder: Path, version: str) -> Path:
    """A stand-in `quarto` in `folder`, on PATH for the test; returns the log of its calls."""
    folder.mkdir(parents=True)
    log = folder / "calls.jsonl"
    fake = folder / "quarto"
    fake.write_text(FAKE_QUARTO.format(python=sys.executable, version=version, log=str(log)), encoding="utf-8")
    fake.chmod(0o755)
    return log


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text("utf-8").splitlines()]


def test_quarto_engine_wiring_with_a_stand_in(tmp_path, monkeypatch):
    """How the quarto engine drives `quarto render`; real Quarto is tested below when installed.

    Independent of test order: versions are cached per resolved `quarto` path, and this stand-in
    lives in its own temporary folder.
    """
    log = install_fake_quarto(tmp_path / "bin", "1.7.0")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")

    outcome = render_html(tmp_path / "outputs", engine="auto", formats=["html", "pdf"])
    assert outcome.engine == "quarto"
    colophon = outcome.files["html"].read_text("utf-8")
    # The Markdown source, escaped: quarto and the pandoc and typst it bundles.
    assert "版本说明" in colophon and r"quarto 1\.7\.0\, pandoc 3\.6\.3\, typst 0\.13\.0" in colophon
    assert outcome.files["pdf"].is_file()
    manifest = yaml.safe_load(outcome.files["manifest"].read_text("utf-8"))
    assert manifest["engine"] == {"name": "quarto",
                                  "versions": {"quarto": "1.7.0", "pandoc": "3.6.3", "typst": "0.13.0"}}
    renders = [c for c in calls(log) if c["args"][0] == "render"]
    assert len(renders) == 1 and renders[0]["args"][renders[0]["args"].index("--to") + 1] == "html,typst"
    assert all(c["no_color"] == "1" for c in calls(log))
    # Both warning forms reach the user, without colour codes; Quarto's other chatter does not.
    assert outcome.warnings == ["[WARNING] Div at report.ipynb line 12 column 1 unclosed at the end of the document",
                                "WARN: font Noto Serif CJK SC not found in the project"]


def test_quarto_versions_follow_the_quarto_on_path(tmp_path, monkeypatch):
    """Two installations in one process: each reports its own version, each is asked once."""
    from evalkit.render.quarto import QuartoEngine

    engine = QuartoEngine()
    seen = []
    for version in ("1.7.34", "1.10.18"):
        log = install_fake_quarto(tmp_path / version, version)
        monkeypatch.setenv("PATH", f"{tmp_path / version}{os.pathsep}{os.environ['PATH']}")
        seen.append(engine.versions()["quarto"])
        engine.versions()
        assert [c["args"] for c in calls(log)] == [["--version"], ["pandoc", "--version"], ["typst", "--version"]]
    assert seen == ["1.7.34", "1.10.18"]


def test_a_failing_quarto_render_names_the_call_and_shows_its_error(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    fake.write_text(f"#!{sys.executable}\nimport sys\n"
                    "if sys.argv[1:2] != ['render']:\n    print('1.7.0'); sys.exit(0)\n"
                    "print('\\x1b[31mERROR: typst compilation failed\\x1b[0m', file=sys.stderr)\nsys.exit(1)\n",
                    encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(RenderError) as caught:
        render_html(tmp_path / "outputs", engine="quarto", formats=["html", "pdf"])
    assert caught.value.stage == "render"
    assert "quarto render --to html,typst exited with 1" in str(caught.value)
    assert "ERROR: typst compilation failed" in str(caught.value) and "\x1b[" not in str(caught.value)
    assert not (tmp_path / "outputs" / PARK_ID / "2021-2023").exists()  # nothing half-made is archived


def test_cli_prints_quarto_warnings(tmp_path, monkeypatch, capsys):
    install_fake_quarto(tmp_path / "bin", "1.7.0")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(ROOT)
    code = main(["render", "--park", PARK_ID, "--years", "2021-2023", "--output-dir", str(tmp_path / "out"),
                 "--to", "html", "--engine", "quarto"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "[evalkit] warning: [WARNING] Div at report.ipynb line 12 column 1 unclosed" in err
    assert "[evalkit] warning: WARN: font Noto Serif CJK SC not found" in err
    assert "\x1b[" not in err


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not installed")
def test_quarto_renders_all_formats_without_executing(tmp_path):
    outcome = render_html(tmp_path / "outputs", engine="quarto", formats=list(FORMATS))
    results = json.loads(outcome.files["results"].read_text("utf-8"))
    grade = f"评价等级：{GRADE_ZH[results['grade']]}"
    html = outcome.files["html"].read_text("utf-8")
    assert "import matplotlib" not in html and "quarto" in visible_text(html)
    texts = {"html": visible_text(html), "docx": docx_text(outcome.files["docx"]),
             "pdf": squeeze(pdf_text(outcome.files["pdf"]))}
    for fmt, text in texts.items():
        assert PARK_NAME in text and grade in text and AIR_SOURCE in text, fmt
    # The archived notebook is papermill's: Quarto did not run it again.
    nb = nbformat.read(outcome.files["notebook"], as_version=4)
    assert "papermill" in nb.metadata
    # zh-Hans has pandoc translations; no "other formats" box; same TOC depth as the pandoc engine.
    assert not [w for w in outcome.warnings if "translation" in w], outcome.warnings
    assert 'href="report.docx"' not in html and 'href="report.pdf"' not in html
    toc = pdf_toc_text(outcome.files["pdf"])
    assert "效果协同" in toc and "I01" not in toc
    manifest = yaml.safe_load(outcome.files["manifest"].read_text("utf-8"))
    assert set(manifest["engine"]["versions"]) == {"quarto", "pandoc", "typst"}
    assert all(v != "unknown" for v in manifest["engine"]["versions"].values())


# --- template assets -------------------------------------------------------------------------------

def test_quarto_project_renders_the_executed_notebook_as_is():
    config = yaml.safe_load((TEMPLATE_DIR / "_quarto.yml").read_text("utf-8"))
    assert config["execute"] == {"enabled": False, "echo": False, "warning": False}
    assert config["lang"] == "zh-Hans"  # pandoc ships translations for zh-Hans, none for zh-CN
    formats = config["format"]
    assert formats["html"]["format-links"] is False  # no links to sibling formats --to html never writes
    # HTML gets Quarto's contents; Word and PDF carry the report's own contents page (a TOC field
    # and a Typst outline of chapters and target levels, evalkit.report.layout).
    assert formats["html"]["toc"] is True and formats["docx"]["toc"] is False and formats["typst"]["toc"] is False
    assert config["toc-depth"] == 2
    assert formats["html"]["embed-resources"] is True
    assert "CJK" in formats["typst"]["mainfont"]
    for referenced in (formats["docx"]["reference-doc"], formats["html"]["css"],
                       formats["typst"]["include-in-header"]):
        assert (TEMPLATE_DIR / referenced).is_file(), referenced


def test_reference_docx_sets_chinese_fonts_and_is_rebuilt_identically(tmp_path):
    styles = docx_xml(TEMPLATE_DIR / "reference.docx", "word/styles.xml")
    assert "eastAsiaTheme" not in styles  # a theme font would override the explicit one
    defaults = styles[styles.index("<w:docDefaults"):styles.index("</w:docDefaults>")]
    assert 'w:eastAsia="宋体"' in defaults
    heading = re.search(r'w:styleId="Heading1".*?</w:style>', styles, re.S).group(0)
    assert 'w:eastAsia="黑体"' in heading

    rebuilt = tmp_path / "reference.docx"
    subprocess.run([sys.executable, str(TEMPLATE_DIR / "build_reference_docx.py"), str(rebuilt)],
                   check=True, capture_output=True)
    assert rebuilt.read_bytes() == (TEMPLATE_DIR / "reference.docx").read_bytes()


def test_template_notebook_has_a_parameters_cell():
    nb = nbformat.read(TEMPLATE_DIR / "report.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("park", "years", "input_path", "catalog_path", "factor_paths", "base_year",
                 "options", "results_path"):
        assert re.search(rf"^{name} = ", tagged[0].source, re.M), name


# --- charts ----------------------------------------------------------------------------------------

def test_charts_draw_chinese_without_missing_glyphs():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evalkit.report.charts import use_cjk_font

    family = use_cjk_font()
    assert "CJK" in family or "Han" in family
    fig, ax = plt.subplots()
    ax.set_title("单位工业增加值二氧化碳排放量")
    ax.plot([-1, 1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_charts_fail_loudly_without_cjk_font(monkeypatch):
    from matplotlib import font_manager

    from evalkit.report.charts import CJKFontMissing, use_cjk_font

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    with pytest.raises(CJKFontMissing, match="fonts-noto-cjk"):
        use_cjk_font()
