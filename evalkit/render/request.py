"""Writes the request for missing data and evidence (资料补充清单, `evalkit gaps`) as an Excel
workbook (openpyxl) and a Word letter (pandoc docx from the report's Markdown, with the report's
reference.docx for Chinese fonts). Each file is written beside its final name and then moved into
place, so an interrupted run leaves the previous list intact.
"""

from __future__ import annotations

import os
from pathlib import Path

import pypandoc
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from evalkit.catalog import Catalog
from evalkit.evaluation.results import Result
from evalkit.report.request import intro_lines, letter, request_sheets
from evalkit.render.pipeline import TEMPLATE_DIR

HEADER_FILL = PatternFill("solid", fgColor="DDE8E4")
FILL_IN = PatternFill("solid", fgColor="FFF4D6")


def write_request(result: Result, catalog: Catalog, folder: Path, stem: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    xlsx, docx = folder / f"{stem}.xlsx", folder / f"{stem}.docx"
    _atomic(xlsx, lambda tmp: _workbook(result, catalog).save(tmp))
    reference = TEMPLATE_DIR / "reference.docx"
    _atomic(docx, lambda tmp: pypandoc.convert_text(
        str(letter(result, catalog)), "docx", format="markdown", outputfile=str(tmp),
        extra_args=["--reference-doc", str(reference)] if reference.is_file() else []))
    return [xlsx, docx]


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _workbook(result: Result, catalog: Catalog) -> Workbook:
    book = Workbook()
    readme = book.active
    readme.title = "说明"
    for n, line in enumerate([f"资料补充清单 — {result.park_name}", *intro_lines(result)], 1):
        _put(readme, n, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    readme.column_dimensions["A"].width = 110
    readme["A1"].font = Font(bold=True, size=13)
    for sheet in request_sheets(result, catalog):
        ws = book.create_sheet(sheet.title)
        for col, (header, width) in enumerate(zip(sheet.headers, sheet.widths), 1):
            cell = _put(ws, 1, col, header)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            ws.column_dimensions[get_column_letter(col)].width = width
        for r, row in enumerate(sheet.rows, 2):
            for col, value in enumerate(row, 1):
                cell = _put(ws, r, col, value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if sheet.headers[col - 1].startswith("园区填写"):
                    cell.fill = FILL_IN
        ws.freeze_panes = "C2"
    return book


def _put(ws, row: int, col: int, value: object):
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        cell.data_type = "s"  # text from a park file or catalog is text, never a formula
    return cell
