"""Execution, rendering engines, template assets and the CJK chart helper.

One real render (pandoc engine, all three formats) is shared by the read-back tests.
"""

from __future__ import annotations

import io
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

from evalkit.render import (
    FORMATS, TEMPLATE_DIR, NotebookError, RenderError, get_engine, render_report,
)
from evalkit.render import execute as execute_module
from evalkit.render.pandoc import prepare_notebook

PARK_NAME = "测试园区"
PARK_YAML = f"""\
profile:
  name_zh: {PARK_NAME}
data:
  industrial_value_added:
    unit: 亿元
    source: 统计年鉴
    values: {{2020: 100, 2021: 110, 2022: 120, 2023: 130}}
  so2:
    unit: t
    source: 排污许可执行报告
    values: {{2021: 10, 2022: 9}}
"""


def write_inputs(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    park = directory / "demo.yaml"
    park.write_text(PARK_YAML, encoding="utf-8")
    catalog = directory / "catalog.yaml"
    catalog.write_text("indicators: []\n", encoding="utf-8")
    return park, catalog


def copy_template(tmp_path: Path) -> Path:
    target = tmp_path / "template"
    shutil.copytree(TEMPLATE_DIR, target)
    return target


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One report of the placeholder template, rendered by pandoc into html, docx and pdf."""
    root = tmp_path_factory.mktemp("render")
    park, catalog = write_inputs(root / "params")
    lines: list[str] = []
    outcome = render_report("demo", [2021, 2022, 2023], input_path=park, catalog_path=catalog,
                            output_dir=root / "outputs", engine="pandoc", command=["evalkit", "render"],
                            progress=lines.append)
    return outcome, lines


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def docx_xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as docx:
        return docx.read(part).decode("utf-8")


def visible_text(html: str) -> str:
    body = html[html.index("<body"):]
    return re.sub(r"<[^>]+>", "", body)


# --- the pandoc engine, read back -------------------------------------------------------------------

def test_html_is_one_self_contained_file_with_chinese_text_and_chart(rendered):
    outcome, _ = rendered
    html = outcome.files["html"].read_text("utf-8")
    text = visible_text(html)
    assert PARK_NAME in text and "评价参数" in text and "数据覆盖情况" in text
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html)  # chart embedded, not linked
    assert not re.search(r'(src|href)="(?!data:|#)', html)  # nothing outside the file
    assert 'lang="zh-CN"' in html
    assert "import matplotlib" not in html and "write_results" not in html  # code hidden
    assert "<pre" not in html  # not even as empty code blocks


def test_docx_has_chinese_text_chart_and_chinese_styles(rendered):
    outcome, _ = rendered
    document = docx_xml(outcome.files["docx"])
    assert PARK_NAME in document and "版本说明" in document
    assert "import" not in document
    with zipfile.ZipFile(outcome.files["docx"]) as docx:
        assert any(name.startswith("word/media/") for name in docx.namelist())
    styles = docx_xml(outcome.files["docx"], "word/styles.xml")
    assert 'w:eastAsia="Noto Serif CJK SC"' in styles


def test_pdf_has_chinese_text_in_an_embedded_cjk_font(rendered):
    outcome, _ = rendered
    text = pdf_text(outcome.files["pdf"])
    assert PARK_NAME in text and "产业园区减污降碳协同增效绩效评价报告" in text
    assert "import" not in text
    fonts = {str(font.get_object()["/BaseFont"])
             for page in PdfReader(outcome.files["pdf"]).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("CJK" in font for font in fonts), fonts


def test_colophon_and_manifest_name_the_engine(rendered):
    outcome, _ = rendered
    manifest = yaml.safe_load(outcome.files["manifest"].read_text("utf-8"))
    assert manifest["engine"]["name"] == "pandoc" and "pandoc" in manifest["engine"]["versions"]
    for fmt in FORMATS:
        text = {"html": lambda p: visible_text(p.read_text("utf-8")), "docx": docx_xml, "pdf": pdf_text}[fmt](
            outcome.files[fmt])
        assert "渲染引擎" in text and "pandoc" in text, fmt


def test_progress_prints_one_timed_line_per_stage(rendered):
    _, lines = rendered
    timed = [line for line in lines if re.fullmatch(r"\[evalkit\] \w+ +\d+\.\d s", line)]
    assert [line.split()[1] for line in timed] == ["execute", "html", "docx", "pdf", "archive"]


# --- execution -------------------------------------------------------------------------------------

def test_failing_cell_names_the_cell_and_the_error(tmp_path):
    template = copy_template(tmp_path)
    nb = nbformat.read(template / "report.ipynb", as_version=4)
    nb.cells.insert(3, new_code_cell("ratio = 1 / 0"))
    nbformat.write(nb, template / "report.ipynb")
    park, catalog = write_inputs(tmp_path / "params")

    with pytest.raises(NotebookError) as caught:
        render_report("demo", [2021, 2022, 2023], input_path=park, catalog_path=catalog,
                      output_dir=tmp_path / "outputs", formats=["html"], engine="pandoc",
                      template_dir=template, progress=lambda _: None)
    error = caught.value
    assert error.stage == "execute" and error.ename == "ZeroDivisionError"
    assert "ratio = 1 / 0" in str(error) and "division by zero" in str(error)
    assert f"cell {error.cell_index}" in str(error) and "at Cell In[" in str(error)
    assert "ZeroDivisionError" in error.traceback and "\x1b[" not in error.traceback
    assert not (tmp_path / "outputs" / "demo" / "2021-2023").exists()
    assert list((tmp_path / "outputs" / "demo").iterdir()) == []  # no staging left behind


def test_notebook_must_write_results(tmp_path):
    template = copy_template(tmp_path)
    nb = nbformat.read(template / "report.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if "write_results(" not in c.source]
    nbformat.write(nb, template / "report.ipynb")
    park, catalog = write_inputs(tmp_path / "params")
    with pytest.raises(RenderError, match="did not write results.json") as caught:
        render_report("demo", [2021, 2022, 2023], input_path=park, catalog_path=catalog,
                      output_dir=tmp_path / "outputs", formats=["html"], engine="pandoc",
                      template_dir=template, progress=lambda _: None)
    assert caught.value.stage == "execute"


def test_template_must_declare_every_parameter(tmp_path):
    template = copy_template(tmp_path)
    nb = nbformat.read(template / "report.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace('results_path = "results.json"', "")
    nbformat.write(nb, template / "report.ipynb")
    park, catalog = write_inputs(tmp_path / "params")
    with pytest.raises(RenderError, match="does not declare results_path"):
        render_report("demo", [2021, 2022, 2023], input_path=park, catalog_path=catalog,
                      output_dir=tmp_path / "outputs", formats=["html"], engine="pandoc",
                      template_dir=template, progress=lambda _: None)


def test_kernel_of_another_interpreter_is_refused(monkeypatch):
    class Spec:
        argv = ["/opt/other/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]

    monkeypatch.setattr(execute_module.KernelSpecManager, "get_kernel_spec", lambda self, name: Spec())
    with pytest.raises(RenderError, match="runs /opt/other/bin/python, not this Python"):
        execute_module.check_kernel()


def test_default_kernel_is_this_interpreter():
    execute_module.check_kernel()  # raises if python3 would start another Python


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
    assert [o.get("name") or next(iter(o.data)) for o in code.outputs] == ["stdout", "text/markdown", "text/html"]

    docx_nb, _ = prepare_notebook(nbformat.from_dict(nb), "docx")
    assert [next(iter(o.data)) for o in docx_nb.cells[0].outputs if "data" in o] == ["text/markdown", "text/plain"]


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
# Stands in for quarto: checks how evalkit calls it, writes the notebook's last cell as output.
import json, pathlib, sys
args = sys.argv[1:]
if args == ["--version"]:
    print("1.7.0")
    sys.exit(0)
assert args[:2] == ["render", "report.ipynb"] and "--no-execute" in args, args
assert pathlib.Path("_quarto.yml").is_file() and pathlib.Path("reference.docx").is_file()
fmt = args[args.index("--to") + 1]
cells = json.loads(pathlib.Path("report.ipynb").read_text("utf-8"))["cells"]
ext = {{"typst": "pdf"}}.get(fmt, fmt)
pathlib.Path("report." + ext).write_text("".join(cells[-1]["source"]), "utf-8")
"""


def test_quarto_engine_wiring_with_a_stand_in(tmp_path, monkeypatch):
    """How the quarto engine drives `quarto render`; real Quarto is tested below when installed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    fake.write_text(FAKE_QUARTO.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    park, catalog = write_inputs(tmp_path / "params")

    outcome = render_report("demo", [2021, 2022, 2023], input_path=park, catalog_path=catalog,
                            output_dir=tmp_path / "outputs", engine="auto", formats=["html", "pdf"],
                            progress=lambda _: None)
    assert outcome.engine == "quarto"
    colophon = outcome.files["html"].read_text("utf-8")
    assert "版本说明" in colophon and "quarto 1.7.0" in colophon
    assert outcome.files["pdf"].is_file()
    manifest = yaml.safe_load(outcome.files["manifest"].read_text("utf-8"))
    assert manifest["engine"] == {"name": "quarto", "versions": {"quarto": "1.7.0"}}


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not installed")
def test_quarto_renders_all_formats_without_executing(tmp_path):
    park, catalog = write_inputs(tmp_path / "params")
    outcome = render_report("demo", [2021, 2022, 2023], input_path=park, catalog_path=catalog,
                            output_dir=tmp_path / "outputs", engine="quarto", progress=lambda _: None)
    html = outcome.files["html"].read_text("utf-8")
    assert PARK_NAME in visible_text(html) and "import matplotlib" not in html
    assert PARK_NAME in docx_xml(outcome.files["docx"])
    assert PARK_NAME in pdf_text(outcome.files["pdf"])
    assert "quarto" in visible_text(html)
    # The archived notebook is papermill's: Quarto did not run it again.
    nb = nbformat.read(outcome.files["notebook"], as_version=4)
    assert "papermill" in nb.metadata


# --- template assets -------------------------------------------------------------------------------

def test_quarto_project_renders_the_executed_notebook_as_is():
    config = yaml.safe_load((TEMPLATE_DIR / "_quarto.yml").read_text("utf-8"))
    assert config["execute"] == {"enabled": False, "echo": False, "warning": False}
    formats = config["format"]
    assert formats["html"]["embed-resources"] is True
    assert "CJK" in formats["typst"]["mainfont"]
    for referenced in (formats["docx"]["reference-doc"], formats["html"]["css"],
                       formats["typst"]["include-in-header"]):
        assert (TEMPLATE_DIR / referenced).is_file(), referenced


def test_reference_docx_sets_chinese_fonts_and_is_rebuilt_identically(tmp_path):
    styles = docx_xml(TEMPLATE_DIR / "reference.docx", "word/styles.xml")
    assert "eastAsiaTheme" not in styles  # a theme font would override the explicit one
    defaults = styles[styles.index("<w:docDefaults"):styles.index("</w:docDefaults>")]
    assert 'w:eastAsia="Noto Serif CJK SC"' in defaults
    heading = re.search(r'w:styleId="Heading1".*?</w:style>', styles, re.S).group(0)
    assert 'w:eastAsia="Noto Sans CJK SC"' in heading

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

    from evalkit.charts import use_cjk_font

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

    from evalkit.charts import CJKFontMissing, use_cjk_font

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    with pytest.raises(CJKFontMissing, match="fonts-noto-cjk"):
        use_cjk_font()
