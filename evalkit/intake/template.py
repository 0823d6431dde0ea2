"""Blank input files for a park (`evalkit template`).

A template lists every input the catalog needs, every basic requirement, every qualitative
indicator and every energy field of the factor table, each left blank (see `evalkit.intake.shape`
for what a blank means when the file is read). params/README.md documents the format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from evalkit import carbon
from evalkit.carbon.energy import Energy
from evalkit.catalog import Catalog
from evalkit.intake.shape import ENERGY_SERIES, ENERGY_SETTINGS, PROFILE_LABELS, fuel_unit
from evalkit.intake.workbook import write_workbook

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def write_template(catalog: Catalog, park_id: str, years: list[int], output: Path, *, xlsx: bool,
                   factors: carbon.FactorTable | None = None) -> None:
    """Write a blank input file for `park_id` with a column (or a null) for each of `years`."""
    factors = factors or carbon.load_factors()
    raw = blank_park(catalog, years, factors)
    output.parent.mkdir(parents=True, exist_ok=True)
    if xlsx:
        write_workbook(raw, catalog, output, factors=factors)
    else:
        output.write_text(_yaml_template(raw, catalog, factors, park_id, years), "utf-8")


def blank_park(catalog: Catalog, years: list[int], factors: carbon.FactorTable) -> dict[str, Any]:
    """A park file in the YAML shape with every field the catalog and factor table know, all blank."""
    def series(unit: str) -> dict[str, Any]:
        return {"unit": unit, "source": None, "values": dict.fromkeys(years)}

    return {
        "profile": {**dict.fromkeys(PROFILE_LABELS), "synthetic": False, "main_industries": []},
        "basic_requirements": {item.id: {"met": None, "evidence": None}
                               for item in catalog.basic_requirements.items},
        "data": {symbol: series(spec.unit) for symbol, spec in catalog.inputs.items()},
        "energy": {
            **{name: Energy.model_fields[name].default for name in ENERGY_SETTINGS},
            "fuels": {key: series(fuel_unit(fuel)) for key, fuel in factors.fuels.items()},
            **{name: series(unit) for name, (_, unit) in ENERGY_SERIES.items()},
        },
        "qualitative": {ind.code: {year: {"level": None, "evidence": None} for year in years}
                        for ind in catalog.indicators if ind.kind == "qualitative"},
        "not_applicable": {},
        "bonus": {},
        "reference_overrides": {},
        "strict_overall": False,
    }


# The YAML template: the blank park, written by hand so that every entry carries its Chinese name.

def _yaml_template(raw: dict[str, Any], catalog: Catalog, factors: carbon.FactorTable, park_id: str,
                   years: list[int]) -> str:
    sections = [_yaml_head(raw, catalog, park_id, years), _yaml_basic(raw, catalog), _yaml_data(raw, catalog),
                _yaml_energy(raw, factors), _yaml_qualitative(raw, catalog), _yaml_tail(raw, catalog)]
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _yaml_head(raw: dict[str, Any], catalog: Catalog, park_id: str, years: list[int]) -> list[str]:
    window = f"{years[-min(3, len(years))]}-{years[-1]}"
    entries = {key: f"  {key}: {_flow(value)}" for key, value in raw["profile"].items()}
    width = max(map(len, entries.values())) + 2
    return [
        f"# evalkit 园区输入文件 / park input file: {park_id}, {years[0]}–{years[-1]}",
        f"# 指标目录 / catalog: {catalog.id} v{catalog.version}; format: params/README.md",
        "#",
        "# null = 未填写 (not filled in). A missing value scores 0 and is listed as a data gap;",
        "# an unanswered basic requirement is pending evidence (待补证). Replace null with the figure.",
        "# A figure that is not measured says so: scope: derived | estimated | proxy, with derivation;",
        "# a proxy (e.g. the city's figure) is scored only with a proxy_justification (params/README.md).",
        "# Every series needs a source (数据来源). A unit may be any unit of the same dimension",
        "# (元/万元/亿元, 千克/吨/万吨, kWh/万kWh/MWh …): evalkit converts it to the catalog's unit.",
        "# A year may carry its own source: 2023: {value: 12.5, source: …, note: …}.",
        f"# Check the file with: evalkit validate --park {park_id} --years {window}",
        "",
        "profile:",
        *(f"{text.ljust(width)}# {PROFILE_LABELS[key]}" for key, text in entries.items()),
    ]


def _yaml_basic(raw: dict[str, Any], catalog: Catalog) -> list[str]:
    lines = ["# 基本要求：met: true（满足）/ false（不满足，须在 note 中说明）/ unknown（待补证）；满足的须写明证据 evidence。",
             "# 答复满足而园区数据与之不一致（如PM2.5超标）的为待核实：评价机构核实后改为 false，或写明核实说明 reconciliation。",
             "basic_requirements:"]
    for item in catalog.basic_requirements.items:
        lines += [f"  # {item.text_zh}（证据示例：{item.evidence_hint_zh}）",
                  f"  {item.id}: {_flow(raw['basic_requirements'][item.id])}"]
    return lines


def _yaml_data(raw: dict[str, Any], catalog: Catalog) -> list[str]:
    lines = ["# 年度数据：单位为目录单位，可改为同量纲的其他单位。", "data:"]
    for symbol, spec in catalog.inputs.items():
        note = "；由能源数据核算，填写 energy 时此项留空" if spec.carbon else ""
        lines += [f"  # {spec.name_zh}（{spec.unit}{note}）", f"  {symbol}: {_flow(raw['data'][symbol])}"]
    return lines


def _yaml_energy(raw: dict[str, Any], factors: carbon.FactorTable) -> list[str]:
    energy = raw["energy"]
    options = {"grid_factor": factors.electricity, "heat_factor": factors.heat,
               "electricity_tce_basis": factors.coal_equivalent.electricity,
               "grid_nonfossil_share": factors.nonfossil.grid_share}
    return [
        "# 能源数据（碳排放核算）：不提供能源数据时整节留空。",
        "energy:",
        *(f"  {name}: {_flow(energy[name])}  # one of: {', '.join(options[name])}" for name in ENERGY_SETTINGS),
        "  fuels:",
        *(f"    {key}: {_flow(energy['fuels'][key])}  # {fuel.name_zh}" for key, fuel in factors.fuels.items()),
        *(f"  {name}: {_flow(energy[name])}  # {name_zh}" for name, (name_zh, _) in ENERGY_SERIES.items()),
    ]


def _yaml_qualitative(raw: dict[str, Any], catalog: Catalog) -> list[str]:
    lines = ["# 定性指标：每年选择一个档次 level 并写明证据 evidence。", "qualitative:"]
    for code, choices in raw["qualitative"].items():
        ind = catalog.indicator(code)
        levels = " / ".join(f"{lv.id} {lv.label_zh}（{lv.score:g}）" for lv in ind.scoring.levels or [])
        lines.append(f"  {code}:  # {ind.name_zh}：{levels}")
        lines += [f"    {year}: {_flow(choice)}" for year, choice in choices.items()]
    return lines


def _yaml_tail(raw: dict[str, Any], catalog: Catalog) -> list[str]:
    return [
        "# 不适用指标：reason 取目录的结构性原因之一，并写明说明（years 省略 = 全部年份）；",
        "# “无法单独统计”属于数据缺失，不是不适用。reason：" + "、".join(r.id for r in catalog.not_applicable.reasons),
        "#   I28: {reason: no_such_facility, justification: 园区无窑炉、锅炉等高温工艺，无可回收余热资源, years: [2021, 2022]}",
        "not_applicable: {}",
        "",
        f"# 加分项：points 为园区申报分值；评价机构按目录加分细则（rubric）核定 approved_points，只有核定分值计入，"
        f"每年合计不超过 {catalog.bonus.cap_points:g} 分。rubric：" + "、".join(e.id for e in catalog.bonus.rubric),
        "#   2023:",
        "#     - {name: 园区CCUS示范项目, points: 3, justification: …, evidence: …, rubric: demonstration_project,",
        "#        approved_points: 3, approval_note: 核查运行台账，符合细则}",
        "bonus: {}",
        "",
        "# 参考值替换（须写明理由与来源），例：",
        "#   I27: {reference: 15, justification: 所在城市非缺水城市…, source: …}",
        "reference_overrides: {}",
        "",
        "# true: 整体评价要求每一种污染物排放强度均下降（严格模式）",
        f"strict_overall: {_flow(raw['strict_overall'])}",
        "",
        "# 证明材料清单（文件放在本文件旁的 evidence/<park>/ 文件夹；各数据项用 evidence_ids: [D01] 引用），例：",
        "#   - {id: D01, title: 市统计局《园区主要经济指标》年报, issuer: 市统计局, doc_no: …, date: 2024-03-01,",
        "#      file: D01.pdf, verification: [资料核查], verified_by: …}",
        "evidence: []",
        "",
        "# 报告信息（评价机构填写；未填写处报告标注【待评价机构填写】）",
        "report:",
        "  report_no: null        # 报告编号",
        "  client: null           # 委托方",
        "  date: null             # 报告日期",
        "  scope: {geographic: null, statistical: null, notes: []}   # 评价范围与边界；口径说明",
        "  procedure: []          # 评价工作程序：- {activity: 现场核查, dates: …, by: …, content: …}",
        "  conclusion: null       # 评价结论",
        "  recommendations: []    # 建议",
        "  project_lead: null     # 项目负责人",
        "  reviewer: null         # 审核人",
        "  approver: null         # 批准人",
        "  sign_date: null        # 签署日期",
    ]


def _flow(value: Any) -> str:
    """A value as YAML flow text: plain keys, quoted strings, null for blanks."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _key(key: Any) -> str:
    return str(key) if isinstance(key, int) or _PLAIN_KEY.match(str(key)) else json.dumps(key, ensure_ascii=False)
