"""Park input files as Excel workbooks: one sheet per section of the YAML file (params/README.md).

`write_workbook` lays out a raw park dict (a blank template or an existing park, `export_park`);
`read_workbook` turns a workbook back into the raw dict of the YAML shape, so that `parse_park` and
every check treat both formats alike. Blank cells are blanks in the sense of
`evalkit.intake.template.drop_blanks`. Problems name the sheet and cell, e.g. `sheet 年度数据!F3: data.iva`.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from defusedxml import DefusedXmlException

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from evalkit import carbon
from evalkit.catalog import Catalog
from evalkit.carbon.energy import Energy
from evalkit.intake.models import LoadedPark, parse_park
from evalkit.core.problems import InputError, Problem, Problems
from evalkit.intake.shape import ENERGY_SERIES, ENERGY_SETTINGS, PROFILE_LABELS, drop_blanks, fuel_unit, is_blank
from evalkit.core.tables import printable
from evalkit.core.yamlio import parse_yaml
from evalkit.core.units import UnitError, factor, known_units

README, SETTINGS, BASIC, DATA, ENERGY, POINTS = "说明", "概况与设置", "基本要求", "年度数据", "能源数据", "分年来源"
QUALITATIVE, NOT_APPLICABLE, BONUS, OVERRIDES, CATALOG = "定性指标", "不适用", "加分项", "参考值替换", "指标目录"
CONFIRMATIONS = "参考值核实"  # read when present: workbooks written before it existed stay valid
INPUT_SHEETS = (SETTINGS, BASIC, DATA, ENERGY, POINTS, QUALITATIVE, NOT_APPLICABLE, BONUS, OVERRIDES)

YES, NO, PENDING = "是", "否", "待补证"
# Data quality labels (Series.scope / Point.scope) as a workbook shows them.
SCOPE_LABELS = {"measured": "实测", "derived": "推算", "estimated": "估算", "proxy": "代用"}
QUALITY_KEYS = ("scope", "derivation", "proxy_justification")
LIST_SEPARATOR = "、"
BOOL_FIELDS = {"profile.synthetic", "strict_overall"}
LIST_FIELDS = {"profile.main_industries"}
NUMBER_FIELDS = {"profile.area_km2", "profile.established", "profile.base_year"}
SETTING_FIELD = re.compile(r"(profile|energy)\.\w+|strict_overall")
EXCEL_LIST_LIMIT = 255  # Excel refuses an inline drop-down list longer than this
ROWS_TO_ADD = 50        # rows with drop-downs below a table the park may extend
MAX_ROWS = 5_000        # filled rows read from one sheet (a park's sheets have at most ~100)
MAX_PARTS, MAX_UNZIPPED = 200, 50_000_000  # an .xlsx park file is ~30 parts, < 1 MB unzipped

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Column:
    header: str | int
    key: str | None  # the field read back; None for a column that only informs
    width: int = 14
    optional: bool = False  # added later: a workbook without this column is still read


SETTINGS_COLUMNS = [Column("字段 field", "field", 28), Column("项目", None, 40), Column("填写值", "value", 60)]
BASIC_COLUMNS = [Column("编号 id", "id", 24), Column("基本要求", None, 50), Column("是否满足", "met", 10),
                 Column("证据", "evidence", 60), Column("备注", "note", 40),
                 Column("核实说明 reconciliation", "reconciliation", 40, optional=True), Column("证据示例", None, 50)]
SERIES_HEAD = [Column("代码 symbol", "symbol", 24), Column("名称", None, 36), Column("单位", "unit", 10),
               Column("数据来源", "source", 44)]
QUALITY_COLUMNS = [Column("口径（实测/推算/估算/代用）", "scope", 14, optional=True),
                   Column("推算或估算方法", "derivation", 40, optional=True),
                   Column("代用数据可代表园区的理由", "proxy_justification", 40, optional=True)]
SERIES_TAIL = [Column("说明", None, 40), Column("备注 note", "note", 30, optional=True), *QUALITY_COLUMNS]
POINT_COLUMNS = [Column("数据项 field", "field", 30), Column("年份", "year", 8),
                 Column("该年数据来源", "source", 50), Column("备注", "note", 50), *QUALITY_COLUMNS]
QUALITATIVE_COLUMNS = [Column("代码", "code", 8), Column("指标名称", None, 26), Column("年份", "year", 8),
                       Column("档次", "level", 8), Column("证据", "evidence", 60), Column("档次说明", None, 60)]
NOT_APPLICABLE_COLUMNS = [Column("代码", "code", 8), Column("指标名称", None, 26),
                          Column("结构性原因 reason", "reason", 22), Column("不适用说明", "justification", 60),
                          Column("年份（空 = 全部年份）", "years", 20)]
BONUS_COLUMNS = [Column("年份", "year", 8), Column("加分项名称", "name", 36), Column("申报分值", "points", 8),
                 Column("理由", "justification", 60), Column("证据", "evidence", 50),
                 Column("加分细则 rubric", "rubric", 22), Column("核定分值", "approved_points", 8),
                 Column("核定说明", "approval_note", 50)]
OVERRIDE_COLUMNS = [Column("代码", "code", 8), Column("指标名称", None, 26), Column("参考值 reference", "reference", 16),
                    Column("下限 floor", "floor", 12), Column("理由", "justification", 50), Column("来源", "source", 50),
                    Column("文号 document_no", "document_no", 24), Column("条款 clause", "clause", 16)]
CONFIRMATION_COLUMNS = [Column("代码", "code", 8), Column("指标名称", None, 26),
                        Column("参数 fields（空 = 全部）", "fields", 20), Column("文号 document_no", "document_no", 30),
                        Column("条款 clause", "clause", 16), Column("核实人 confirmed_by", "confirmed_by", 30),
                        Column("备注", "note", 40)]
CONFIRMATION_FIELDS = ("document_no", "clause", "confirmed_by", "note")
BONUS_FIELDS = ("name", "points", "justification", "evidence", "rubric", "approved_points", "approval_note")
OVERRIDE_FIELDS = ("reference", "floor", "justification", "source", "document_no", "clause")


# Writing

def export_park(park: LoadedPark, catalog: Catalog, output: Path) -> None:
    """The park's data as a workbook to hand back for updating, with a blank column for the next year."""
    years = park.input.years() or sorted({y for choices in park.input.qualitative.values() for y in choices})
    write_workbook(park.input.model_dump(), catalog, output, years=[*years, years[-1] + 1] if years else None)


