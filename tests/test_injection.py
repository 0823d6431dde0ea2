"""User text is text in every format (issue 9, points 1 and 5): a park whose every text field —
profile, sources, evidence, notes, justifications, bonus names — holds an injection payload is
rendered once (html, docx, pdf). No payload may act: no live script, event handler, javascript:
link, embedded file or raw typst/OpenXML; each shows literally.
"""

from __future__ import annotations

import html as html_lib
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pytest
import yaml
from pypdf import PdfReader

from evalkit import carbon
from evalkit.catalog import default_catalog_path, referenced_files
from evalkit.render import render_report

ROOT = Path(__file__).resolve().parents[1]
CATALOG = default_catalog_path()
SECRET = "TOP-SECRET-FILE-CONTENT-4711"

# What the issue found live, and more of the same kinds. {secret} is a file the test writes.
PAYLOADS = [
    "东海湾<img src=x onerror=alert(2)>",
    "<script>alert('src')</script>",
    "[点此](javascript:alert(3))",
    "<style>body{{display:none}}</style>",
    "`<script>alert(4)</script>`{{=html}}",
    '<iframe src="file://{secret}"></iframe>',
    "![x]({secret})",
    "`#text(fill: red, size: 30pt)[评价等级：AAA]`{{=typst}}",
    "`<w:r><w:t>OPENXML-RUN</w:t></w:r>`{{=openxml}}",
    '`#read("{secret}")`{{=typst}}',
    "<a href=\"javascript:alert(5)\">链接</a>",
    "$\\alpha$ **粗体** [^1] @cite {{.class}}",
]
TEXT_KEYS = {"source", "evidence", "note", "justification", "name"}
PROFILE_TEXT = ["name_zh", "name_en", "province", "city", "park_type", "level", "management_body",
                "description", "assessor", "assessment_type"]


