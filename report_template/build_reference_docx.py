"""Build report_template/reference.docx: pandoc's default reference document with Chinese styles.

Run from the repository root:  python report_template/build_reference_docx.py

Word picks the East-Asian font of a run from `w:rFonts/@w:eastAsia`, and a theme font
(`w:eastAsiaTheme`) wins over it, so every theme reference is replaced by an explicit font:
body text (theme minor font) Noto Serif CJK SC, headings and titles (theme major font) Noto Sans
CJK SC. Also: tables get a rule above and below (三线表 with pandoc's header rule), captions lose
the italics that CJK fonts do not have. The output is byte-for-byte reproducible.
"""

from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pypandoc

# Official styles: body 宋体, headings 黑体 (present on government PCs); fontTable gives each the
# Noto CJK SC face as its alternative name, which a machine without them (Linux) falls back to.
SERIF = "宋体"
SANS = "黑体"
FALLBACK = {SERIF: "Noto Serif CJK SC", SANS: "Noto Sans CJK SC"}
THEME_FONTS = {"minorEastAsia": SERIF, "majorEastAsia": SANS}
FONT_TABLE = "word/fontTable.xml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STYLES = "word/styles.xml"
FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # zip entry dates, so rebuilding gives the same bytes


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def default_reference_docx() -> bytes:
    return subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True, check=True,
    ).stdout


def chinese_styles(styles_xml: bytes) -> bytes:
    for prefix, uri in _namespaces(styles_xml):
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(styles_xml)

    for fonts in root.iter(w("rFonts")):
        theme = fonts.attrib.pop(w("eastAsiaTheme"), None)
        if theme is not None:
            fonts.set(w("eastAsia"), THEME_FONTS[theme])

    missing = [s for s in ("Normal", "Heading1", "Heading2", "Heading3", "Title") if _style(root, s) is None]
    if missing:
        raise SystemExit(f"pandoc's reference.docx lacks styles {missing}; check this script")
    _set_table_rules(_style(root, "Table"))
    # Official look: black headings (no theme colour), 黑体 sizes 三号/四号/小四, table text 小五 (9 pt).
    for style_id, size in (("Heading1", 32), ("Heading2", 28), ("Heading3", 24), ("Heading4", 24),
                           ("TOCHeading", 32), ("Title", 44)):
        style = _style(root, style_id)
        if style is not None:
            _set_run(style, size=size)
    compact = _style(root, "Compact")
    if compact is not None:
        _set_run(compact, size=18)
    for caption in ("Caption", "TableCaption", "ImageCaption"):
        style = _style(root, caption)
        rpr = style.find(w("rPr")) if style is not None else None
        if rpr is not None:
            for italic in rpr.findall(w("i")):
                rpr.remove(italic)
    return ET.tostring(root, xml_declaration=True, encoding="UTF-8")


def with_fallback_fonts(font_table: bytes) -> bytes:
    for prefix, uri in _namespaces(font_table):
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(font_table)
    for name, fallback in FALLBACK.items():
        font = ET.SubElement(root, w("font"), {w("name"): name})
        ET.SubElement(font, w("altName"), {w("val"): fallback})
        ET.SubElement(font, w("charset"), {w("val"): "86"})  # GB2312
        ET.SubElement(font, w("family"), {w("val"): "roman" if name == SERIF else "modern"})
    return ET.tostring(root, xml_declaration=True, encoding="UTF-8")


def _set_run(style: ET.Element, *, size: int) -> None:
    """Black text of `size` half-points in `style` (its theme colour removed)."""
    rpr = style.find(w("rPr"))
    if rpr is None:
        rpr = ET.SubElement(style, w("rPr"))
    for tag in ("color", "sz", "szCs"):
        for old in rpr.findall(w(tag)):
            rpr.remove(old)
    # Schema order inside rPr: rFonts, b, bCs, i, …, color, …, sz, szCs, …
    index = len([c for c in rpr if c.tag in {w("rFonts"), w("b"), w("bCs"), w("i"), w("iCs")}])
    for offset, (tag, attrs) in enumerate((("color", {w("val"): "000000"}), ("sz", {w("val"): str(size)}),
                                           ("szCs", {w("val"): str(size)}))):
        rpr.insert(index + offset, ET.Element(w(tag), attrs))


def _namespaces(xml: bytes) -> list[tuple[str, str]]:
    return [ns for _, ns in ET.iterparse(io.BytesIO(xml), events=["start-ns"])]


def _style(root: ET.Element, style_id: str) -> ET.Element | None:
    return next((s for s in root.findall(w("style")) if s.get(w("styleId")) == style_id), None)


def _set_table_rules(table_style: ET.Element) -> None:
    tbl_pr = table_style.find(w("tblPr"))
    borders = ET.Element(w("tblBorders"))
    for edge in ("top", "bottom"):
        ET.SubElement(borders, w(edge), {w("val"): "single", w("sz"): "8", w("space"): "0", w("color"): "000000"})
    # Schema order inside tblPr: tblStyle, ..., tblInd, tblBorders, ..., tblCellMar.
    index = next((i for i, child in enumerate(tbl_pr) if child.tag == w("tblCellMar")), len(tbl_pr))
    tbl_pr.insert(index, borders)


def build(target: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(default_reference_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == STYLES:
                data = chinese_styles(data)
            elif item.filename == FONT_TABLE:
                data = with_fallback_fonts(data)
            docx.writestr(zipfile.ZipInfo(item.filename, date_time=FIXED_TIME), data,
                          compress_type=zipfile.ZIP_DEFLATED)
    target.write_bytes(out.getvalue())


if __name__ == "__main__":
    destination = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("reference.docx")
    build(destination)
    print(f"wrote {destination}")