def write_workbook(raw: dict[str, Any], catalog: Catalog, path: Path, *,
                   factors: carbon.FactorTable | None = None, years: list[int] | None = None) -> None:
    """Lay out `raw` (the YAML shape) as a workbook; every catalog input and energy field gets a row."""
    factors = factors or carbon.load_factors()
    years = years or _years_of(raw)
    book = Workbook()
    book.remove(book.active)
    _readme(book, catalog)
    _settings_sheet(book, raw, factors)
    _basic_sheet(book, raw, catalog)
    points: list[list[Any]] = []
    _series_sheet(book, DATA, years, _data_rows(raw, catalog), "data", points)
    _series_sheet(book, ENERGY, years, _energy_rows(raw, factors), "energy", points)
    _table(book, POINTS, POINT_COLUMNS, points)
    _qualitative_sheet(book, raw, catalog, years)
    _indicator_rows_sheet(book, NOT_APPLICABLE, NOT_APPLICABLE_COLUMNS, catalog, [
        [code, _name(catalog, code), na.get("reason"), na.get("justification"), _years_text(na.get("years"))]
        for code, na in (raw.get("not_applicable") or {}).items()])
    _table(book, BONUS, BONUS_COLUMNS, [
        [year, *(item.get(name) for name in BONUS_FIELDS)]
        for year, items in (raw.get("bonus") or {}).items() for item in items])
    _indicator_rows_sheet(book, OVERRIDES, OVERRIDE_COLUMNS, catalog, [
        [code, _name(catalog, code), *(o.get(name) for name in OVERRIDE_FIELDS)]
        for code, o in (raw.get("reference_overrides") or {}).items()])
    _indicator_rows_sheet(book, CONFIRMATIONS, CONFIRMATION_COLUMNS, catalog, [
        [code, _name(catalog, code), "、".join(c.get("fields") or []), *(c.get(name) for name in CONFIRMATION_FIELDS)]
        for code, c in (raw.get("reference_confirmations") or {}).items()])
    _catalog_sheet(book, catalog)
    _report_sheet(book, raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


REPORT_SHEET = "报告与证明材料"


def _report_sheet(book: Workbook, raw: dict[str, Any]) -> None:
    """The evidence register, the `report:` section and the evidence ids cited by each field, as YAML
    text in one cell: they are edited rarely and by the assessor, and keep the workbook lossless."""
    cited = {field: ids for field, ids in _cited_ids(raw)}
    content = {key: raw[key] for key in ("evidence", "report") if raw.get(key)}
    if cited:
        content["evidence_ids"] = cited
    if not content:
        return
    sheet = book.create_sheet(REPORT_SHEET)
    sheet["A1"] = "证明材料清单、报告信息及各数据项引用的证明材料编号（YAML，格式见 params/README.md）"
    sheet["A2"] = yaml.safe_dump(content, allow_unicode=True, sort_keys=False)


def _cited_ids(raw: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    for section in ("data", "energy"):
        for key, series in _flat(raw.get(section) or {}).items():
            if isinstance(series, dict) and series.get("evidence_ids"):
                yield f"{section}.{key}", series["evidence_ids"]
    for key, answer in (raw.get("basic_requirements") or {}).items():
        if answer.get("evidence_ids"):
            yield f"basic_requirements.{key}", answer["evidence_ids"]
    for code, years in (raw.get("qualitative") or {}).items():
        for year, choice in years.items():
            if choice.get("evidence_ids"):
                yield f"qualitative.{code}.{year}", choice["evidence_ids"]
    for year, items in (raw.get("bonus") or {}).items():
        for n, item in enumerate(items):
            if item.get("evidence_ids"):
                yield f"bonus.{year}.{n}", item["evidence_ids"]


def _merge_report_sheet(sheet: Worksheet, raw: dict[str, Any], file: str) -> None:
    content = parse_yaml(str(sheet["A2"].value or ""), f"{file} sheet {REPORT_SHEET}!A2")
    if not isinstance(content, dict):
        return
    for key in ("evidence", "report"):
        if key in content:
            raw[key] = content[key]
    for field, ids in (content.get("evidence_ids") or {}).items():
        node: Any = raw
        for part in field.split("."):
            if isinstance(node, list):
                node = node[int(part)] if int(part) < len(node) else None
            elif isinstance(node, dict):
                node = node.get(int(part)) if part.isdigit() and int(part) in node else node.get(part)
            if node is None:
                break
        if isinstance(node, dict):
            node["evidence_ids"] = ids


class SeriesRow(NamedTuple):
    code: str
    name_zh: str
    series: dict[str, Any] | None
    default_unit: str
    note: str


def _data_rows(raw: dict[str, Any], catalog: Catalog) -> list[SeriesRow]:
    """Every catalog input, then any other symbol the park gives (so that validate can name it)."""
    data = raw.get("data") or {}
    rows = [SeriesRow(symbol, spec.name_zh, data.get(symbol), spec.unit,
                      f"目录单位 {spec.unit}" + ("；由能源数据核算，填写能源数据时留空" if spec.carbon else ""))
            for symbol, spec in catalog.inputs.items()]
    return rows + [SeriesRow(symbol, "", series, "", "目录中无此代码")
                   for symbol, series in data.items() if symbol not in catalog.inputs]


def _energy_rows(raw: dict[str, Any], factors: carbon.FactorTable) -> list[SeriesRow]:
    """The park's fuels in their order (emissions are summed in it, and the round trip must be
    exact), the other fuels of the factor table, then electricity, heat and reported CO2."""
    energy = raw.get("energy") or {}
    fuels = energy.get("fuels") or {}
    rows = []
    for key in [*fuels, *(k for k in factors.fuels if k not in fuels)]:
        fuel = factors.fuels.get(key)
        rows.append(SeriesRow(f"fuels.{key}", fuel.name_zh, fuels.get(key), fuel_unit(fuel),
                              f"燃料；核算单位 {fuel.activity_unit}") if fuel else
                    SeriesRow(f"fuels.{key}", "", fuels[key], "", "因子表中无此燃料"))
    return rows + [SeriesRow(name, name_zh, energy.get(name), unit, "")
                   for name, (name_zh, unit) in ENERGY_SERIES.items()]


def _years_of(raw: dict[str, Any]) -> list[int]:
    energy = raw.get("energy") or {}
    series = [*(raw.get("data") or {}).values(), *(energy.get("fuels") or {}).values(),
              *(energy.get(name) for name in ENERGY_SERIES)]
    found = {year for s in series if s for year in s.get("values", {})}
    found |= {year for choices in (raw.get("qualitative") or {}).values() for year in choices}
    return sorted(found)


def _table(book: Workbook, title: str, columns: list[Column], rows: list[list[Any]], *,
           freeze: str = "A2") -> Worksheet:
    sheet = book.create_sheet(title)
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append([_cell_value(v) for v in row])
    for n, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = column.width
        header = sheet.cell(1, n)
        header.font, header.fill, header.alignment = HEADER_FONT, HEADER_FILL, WRAP
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.alignment = WRAP
    sheet.freeze_panes = freeze
    return sheet


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list):
        return LIST_SEPARATOR.join(map(str, value))
    return value


def _dropdown(sheet: Worksheet, options: list[str], cells: str, *, strict: bool = True) -> None:
    """A drop-down list on `cells` ("C2:C10" or "C2 C5"); a list too long for Excel gets none."""
    formula = '"' + ",".join(options) + '"'
    if not options or len(formula) > EXCEL_LIST_LIMIT:
        return
    _validation(sheet, formula, cells, strict)


def _validation(sheet: Worksheet, formula: str, cells: str, strict: bool) -> None:
    rule = DataValidation(type="list", formula1=formula, sqref=cells, allow_blank=True, showErrorMessage=True,
                          errorStyle="stop" if strict else "warning",
                          error="请从下拉列表中选择 / choose from the list")
    sheet.add_data_validation(rule)


def _readme(book: Workbook, catalog: Catalog) -> None:
    sheet = book.create_sheet(README)
    families = "\n".join("  " + "、".join(family) for family in unit_families())
    text = [
        "evalkit 园区输入工作簿 / park input workbook",
        f"指标目录：{catalog.title_zh}（{catalog.id} v{catalog.version}）。格式说明见 params/README.md。",
        "",
        "填写规则",
        "· 空白单元格 = 未填写：缺少的数据该指标得0分并列为数据缺口（不作为薄弱环节）；未作答的基本要求视为待补证。",
        "· 非实测数据请在“口径”列注明推算、估算或代用，并写明方法；代用数据（如全市数据）须写明可代表园区的理由才计分。",
        "· 每一行数据都须填写“数据来源”（统计年报、排污许可执行报告、监测平台……）。"
        f"某一年来源不同时，在“{POINTS}”表写明该年的来源和备注。",
        "· 单位可改为同量纲的任一单位（下拉列表），evalkit 自动换算为目录单位；量纲不符会报错并指出单元格。",
        "· 比例类数据以百分数填写（86 表示 86%）；设为百分比格式的单元格按显示值读取。",
        "· 请勿修改表名、表头和“代码”列；可在表格下方增加“不适用”“加分项”“参考值替换”的行。",
        "· 填写后检查：evalkit validate --park <园区代码> --years 2021-2023（列出全部问题及所在单元格）。",
        "",
        "各表",
        f"· {SETTINGS}：园区概况（profile）、整体评价严格模式（strict_overall）、碳排放核算因子选择（energy.*）。",
        f"· {BASIC}：基本要求清单，逐项选择“是/否/待补证”并写明证据；不满足的在备注中说明。任一项不满足则不开展绩效评价；"
        "有待补证项时评价暂缓（绩效指标照常计算，暂不定级）。",
        f"· {DATA}：指标计算所需的年度数据，每年一列。",
        f"· {ENERGY}：能源消费与排放数据（碳排放核算）。不提供能源数据时整表留空，可在{DATA}表直接填写二氧化碳排放总量等。",
        f"· {POINTS}：个别年份的单独来源或备注（数据项写 data.代码 或 energy.代码）。",
        f"· {QUALITATIVE}：定性指标每年选择档次并写明证据，档次标准见“{CATALOG}”表。",
        f"· {NOT_APPLICABLE}：不适用的指标，结构性原因（{'、'.join(r.id for r in catalog.not_applicable.reasons)}）"
        "及说明，其权重按比例分配给同一目标层的其他指标；“无法单独统计”属于数据缺失，不是不适用。",
        f"· {BONUS}：园区自选加分项（申报分值）；评价机构按加分细则（{'、'.join(e.id for e in catalog.bonus.rubric)}）"
        f"填写核定分值，只有核定分值计入，每年合计不超过 {catalog.bonus.cap_points:g} 分。",
        f"· {OVERRIDES}：替换目录参考值（reference）或下限（floor），须写明理由与来源，报告中逐项列出；注明文号和条款的替换视为已核实。",
        f"· {CONFIRMATIONS}：评价机构在原文中核实目录参考值后，填写文号、条款和核实人；存在未核实的参考值时报告为草稿。",
        f"· {CATALOG}：指标体系与定性指标档次标准（仅供参考，不读取）。",
        "",
        "可用单位（同一行内的单位可互相换算）",
        families,
    ]
    for line in text:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 120
    sheet["A1"].font = Font(bold=True, size=14)
    for row in sheet.iter_rows(min_row=2):
        row[0].alignment = WRAP


def _settings_sheet(book: Workbook, raw: dict[str, Any], factors: carbon.FactorTable) -> None:
    profile = raw.get("profile") or {}
    energy = raw.get("energy") or {}
    choices = {"grid_factor": (factors.electricity, "电网排放因子"),
               "heat_factor": (factors.heat, "外购热力排放因子"),
               "electricity_tce_basis": (factors.coal_equivalent.electricity, "电力折标准煤口径"),
               "grid_nonfossil_share": (factors.nonfossil.grid_share, "电网非化石能源发电量比重（指标16）")}
    rows = [[f"profile.{key}", label + ("（以“、”分隔）" if f"profile.{key}" in LIST_FIELDS else ""), profile.get(key)]
            for key, label in PROFILE_LABELS.items()]
    rows += [[f"profile.{key}", "目录中无此字段", value] for key, value in profile.items() if key not in PROFILE_LABELS]
    rows.append(["strict_overall", "整体评价严格模式（每种污染物排放强度均须下降）", raw.get("strict_overall", False)])
    rows += [[f"energy.{name}", choices[name][1], energy.get(name) or Energy.model_fields[name].default]
             for name in ENERGY_SETTINGS]
    sheet = _table(book, SETTINGS, SETTINGS_COLUMNS, rows)
    for n, (field, *_) in enumerate(rows, start=2):
        if field in BOOL_FIELDS:
            _dropdown(sheet, [YES, NO], f"C{n}")
        elif field.startswith("energy."):
            _dropdown(sheet, list(choices[field.removeprefix("energy.")][0]), f"C{n}")


def _basic_sheet(book: Workbook, raw: dict[str, Any], catalog: Catalog) -> None:
    answers = raw.get("basic_requirements") or {}
    items = {item.id: item for item in catalog.basic_requirements.items}
    rows = []
    for key in [*items, *(k for k in answers if k not in items)]:
        answer = answers.get(key) or {}
        item = items.get(key)
        met = PENDING if answer.get("met") == "unknown" else answer.get("met")
        rows.append([key, item.text_zh if item else "清单中无此编号", met, answer.get("evidence"),
                     answer.get("note"), answer.get("reconciliation"), item.evidence_hint_zh if item else ""])
    sheet = _table(book, BASIC, BASIC_COLUMNS, rows, freeze="C2")
    _dropdown(sheet, [YES, NO, PENDING], f"C2:C{len(rows) + 1}")


def _series_sheet(book: Workbook, title: str, years: list[int], rows: list[SeriesRow], section: str,
                  points: list[list[Any]]) -> None:
    """One row per series: code, name, unit, source, a value per year; per-year sources go to `points`."""
    columns = [*SERIES_HEAD, *(Column(year, None, 12) for year in years), *SERIES_TAIL]
    table = []
    for row in rows:
        series = row.series or {}
        values = series.get("values") or {}
        cells = []
        for year in years:
            value = values.get(year)
            if isinstance(value, dict):
                points.append([f"{section}.{row.code}", year, value.get("source"), value.get("note"),
                               *_quality_cells(value)])
                value = value.get("value")
            cells.append(value)
        table.append([row.code, row.name_zh, series.get("unit") or row.default_unit, series.get("source"),
                      *cells, row.note, series.get("note"), *_quality_cells(series)])
    sheet = _table(book, title, columns, table, freeze="E2")
    scope_column = get_column_letter(len(columns) - len(QUALITY_COLUMNS) + 1)
    _dropdown(sheet, list(SCOPE_LABELS.values()), f"{scope_column}2:{scope_column}{len(rows) + 1}")
    unit_cells: dict[tuple[str, ...], list[str]] = {}
    for n, row in enumerate(rows, start=2):
        unit_cells.setdefault(compatible_units(row.default_unit), []).append(f"C{n}")
    for options, cells in unit_cells.items():
        # A warning, not a stop: the list shows the units evalkit knows; validate reports any other.
        _dropdown(sheet, list(options), " ".join(cells), strict=False)


def _quality_cells(entry: dict[str, Any]) -> list[Any]:
    return [SCOPE_LABELS.get(entry.get("scope"), entry.get("scope")), entry.get("derivation"),
            entry.get("proxy_justification")]


def _qualitative_sheet(book: Workbook, raw: dict[str, Any], catalog: Catalog, years: list[int]) -> None:
    chosen = raw.get("qualitative") or {}
    codes = [i.code for i in catalog.indicators if i.kind == "qualitative"]
    rows, ranges = [], []
    for code in [*codes, *(c for c in chosen if c not in codes)]:
        ind = next((i for i in catalog.indicators if i.code == code), None)
        levels = (ind.scoring.levels or []) if ind else []
        guide = "；".join(f"{lv.id} {lv.label_zh}（{lv.score:g}）" for lv in levels)
        first = len(rows) + 2
        for year in sorted({*years, *chosen.get(code, {})}):
            choice = chosen.get(code, {}).get(year) or {}
            rows.append([code, ind.name_zh if ind else "目录中无此指标", year, choice.get("level"),
                         choice.get("evidence"), guide])
        ranges.append(([lv.id for lv in levels], f"D{first}:D{len(rows) + 1}"))
    sheet = _table(book, QUALITATIVE, QUALITATIVE_COLUMNS, rows, freeze="D2")
    for options, cells in ranges:
        _dropdown(sheet, options, cells)


def _indicator_rows_sheet(book: Workbook, title: str, columns: list[Column], catalog: Catalog,
                          rows: list[list[Any]]) -> None:
    """A table keyed by indicator code, with a drop-down of the catalog's codes for rows to add."""
    sheet = _table(book, title, columns, rows)
    codes = f"{quote_sheetname(CATALOG)}!$A$2:$A${len(catalog.indicators) + 1}"
    _validation(sheet, codes, f"A2:A{len(rows) + ROWS_TO_ADD + 1}", strict=True)


def _catalog_sheet(book: Workbook, catalog: Catalog) -> None:
    columns = [Column("代码", None, 8), Column("指标名称", None, 30), Column("目标层", None, 10),
               Column("一级指标", None, 14), Column("二级指标", None, 14), Column("类型", None, 8),
               Column("权重", None, 8), Column("单位", None, 10), Column("计算方法 / 档次标准", None, 90)]
    rows = []
    for ind in catalog.indicators:
        if ind.kind == "qualitative":
            how = "\n".join(f"{lv.id} {lv.label_zh}（{lv.score:g}）：{lv.criteria_zh}" for lv in ind.scoring.levels or [])
        else:
            how = ind.formula_zh
        rows.append([ind.code, ind.name_zh, ind.target_level, ind.first_level, ind.second_level,
                     "定性" if ind.kind == "qualitative" else "定量", ind.weight, ind.unit, how])
    _table(book, CATALOG, columns, rows, freeze="C2")


def _name(catalog: Catalog, code: str) -> str:
    return next((i.name_zh for i in catalog.indicators if i.code == code), "目录中无此指标")


def _years_text(years: list[int] | None) -> str | None:
    return None if years is None else LIST_SEPARATOR.join(map(str, years))


@lru_cache(maxsize=None)
def compatible_units(unit: str) -> tuple[str, ...]:
    """The units evalkit converts to `unit` (none when `unit` itself is unknown)."""
    found = []
    for candidate in known_units():
        try:
            factor(candidate, unit)
        except UnitError:
            continue
        found.append(candidate)
    return tuple(found)


def unit_families() -> list[list[str]]:
    families: list[list[str]] = []
    for unit in known_units():
        family = next((f for f in families if unit in compatible_units(f[0])), None)
        if family is None:
            families.append([unit])
        else:
            family.append(unit)
    return families


# Reading

class CellMap:
    """Where each field of the raw park dict was read, so a problem can name its sheet and cell."""

    def __init__(self) -> None:
        self._cells: dict[tuple[str, int | None], str] = {}

    def add(self, field: str, cell: str, year: int | None = None) -> None:
        self._cells[(field, year)] = cell

    def find(self, field: str, year: int | None = None) -> str | None:
        """The cell of `field` (in `year`), else of the nearest enclosing field: data.iva.values.2021 →
        the 2021 cell of data.iva; data.iva.unit → its unit cell."""
        parts = field.split(".")
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            for y in ([year, None] if year is not None else [None]):
                if (key, y) in self._cells:
                    return self._cells[(key, y)]
        return None

    def field_at(self, ref: str) -> str | None:
        """The field read from the cell `ref` (sheet!A1), if any."""
        return next((field for (field, _), cell in self._cells.items() if cell == ref), None)

    def locate(self, problem: Problem) -> Problem:
        cell = self.find(problem.field, problem.year)
        return problem if cell is None else replace(problem, field=f"sheet {cell}: {problem.field}")


def read_workbook(path: Path) -> dict[str, Any]:
    """The workbook as a raw park dict of the YAML shape; InputError names sheet and cell of each problem."""
    return read_workbook_with_cells(path)[0]


def read_workbook_with_cells(path: Path) -> tuple[dict[str, Any], CellMap]:
    """The raw park dict and where each field was read (for `evalkit validate`)."""
    reader = _Reader(path)
    raw = reader.read()
    problems = reader.problems
    try:
        parse_park(raw, reader.file)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems.errors:
        raise InputError([reader.cells.locate(p) for p in problems.items])
    return raw, reader.cells


@dataclass
class _Row:
    sheet: str
    cells: dict[str, Cell]
    years: dict[int, Cell]

    def get(self, key: str) -> Any:
        cell = self.cells.get(key)
        return None if cell is None else _read_value(cell)

    def ref(self, key: str) -> str:
        return _ref(self.sheet, self.cells[key])


def _ref(sheet: str, cell: Cell) -> str:
    return f"{sheet}!{cell.coordinate}"


def _read_value(cell: Cell) -> Any:
    value = cell.value
    if is_blank(value):
        return None
    # A cell formatted as a percentage holds the fraction: 86 % is stored as 0.86.
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return round(value * 100, 10)
    return value


class _Reader:
    """The input sheets as a raw park dict (blank cells as None, then `drop_blanks`), noting the cell
    of every field read and collecting what cannot be read at all (a missing sheet, column or code)."""

    def __init__(self, path: Path):
        self.path, self.file = path, str(path)
        self.problems = Problems()
        self.cells = CellMap()

    def problem(self, cell: str, value: Any, expected: str) -> None:
        self.problems.add(self.file, f"sheet {cell}", value, expected)

    def read(self) -> dict[str, Any]:
        refused = _unsafe_package(self.path)
        if refused:
            self.problems.add(self.file, "(file)", None, refused)
            raise InputError(self.problems.items)
        try:
            book = load_workbook(self.path, data_only=True)
            formulas = load_workbook(self.path, data_only=False)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, DefusedXmlException) as exc:
            self.problems.add(self.file, "(file)", None,
                              f"a readable .xlsx workbook ({type(exc).__name__}: {printable(str(exc), 200)})")
            raise InputError(self.problems.items) from None
        missing = [title for title in INPUT_SHEETS if title not in book.sheetnames]
        for title in missing:
            self.problems.add(self.file, f"sheet {title}", None,
                              "a sheet of this name: keep every sheet of the template, even when empty")
        if missing:
            raise InputError(self.problems.items)
        raw: dict[str, Any] = {"profile": {}, "basic_requirements": {}, "data": {}, "qualitative": {},
                               "not_applicable": {}, "bonus": {}, "reference_overrides": {}}
        energy: dict[str, Any] = {"fuels": {}}
        self._settings(book[SETTINGS], raw, energy)
        self._basic(book[BASIC], raw["basic_requirements"])
        self._series(book[DATA], "data", raw["data"])
        self._series(book[ENERGY], "energy", energy)
        raw["energy"] = energy
        self._points(book[POINTS], raw)
        self._qualitative(book[QUALITATIVE], raw["qualitative"])
        self._not_applicable(book[NOT_APPLICABLE], raw["not_applicable"])
        self._bonus(book[BONUS], raw["bonus"])
        self._overrides(book[OVERRIDES], raw["reference_overrides"])
        if CONFIRMATIONS in book.sheetnames:
            raw["reference_confirmations"] = {}
            self._confirmations(book[CONFIRMATIONS], raw["reference_confirmations"])
        self._uncomputed_formulas(book, formulas)
        if REPORT_SHEET in book.sheetnames:
            _merge_report_sheet(book[REPORT_SHEET], raw, self.file)
        return drop_blanks(raw)

    def _uncomputed_formulas(self, book: Workbook, formulas: Workbook) -> None:
        """A formula cell saved without its computed value (by a tool that does not calculate) would
        read as blank, i.e. as missing data: name it instead."""
        for title in INPUT_SHEETS:
            values = book[title]
            for (row, column), cell in sorted(_stored_cells(formulas[title]).items()):
                if cell.data_type == "f" and is_blank(values.cell(row, column).value):
                    ref = _ref(title, cell)
                    field = self.cells.field_at(ref)
                    self.problems.add(self.file, f"sheet {ref}" + (f": {field}" if field else ""),
                                      printable(cell.value, 60),
                                      "a value: this formula cell has no computed (cached) value; open the "
                                      "workbook in Excel or LibreOffice and save it, or type the number / "
                                      "公式单元格没有计算结果，请在 Excel 中打开并保存，或直接填写数值")

    def _rows(self, sheet: Worksheet, columns: list[Column], *, with_years: bool = False) -> Iterator[_Row]:
        """Every non-empty row below the header, its cells by column key (and by year). Only the
        cells the file stores are visited: a stray cell at XFD1048576 must not make it 17 billion."""
        stored = _stored_cells(sheet)
        header = {cell.value: column for (row, column), cell in sorted(stored.items()) if row == 1}
        where: dict[str, int] = {}
        for column in columns:
            if column.key is None:
                continue
            if column.header in header:
                where[column.key] = header[column.header]
            elif not column.optional:
                self.problem(f"{sheet.title}!1", None,
                             f"a column headed {column.header!r} (keep the template's headers)")
        if len(where) < sum(c.key is not None and not c.optional for c in columns):
            return  # reported above; the sheet cannot be read without its columns
        year_columns = {_year(h): n for h, n in header.items() if with_years and _year(h) is not None}
        headed = set(header.values())  # a cell in a column without a header is not part of the table
        rows = sorted({row for row, column in stored if row > 1 and column in headed})
        if len(rows) > MAX_ROWS:
            self.problem(f"{sheet.title}!A{rows[MAX_ROWS]}", f"{len(rows):,} rows",
                         f"at most {MAX_ROWS:,} filled rows in a sheet")
            return
        for row in rows:
            yield _Row(sheet.title, {key: sheet.cell(row, n) for key, n in where.items()},
                       {year: sheet.cell(row, n) for year, n in year_columns.items()})

    def _settings(self, sheet: Worksheet, raw: dict[str, Any], energy: dict[str, Any]) -> None:
        for row in self._rows(sheet, SETTINGS_COLUMNS):
            field = row.get("field")
            if field is None:
                continue
            field = str(field).strip()
            if not SETTING_FIELD.fullmatch(field):
                self.problem(row.ref("field"), field, "profile.<field>, strict_overall or energy.<setting>")
                continue
            self.cells.add(field, row.ref("value"))
            value = _setting(field, row.get("value"))
            section, _, name = field.rpartition(".")
            target = energy if section == "energy" else raw[section] if section else raw
            target[name] = value

    def _basic(self, sheet: Worksheet, answers: dict[str, Any]) -> None:
        for row in self._rows(sheet, BASIC_COLUMNS):
            key = self._key(row, "id", answers, "basic_requirements")
            if key is None:
                continue
            self.cells.add(f"basic_requirements.{key}", row.ref("met"))  # an unanswered item: fill in here
            for name in ("met", "evidence", "note", "reconciliation"):
                if name in row.cells:
                    self.cells.add(f"basic_requirements.{key}.{name}", row.ref(name))
            answers[key] = {"met": _yes_no(row.get("met")), "evidence": row.get("evidence"), "note": row.get("note")}
            if row.get("reconciliation") is not None:
                answers[key]["reconciliation"] = row.get("reconciliation")

    def _series(self, sheet: Worksheet, section: str, found: dict[str, Any]) -> None:
        for row in self._rows(sheet, [*SERIES_HEAD, *SERIES_TAIL], with_years=True):
            code = self._key(row, "symbol", _flat(found), section)
            if code is None:
                continue
            field = f"{section}.{code}"
            for name in ("unit", "source"):
                self.cells.add(f"{field}.{name}", row.ref(name))
            values = {}
            for year, cell in row.years.items():
                self.cells.add(field, _ref(sheet.title, cell), year)
                values[year] = _read_value(cell)
            series = {"unit": row.get("unit"), "source": row.get("source"), "values": values,
                      "note": row.get("note"), **self._quality(row, field)}
            if section == "energy" and code.startswith("fuels."):
                found["fuels"][code.removeprefix("fuels.")] = series
            else:
                found[code] = series

    def _points(self, sheet: Worksheet, raw: dict[str, Any]) -> None:
        seen: set[tuple[str, Any]] = set()
        for row in self._rows(sheet, POINT_COLUMNS):
            field, year = row.get("field"), row.get("year")
            source, note = row.get("source"), row.get("note")
            if field is None or year is None or (field, year) in seen:
                self.problem(row.ref("field"), field, "a field and a year, once (one row per figure)")
                continue
            seen.add((field, year))
            self.cells.add(f"{field}.values.{year}.source", row.ref("source"))
            self.cells.add(f"{field}.values.{year}.note", row.ref("note"))
            values = _series_at(raw, str(field))
            if values is None or is_blank(values.get(year)):
                self.problem(row.ref("field"), f"{field} {year}",
                             f"a figure for this field and year in {DATA} or {ENERGY}")
                continue
            values[year] = {"value": values[year], "source": source, "note": note,
                            **self._quality(row, f"{field}.values.{year}")}

    def _quality(self, row: _Row, field: str) -> dict[str, Any]:
        found = {}
        for key in QUALITY_KEYS:
            if key in row.cells:
                self.cells.add(f"{field}.{key}", row.ref(key))
                value = row.get(key)
                found[key] = {label: name for name, label in SCOPE_LABELS.items()}.get(value, value)
        return found

    def _qualitative(self, sheet: Worksheet, chosen: dict[str, Any]) -> None:
        for row in self._rows(sheet, QUALITATIVE_COLUMNS):
            code, year = row.get("code"), row.get("year")
            if code is None or year is None or year in chosen.get(code, {}):
                self.problem(row.ref("code"), code, "an indicator code and a year, once (one row per year)")
                continue
            self.cells.add(f"qualitative.{code}", row.ref("code"))
            self.cells.add(f"qualitative.{code}", row.ref("level"), _as_year(year))
            self.cells.add(f"qualitative.{code}.{year}.evidence", row.ref("evidence"))
            chosen.setdefault(code, {})[year] = {"level": row.get("level"), "evidence": row.get("evidence")}

    def _not_applicable(self, sheet: Worksheet, found: dict[str, Any]) -> None:
        for row in self._rows(sheet, NOT_APPLICABLE_COLUMNS):
            code = self._key(row, "code", found, "not_applicable")
            if code is None:
                continue
            for name in ("reason", "justification", "years"):
                self.cells.add(f"not_applicable.{code}.{name}", row.ref(name))
            found[code] = {"reason": row.get("reason"), "justification": row.get("justification"),
                           "years": _year_list(row.get("years"))}

    def _bonus(self, sheet: Worksheet, found: dict[Any, list[dict[str, Any]]]) -> None:
        for row in self._rows(sheet, BONUS_COLUMNS):
            year = row.get("year")
            if year is None:
                self.problem(row.ref("year"), None, "the year the bonus item counts in")
                continue
            items = found.setdefault(year, [])
            self.cells.add(f"bonus.{year}", row.ref("year"))
            for name in BONUS_FIELDS:
                self.cells.add(f"bonus.{year}.{len(items)}.{name}", row.ref(name))
            items.append({name: row.get(name) for name in BONUS_FIELDS})

    def _overrides(self, sheet: Worksheet, found: dict[str, Any]) -> None:
        for row in self._rows(sheet, OVERRIDE_COLUMNS):
            code = self._key(row, "code", found, "reference_overrides")
            if code is None:
                continue
            for name in OVERRIDE_FIELDS:
                self.cells.add(f"reference_overrides.{code}.{name}", row.ref(name))
            found[code] = {name: row.get(name) for name in OVERRIDE_FIELDS}

    def _confirmations(self, sheet: Worksheet, found: dict[str, Any]) -> None:
        for row in self._rows(sheet, CONFIRMATION_COLUMNS):
            code = self._key(row, "code", found, "reference_confirmations")
            if code is None:
                continue
            for name in ("fields", *CONFIRMATION_FIELDS):
                self.cells.add(f"reference_confirmations.{code}.{name}", row.ref(name))
            fields = row.get("fields")
            found[code] = {"fields": [f.strip() for f in re.split(r"[、,，\s]+", str(fields)) if f.strip()]
                           if fields is not None else None, **{name: row.get(name) for name in CONFIRMATION_FIELDS}}

    def _key(self, row: _Row, column: str, seen: dict[str, Any], section: str) -> str | None:
        """The row's code; a row without one, or repeating one, is a problem."""
        code = row.get(column)
        if code is None or str(code).strip() in seen:
            self.problem(row.ref(column), code, "a code, once per sheet (the row has data but no code, "
                                                "or repeats one)")
            return None
        code = str(code).strip()
        self.cells.add(f"{section}.{code}", row.ref(column))
        return code


