"""Finish a Word report as an official document: what pandoc's docx writer cannot set.

* A4 portrait with the margins of Chinese official documents (GB/T 9704: 37 / 35 / 28 / 26 mm);
* a header with the report number (报告编号) and a footer "第 X 页 共 Y 页" (PAGE / NUMPAGES fields);
* `w:updateFields`: Word updates the contents (TOC field) and page numbers when the file is opened;
* tables with a fixed layout over the text width, their columns in the proportions the report gave,
  so Word does not auto-fit columns and break numbers mid-digit;
* the tables the report marks as small (the one-page overview, long registers) in 7.5 pt with tight rows.

The header text is user text (the park file's `report.report_no`): it is XML-escaped, never markup.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

A4 = (11906, 16838)  # twips
MARGINS = {"top": 2098, "bottom": 1984, "left": 1587, "right": 1474, "header": 851, "footer": 992}
TEXT_WIDTH = A4[0] - MARGINS["left"] - MARGINS["right"]
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER_REL, FOOTER_REL = "rIdEvalkitHeader", "rIdEvalkitFooter"


def _run(text: str) -> str:
    return f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _field(instruction: str) -> str:
    return ('<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>'
            '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:t>1</w:t></w:r>'
            '<w:r><w:rPr><w:sz w:val="18"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>')


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def header_xml(text: str) -> str:
    text = CONTROL.sub(" ", text)
    border = '<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="1" w:color="000000"/></w:pBdr>'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr {W_NS}>'
            f'<w:p><w:pPr><w:pStyle w:val="Header"/>{border}<w:jc w:val="right"/></w:pPr>{_run(text)}</w:p></w:hdr>')


def footer_xml(lines_before: str = "") -> str:
    """The page-number footer; `lines_before` are footer paragraphs the template already had (the
    draft mark of evalkit.render.draft), kept above the page number."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr {W_NS}>{lines_before}'
            '<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>'
            f'{_run("第 ")}{_field("PAGE")}{_run(" 页 共 ")}{_field("NUMPAGES")}{_run(" 页")}</w:p></w:ftr>')


def _template_footer(parts: dict[str, bytes], document: str) -> str:
    """The paragraphs of the footer the reference document's section referred to, if any."""
    old = re.search(r'<w:footerReference [^>]*r:id="([^"]+)"', document)
    if old is None:
        return ""
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    target = re.search(rf'<Relationship [^>]*Id="{re.escape(old.group(1))}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{re.escape(old.group(1))}"', rels)
    footer = parts.get(f"word/{target.group(1)}") if target else None
    if footer is None:
        return ""
    return "".join(re.findall(r"<w:p\b.*?</w:p>", footer.decode("utf-8"), re.S))


def section_xml() -> str:
    m = MARGINS
    return (f'<w:sectPr><w:headerReference w:type="default" r:id="{HEADER_REL}"/>'
            f'<w:footerReference w:type="default" r:id="{FOOTER_REL}"/>'
            f'<w:pgSz w:w="{A4[0]}" w:h="{A4[1]}"/>'
            f'<w:pgMar w:top="{m["top"]}" w:right="{m["right"]}" w:bottom="{m["bottom"]}" w:left="{m["left"]}" '
            f'w:header="{m["header"]}" w:footer="{m["footer"]}" w:gutter="0"/>'
            '<w:pgNumType w:fmt="decimal"/><w:docGrid w:linePitch="312"/></w:sectPr>')


MIN_COLUMN = 850  # twips (1.5 cm): room for "I01", a year or a short number at 9 pt


def column_widths(relative: list[int]) -> list[int]:
    """Relative widths scaled to the text width, no column narrower than MIN_COLUMN."""
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(relative)) if i not in fixed]
        room = TEXT_WIDTH - sum(fixed.values())
        total = sum(relative[i] for i in free) or 1
        widths = {i: room * relative[i] / total for i in free}
        narrow = [i for i, width in widths.items() if width < MIN_COLUMN]
        if not narrow or len(fixed) + len(narrow) == len(relative):
            widths |= fixed
            return [max(1, round(widths[i])) for i in range(len(relative))]
        fixed |= {i: MIN_COLUMN for i in narrow}


