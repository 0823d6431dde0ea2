"""evalkit's own page-layout instructions for the paged formats, as raw Typst / OpenXML blocks.

These are the only raw blocks a report contains, and they are fixed strings: user text is escaped
(evalkit.report.markup) and can never produce one. The pandoc engine's Lua filter
(report_template/pandoc/notebook.lua) lets exactly these through and shows any other raw block as
text; tests keep the two lists equal. HTML ignores them.
"""

from __future__ import annotations

from evalkit.report.markup import Md

TOC_FIELD = (
    '<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>目录</w:t></w:r></w:p>'
    '<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    '<w:r><w:t>（打开文件时更新目录；如未更新，请右键点击此处选择“更新域”）</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')

RAW_BLOCKS: dict[str, tuple[tuple[str, str], ...]] = {
    "page_break": (("typst", "#pagebreak(weak: true)"),
                   ("openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')),
    "contents": (("typst", "#outline(title: [目录], depth: 2)"), ("openxml", TOC_FIELD)),
    # An indicator's heading, rule and computation stay on one page in the PDF.
    "keep_together": (("typst", "#block(breakable: false, width: 100%)["),),
    # A lead-in that stays with the table after it (for a table that may be too long to keep whole).
    "lead_in": (("typst", "#block(sticky: true, width: 100%)["),),
    "end_keep": (("typst", "]"),),
    # Smaller type for the one-page overview and the long registers, then back.
    # Word: empty marker paragraphs; evalkit.render.docx sets the tables between them in small type
    # with tight rows and removes the markers.
    "small_tables": (("typst", "#show table: set text(size: 7.5pt)\n#set table(inset: (x: 4pt, y: 2.6pt))"),
                     ("openxml", '<w:p><w:pPr><w:pStyle w:val="EvalkitSmallTables"/></w:pPr></w:p>')),
    "normal_tables": (("typst", "#show table: set text(size: 9pt)\n#set table(inset: 5pt)"),
                      ("openxml", '<w:p><w:pPr><w:pStyle w:val="EvalkitNormalTables"/></w:pPr></w:p>')),
}


def _block(name: str) -> Md:
    return Md("\n\n".join(f"```{{={fmt}}}\n{text}\n```" for fmt, text in RAW_BLOCKS[name]))


PAGE_BREAK = _block("page_break")
CONTENTS = _block("contents")
KEEP_TOGETHER = _block("keep_together")
LEAD_IN = _block("lead_in")
END_KEEP = _block("end_keep")
SMALL_TABLES = _block("small_tables")
NORMAL_TABLES = _block("normal_tables")