def _poison(node, payloads, counter):
    """Replace every text field under `node` with the next payload, in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str):
                node[key] = payloads[next(counter) % len(payloads)]
            else:
                _poison(value, payloads, counter)
    elif isinstance(node, list):
        for item in node:
            _poison(item, payloads, counter)


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory, _chem_raw, catalog):
    root = tmp_path_factory.mktemp("injection")
    secret = root / "secret.txt"
    secret.write_text(SECRET, "utf-8")
    payloads = [p.format(secret=secret) for p in PAYLOADS]
    raw = yaml.safe_load(yaml.safe_dump(_chem_raw))
    counter = iter(range(10**6))
    profile = raw["profile"]
    for n, key in enumerate(PROFILE_TEXT):
        profile[key] = payloads[n % len(payloads)]
    profile["main_industries"] = payloads[:3]
    raw["data"]["nox"]["values"][2022] = {"value": raw["data"]["nox"]["values"][2022],
                                         "source": "x", "note": "x"}
    raw["not_applicable"] = {"I33": {"justification": "x"}}
    reference = catalog.indicator("I01").scoring.reference.value
    raw["reference_overrides"] = {"I01": {"reference": reference, "justification": "x", "source": "x"}}
    _poison({k: v for k, v in raw.items() if k != "profile"}, payloads, counter)
    # identifiers the catalog defines (not free text): a payload there is refused as an input problem
    raw["not_applicable"]["I33"]["reason"] = "no_such_facility"
    for items in raw["bonus"].values():
        for item in items:
            item["rubric"] = "demonstration_project"
    park = root / "params" / "demo-chem.yaml"
    park.parent.mkdir()
    park.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    outcome = render_report("demo-chem", [2021, 2022, 2023], input_path=park, catalog_path=CATALOG,
                            catalog_files=referenced_files(CATALOG), factor_paths=[carbon.DEFAULT_TABLE],
                            output_dir=root / "outputs", engine="pandoc", progress=lambda _: None)
    return outcome, payloads


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_html_has_no_live_script_handler_link_or_embedded_file(poisoned):
    outcome, payloads = poisoned
    page = outcome.files["html"].read_text("utf-8")
    parser = _Elements()
    parser.feed(page)
    tags = parser.tags
    assert not [t for t, _ in tags if t in {"script", "iframe", "object", "embed", "base", "form"}]
    assert not [(t, a) for t, a in tags if any(name.startswith("on") for name in a)]
    urls = [v or "" for _, a in tags for k, v in a.items() if k in {"href", "src", "action", "formaction"}]
    assert not [u for u in urls if u.strip().lower().startswith(("javascript:", "file:", "vbscript:"))]
    # the 4 charts of the evaluation (index, first level, lost points, carbon; full coverage needs no
    # coverage chart) and the 2 of 等级的稳健性 (index distribution, Sobol indices)
    assert [u[:22] for u in urls if u.startswith("data:")] == ["data:image/png;base64,"] * 6
    imgs = [a.get("src", "") for t, a in tags if t == "img"]
    assert len(imgs) == 6 and all(src.startswith("data:image/png;base64,") for src in imgs)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.S)
    assert not any("display:none" in squeeze(style) for style in styles)
    assert SECRET not in page
    text = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", page[page.index("<body"):])).split())
    for payload in payloads:  # pandoc wraps long lines of the HTML source: compare words
        assert " ".join(payload.split()) in text, payload


def test_docx_holds_the_payloads_as_plain_text(poisoned):
    outcome, payloads = poisoned
    with zipfile.ZipFile(outcome.files["docx"]) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        assert len(media) == 6 and all(docx.read(n).startswith(b"\x89PNG") for n in media)
        assert not any(SECRET.encode() in docx.read(n) for n in docx.namelist())
    assert "<w:t>OPENXML-RUN</w:t>" not in xml
    runs = html_lib.unescape("".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml)))
    assert "w:hyperlink" not in xml or "javascript" not in xml
    for payload in payloads:
        assert payload in runs, payload


def test_pdf_shows_the_payloads_literally(poisoned):
    outcome, payloads = poisoned
    text = squeeze("".join(page.extract_text() for page in PdfReader(outcome.files["pdf"]).pages))
    assert SECRET not in text
    for payload in payloads:
        assert squeeze(payload) in text, payload


def test_chart_labels_are_never_mathtext():
    from evalkit.report import charts

    charts.use_cjk_font()
    assert matplotlib.rcParams["text.parse_math"] is False


def test_the_pandoc_filter_keeps_unescaped_markup_inert(tmp_path):
    """Defence in depth: even Markdown that escaped nothing (a bug elsewhere) cannot make raw
    HTML/typst/OpenXML, fetch a file or link to javascript: through the notebook filter."""
    import subprocess

    import nbformat
    import pypandoc
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from evalkit.render import TEMPLATE_DIR

    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, "utf-8")
    unescaped = (f'东海湾<img src=x onerror=alert(1)> `<script>alert(2)</script>`{{=html}}\n\n'
                 f'![x]({secret}) [点此](javascript:alert(3)) [官网](https://example.org)\n\n'
                 '<iframe src="file:///etc/passwd"></iframe>\n\n'
                 '```{=typst}\n#text(size: 30pt)[AAA]\n```\n')
    nb = new_notebook(cells=[new_code_cell("", outputs=[
        new_output("display_data", data={"text/markdown": unescaped, "text/plain": "x"})])])
    nbformat.write(nb, tmp_path / "nb.ipynb")
    filter_ = TEMPLATE_DIR / "pandoc" / "notebook.lua"
    for to in ("html5", "typst"):
        done = subprocess.run([pypandoc.get_pandoc_path(), "nb.ipynb", "--from", "ipynb", "--lua-filter", str(filter_),
                               "--to", to, "--standalone", *(["--embed-resources"] if to == "html5" else [])],
                              cwd=tmp_path, capture_output=True, text=True, check=True)
        out = done.stdout
        assert SECRET not in out
        if to == "html5":
            parser = _Elements()
            parser.feed(out)
            assert not [t for t, _ in parser.tags if t in {"script", "iframe", "img"}]
            assert not [a for _, a in parser.tags if any(k.startswith("on") for k in a)]
            assert [a["href"] for t, a in parser.tags if t == "a"] == ["https://example.org"]
            assert "&lt;script&gt;alert(2)&lt;/script&gt;" in out
        else:  # typst: the raw block is a code listing, shown as text
            assert "```\n#text(size: 30pt)[AAA]\n```" in out