def fixed_tables(document: str) -> str:
    """Every table: fixed layout over the text width, grid columns scaled to it."""
    def one(match: re.Match) -> str:
        tbl = match.group(0)
        grid = re.search(r"<w:tblGrid>(.*?)</w:tblGrid>", tbl, re.S)
        if grid is None:
            return tbl
        widths = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"\s*/>', grid.group(1))]
        if not widths or sum(widths) == 0:
            return tbl
        scaled = column_widths(widths)
        new_grid = "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in scaled) + "</w:tblGrid>"
        tbl = tbl[:grid.start()] + new_grid + tbl[grid.end():]
        tbl = re.sub(r"<w:tblLayout [^>]*/>", "", tbl, count=1)  # pandoc's own, replaced below
        tbl = re.sub(r"<w:tblW [^>]*/>", f'<w:tblW w:type="dxa" w:w="{TEXT_WIDTH}"/><w:tblLayout w:type="fixed"/>',
                     tbl, count=1)
        return tbl
    # Tables do not nest in the report, so a non-greedy match finds each whole table.
    return re.sub(r"<w:tbl>.*?</w:tbl>", one, document, flags=re.S)


SMALL_MARK = re.compile(r'<w:p><w:pPr><w:pStyle w:val="Evalkit(Small|Normal)Tables" ?/></w:pPr></w:p>')
SMALL_SIZE = 15  # half-points: 7.5 pt, as the PDF's small tables
# Run properties that come after w:sz in the schema's order; w:sz goes before the first of them.
AFTER_SIZE = re.compile(r"<w:(?:szCs|highlight|u|effect|bdr|shd|fitText|vertAlign|rtl|cs|em|lang|eastAsianLayout)\b")


def _small_run_properties(rpr: str) -> str:
    size = f'<w:sz w:val="{SMALL_SIZE}"/><w:szCs w:val="{SMALL_SIZE}"/>'
    rpr = re.sub(r"<w:szCs? [^>]*/>", "", rpr)
    after = AFTER_SIZE.search(rpr)
    at = after.start() if after else rpr.rindex("</w:rPr>")
    return rpr[:at] + size + rpr[at:]


def _small_table(tbl: str) -> str:
    tbl = re.sub(r"<w:rPr>.*?</w:rPr>", lambda m: _small_run_properties(m.group(0)), tbl, flags=re.S)
    tbl = re.sub(r"<w:r>(?!<w:rPr>)", f'<w:r><w:rPr><w:sz w:val="{SMALL_SIZE}"/><w:szCs w:val="{SMALL_SIZE}"/></w:rPr>',
                 tbl)
    # Tight rows: no space around a cell's paragraph, single line height (spacing precedes jc in pPr).
    return re.sub(r'(<w:pStyle w:val="Compact" ?/>)', r'\1<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
                  tbl)


def small_tables(document: str) -> str:
    """The tables the report marked as small (the one-page overview, the long registers) in 7.5 pt
    with tight rows, as in the PDF; the marker paragraphs go."""
    out, small, at = [], False, 0
    for mark in SMALL_MARK.finditer(document):
        chunk = document[at:mark.start()]
        out.append(re.sub(r"<w:tbl>.*?</w:tbl>", lambda m: _small_table(m.group(0)), chunk, flags=re.S)
                   if small else chunk)
        small, at = mark.group(1) == "Small", mark.end()
    out.append(document[at:])
    return "".join(out)


def keep_figures_with_captions(document: str) -> str:
    """A chart's paragraph keeps with the next one (its caption 图N) on the same page."""
    def one(match: re.Match) -> str:
        paragraph = match.group(0)
        if "<w:drawing>" not in paragraph or "<w:keepNext" in paragraph:
            return paragraph
        if "<w:pPr>" in paragraph:  # schema order: pStyle first, then keepNext
            styled = re.match(r"(<w:p><w:pPr>(?:<w:pStyle [^>]*/>)?)", paragraph)
            assert styled is not None
            return styled.group(1) + "<w:keepNext/>" + paragraph[styled.end():]
        return paragraph.replace("<w:p>", "<w:p><w:pPr><w:keepNext/></w:pPr>", 1)
    return re.sub(r"<w:p>(?:(?!</w:p>).)*?<w:drawing>.*?</w:p>", one, document, flags=re.S)