def _stored_cells(sheet: Worksheet) -> dict[tuple[int, int], Cell]:
    """The non-blank cells the file stores, by (row, column). openpyxl has no public way to list them
    without walking the sheet's whole rectangle, which one far-away cell makes astronomically large."""
    return {key: cell for key, cell in sheet._cells.items() if not is_blank(cell.value)}


def _unsafe_package(path: Path) -> str | None:
    """Why the .xlsx package must not be parsed at all, if it must not: too large once unzipped (a zip
    bomb), or XML with a DOCTYPE (entity expansion, "billion laughs"; no Excel file has one)."""
    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
            if len(members) > MAX_PARTS or sum(m.file_size for m in members) > MAX_UNZIPPED:
                return (f"an .xlsx workbook of at most {MAX_PARTS} parts and {MAX_UNZIPPED // 1_000_000} MB "
                        "unzipped (this one is larger: not a park input file)")
            for member in members:
                if member.filename.endswith((".xml", ".rels", ".vml")):
                    with package.open(member) as part:
                        head = part.read(4096).upper()
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        return (f"an .xlsx workbook without XML DOCTYPE or ENTITY declarations "
                                f"({member.filename} has one: refused, it could expand without bound)")
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"a readable .xlsx workbook (a zip package; {type(exc).__name__}: {printable(str(exc), 200)})"
    return None


