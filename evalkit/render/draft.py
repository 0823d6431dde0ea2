"""Draft marking: while any reference the evaluation used is unconfirmed, every page of every format
carries "参考值未经核实" in its footer (issue 12); while the report shows any 【待评价机构填写】, the
footer says how many places ("N 处待评价机构填写", `evalkit.report.unfilled`). `render --final` is
refused in both cases.

The mark is evalkit's own fixed text, never park or catalog text. It is put into copies of the
template's style files, so both engines (quarto and pandoc) show it the same way:
HTML — a fixed footer line (report.css; browsers repeat fixed elements on every printed page);
Word — a page footer (reference.docx: footer part, relationship, footer reference in sectPr);
PDF — the typst page footer with the page number (typst-header.typ).
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

DRAFT_MARK = "草稿 · 参考值未经核实"
PAGE_NUMBER = "第 #counter(page).display() 页 共 #counter(page).final().first() 页"
"""The page number of every PDF page, as typst-header.typ sets it (and Word's footer: 第 X 页 共 Y 页)."""
FOOTER_PART = "word/footer_evalkit_draft.xml"
FOOTER_REL_ID = "rIdEvalkitDraftFooter"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def unverified_references(results: dict) -> list[dict]:
    """The references a results.json (parsed) lists as unconfirmed (empty when none, or for older results)."""
    return [r for r in results.get("references", []) if r.get("status") == "unverified"]


def describe(references: list[dict]) -> list[str]:
    """One line per unconfirmed reference, for the refusal of `--final`."""
    field_zh = {"reference": "参考值", "floor": "下限值"}
    return [f"{r['code']} {r['name_zh']} {field_zh.get(r['field'], r['field'])} {r['value']:g} {r['unit']}"
            f" — {r['source']}" for r in references]


def footer_text(count: int, listed_in: str = "评价方法说明", unfilled: int = 0) -> str:
    """The draft mark: `count` unconfirmed references and `unfilled` places awaiting the assessor,
    both listed in `listed_in`; each count stands next to its own item."""
    if count and unfilled:
        return f"{DRAFT_MARK}（{count} 项）· {unfilled} 处待评价机构填写（均见{listed_in}）"
    if count:
        return f"{DRAFT_MARK}（{count} 项参考值未经原文核实，见{listed_in}）"
    return f"草稿 · {unfilled} 处待评价机构填写（见{listed_in}）"


def marked_template(template_dir: Path, workdir: Path, count: int, listed_in: str = "评价方法说明",
                    unfilled: int = 0) -> Path:
    """A copy of `template_dir` in `workdir` whose style files carry the draft footer (see `footer_text`)."""
    target = workdir / "template"
    shutil.copytree(template_dir, target)
    text = footer_text(count, listed_in, unfilled)
    css = target / "report.css"
    css.write_text(css.read_text("utf-8") + _css(text), encoding="utf-8")
    typ = target / "typst-header.typ"
    typ.write_text(typ.read_text("utf-8") + _typst(text), encoding="utf-8")
    docx = target / "reference.docx"
    docx.write_bytes(_docx_with_footer(docx.read_bytes(), text))
    return target


def _css(text: str) -> str:
    return ("\n/* Draft mark (evalkit.render.draft): on screen and on every printed page. */\n"
            f"body::after {{ content: {json.dumps(text, ensure_ascii=False)}; position: fixed; left: 0; right: 0;"
            " bottom: 0; padding: 0.3em; text-align: center; font-size: 0.85em; color: #a00;"
            " background: #fff8f0; border-top: 1px solid #e0b0a0; }\n"
            "body { padding-bottom: 2.5em; }\n")


def _typst(text: str) -> str:
    literal = json.dumps(text, ensure_ascii=False)  # a typst string literal: same escapes as JSON here
    return ("\n// Draft mark (evalkit.render.draft): footer of every page, with the page number.\n"
            "#set page(footer: context align(center, text(size: 8pt, fill: rgb(\"#a00000\"))["
            f"#{literal} · {PAGE_NUMBER}]))\n")


def _docx_with_footer(reference: bytes, text: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(reference))
    out = io.BytesIO()
    footer = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              f'<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
              f'<w:r><w:rPr><w:color w:val="A00000"/><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">'
              f'{_xml_escape(text)}</w:t></w:r></w:p></w:ftr>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    f'<Override PartName="/{FOOTER_PART}" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.footer+xml"/></Types>').encode())
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Type="{R_NS}/footer" Id="{FOOTER_REL_ID}" '
                    f'Target="{FOOTER_PART.removeprefix("word/")}"/></Relationships>').encode())
            elif item.filename == "word/document.xml":
                document = data.decode("utf-8")
                if 'xmlns:r=' not in document.split(">", 2)[1]:
                    document = document.replace("<w:document ", f'<w:document xmlns:r="{R_NS}" ', 1)
                document = document.replace(
                    "<w:sectPr>", f'<w:sectPr><w:footerReference w:type="default" r:id="{FOOTER_REL_ID}"/>', 1)
                data = document.encode("utf-8")
            docx.writestr(item, data)
        docx.writestr(FOOTER_PART, footer)
    return out.getvalue()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