TOC_PLACEHOLDER = re.compile(r"<w:r><w:t>（打开文件时更新目录[^<]*</w:t></w:r>")


def filled_contents(document: str) -> str:
    """Put the chapter headings (levels 1 and 2) into the TOC field's result, so the contents show
    even where fields are not updated (Word replaces them with page numbers when it opens the file)."""
    entries = []
    for level, body in re.findall(r'<w:p><w:pPr><w:pStyle w:val="Heading([12])" ?/>.*?</w:pPr>(.*?)</w:p>', document, re.S):
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", body))
        if text:
            entries.append(f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/>'
                           f'<w:ind w:left="{(int(level) - 1) * 420}"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>')
    if not entries:
        return document
    # The field result spans paragraphs: close the field's first paragraph after `separate`, list the
    # entries, and end the field in a last paragraph.
    return TOC_PLACEHOLDER.sub(lambda _: "</w:p>" + "".join(entries) + "<w:p>", document, count=1)


def finish_docx(path: Path, header_text: str) -> None:
    """Rewrite the docx at `path` in place (see the module docstring)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}

    document = parts["word/document.xml"].decode("utf-8")
    kept_footer = _template_footer(parts, document)
    document = re.sub(r"<w:sectPr\b.*?</w:sectPr>", "", document, flags=re.S)
    document = document.replace("</w:body>", section_xml() + "</w:body>")
    if 'xmlns:r="' not in document[:2000]:
        document = document.replace("<w:document ", f'<w:document xmlns:r="{REL_NS}" ', 1)
    parts["word/document.xml"] = filled_contents(small_tables(fixed_tables(keep_figures_with_captions(document)))).encode("utf-8")

    parts["word/header1.xml"] = header_xml(header_text).encode("utf-8")
    parts["word/footer1.xml"] = footer_xml(kept_footer).encode("utf-8")
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    rels = rels.replace("</Relationships>",
                        f'<Relationship Id="{HEADER_REL}" Type="{REL_NS}/header" Target="header1.xml"/>'
                        f'<Relationship Id="{FOOTER_REL}" Type="{REL_NS}/footer" Target="footer1.xml"/>'
                        "</Relationships>")
    parts["word/_rels/document.xml.rels"] = rels.encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    types = types.replace("</Types>",
                          f'<Override PartName="/word/header1.xml" ContentType="{main}.header+xml"/>'
                          f'<Override PartName="/word/footer1.xml" ContentType="{main}.footer+xml"/></Types>')
    parts["[Content_Types].xml"] = types.encode("utf-8")

    settings = parts["word/settings.xml"].decode("utf-8")
    if "<w:updateFields" not in settings:
        # Schema order: updateFields comes before rsids / themeFontLang / compat.
        anchor = next((tag for tag in ("<w:hdrShapeDefaults", "<w:footnotePr", "<w:endnotePr", "<w:compat",
                                       "<w:docVars", "<w:rsids", "<w:mathPr", "<w:themeFontLang",
                                       "<w:clrSchemeMapping", "<w:decimalSymbol") if tag in settings), "</w:settings>")
        settings = settings.replace(anchor, '<w:updateFields w:val="true"/>' + anchor, 1)
    parts["word/settings.xml"] = settings.encode("utf-8")

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def header_text(notebook: Path) -> str:
    """The Word header: the report number from the archived park file's `report:` section."""
    import nbformat

    from evalkit.core.problems import InputError
    from evalkit.intake import read_park_file

    parameters = nbformat.read(notebook, as_version=4).metadata.get("papermill", {}).get("parameters", {})
    try:
        park = read_park_file(Path(notebook).parent / parameters["input_path"])
    except (KeyError, OSError, ValueError, InputError):
        return TITLE
    return f"{TITLE}　报告编号：{park.report.report_no or '【待评价机构填写】'}"


TITLE = "产业园区减污降碳协同增效绩效评价报告"