def _year(header: Any) -> int | None:
    match = re.fullmatch(r"(\d{4})\s*年?", str(header).strip())  # 2021, "2021" or "2021年"
    return int(match.group(1)) if match else None


def _as_year(value: Any) -> int | None:
    return _year(value) if value is not None else None


def _year_list(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return None if value is None else [value]
    parts = [p for p in re.split(r"[、,，;；\s]+", str(value)) if p]
    return [int(p) if p.isdigit() else p for p in parts]


def _yes_no(value: Any) -> Any:
    return {YES: True, NO: False, PENDING: "unknown"}.get(value, value) if isinstance(value, str) else value


def _setting(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in BOOL_FIELDS:
        return _yes_no(value)
    if field in LIST_FIELDS:
        return [p.strip() for p in str(value).split(LIST_SEPARATOR) if p.strip()]
    if field not in NUMBER_FIELDS and isinstance(value, (int, float)):
        return str(value)  # a text field Excel took for a number (a level "3", a name "2049")
    return value


def _flat(energy_or_data: dict[str, Any]) -> dict[str, Any]:
    """Codes already read in a series sheet (fuels under `fuels.`)."""
    fuels = energy_or_data.get("fuels") if isinstance(energy_or_data.get("fuels"), dict) else {}
    return {**energy_or_data, **{f"fuels.{k}": v for k, v in fuels.items()}}


def _series_at(raw: dict[str, Any], field: str) -> dict[Any, Any] | None:
    """The values of the series at `field` (data.iva, energy.fuels.raw_coal …), if read."""
    node: Any = raw
    for part in field.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node.get("values") if isinstance(node, dict) else None
