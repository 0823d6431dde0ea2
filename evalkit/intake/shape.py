"""What a park file holds, as templates and workbooks lay it out, and what a blank means.

A template leaves every field blank: `null` in YAML, an empty cell in Excel. `drop_blanks` removes
blanks before the file's shape is checked, so a blank reads exactly as if it had never been written:
a missing value (0 points, a data gap), an unanswered basic requirement, a qualitative indicator
without a level.
"""

from __future__ import annotations

from typing import Any, Callable

from evalkit.carbon.factors import Fuel

PROFILE_LABELS = {
    "name_zh": "园区名称（必填）",
    "name_en": "英文名称",
    "synthetic": "是否为合成示范数据",
    "province": "省份",
    "city": "城市",
    "park_type": "园区类型（如 化工园区、高新技术产业开发区）",
    "level": "园区级别（国家级、省级……）",
    "management_body": "管理机构（责任主体）",
    "area_km2": "面积（km²）",
    "established": "设立年份",
    "main_industries": "主导产业",
    "description": "园区简介",
    "base_year": "整体评价基准年（空 = 评价窗口首年）",
    "assessor": "评价机构",
    "assessment_type": "评价类型（自评价 / 第三方评价）",
}

ENERGY_SETTINGS = ("grid_factor", "heat_factor", "electricity_tce_basis", "grid_nonfossil_share")

# Energy series other than fuels: Chinese name and the unit statistics usually report them in.
ENERGY_SERIES = {
    "electricity_purchased": ("外购电力（含外购绿色电力）", "万kWh"),
    "electricity_exported": ("输出电力", "万kWh"),
    "green_electricity": ("外购绿色电力（绿电交易、绿证；属外购电力的一部分）", "万kWh"),
    "onsite_renewable": ("自发自用可再生能源电力", "万kWh"),
    "heat_purchased": ("外购热力", "GJ"),
    "heat_exported": ("输出热力", "GJ"),
    "process_co2": ("工业生产过程二氧化碳排放量", "吨"),
    "verified_co2": ("经核证的二氧化碳排放总量（填写的年份直接采用）", "吨"),
}

# Energy statistics (能源购进、消费与库存表) report solid and liquid fuels in 吨, gases in 万m³.
_STATISTICS_UNIT = {"kg": "吨", "m³": "万m³"}


def fuel_unit(fuel: Fuel) -> str:
    return _STATISTICS_UNIT.get(fuel.activity_unit, fuel.activity_unit)


# Blanks

def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def drop_blanks(raw: Any) -> Any:
    """The park file without its blanks. A series without any value, a basic requirement without
    `met`, a qualitative year without `level` and an energy section without any series are blank as
    a whole. Anything not shaped as expected is left as it is, for `parse_park` to report."""
    if not isinstance(raw, dict):
        return raw
    sections: dict[str, Callable[[Any], Any]] = {
        "profile": _filled,
        "basic_requirements": lambda v: _each(v, _answer),
        "data": lambda v: _each(v, _series),
        "energy": _energy,
        "qualitative": lambda v: _each(v, lambda years: _each(years, _choice) or None),
        "not_applicable": lambda v: _each(v, _filled),
        "bonus": lambda v: _each(v, lambda items: [_filled(i) for i in items] if isinstance(items, list) else items),
        "reference_overrides": lambda v: _each(v, _filled),
    }
    cleaned = {key: sections.get(key, lambda v: v)(value) for key, value in raw.items()}
    return {key: value for key, value in cleaned.items() if not is_blank(value)}


def _filled(mapping: Any) -> Any:
    if not isinstance(mapping, dict):
        return mapping
    return {key: value for key, value in mapping.items() if not is_blank(value)}


def _each(mapping: Any, clean: Callable[[Any], Any]) -> Any:
    """Clean every entry of a mapping; entries that clean to None are blank and dropped."""
    if not isinstance(mapping, dict):
        return mapping
    return {key: cleaned for key, value in mapping.items() if (cleaned := clean(value)) is not None}


def _series(raw: Any) -> Any:
    if not isinstance(raw, dict) or not isinstance(raw.get("values", {}), dict):
        return raw
    values = {year: _filled(value) for year, value in raw.get("values", {}).items()
              if not is_blank(value.get("value") if isinstance(value, dict) else value)}
    return {**_filled(raw), "values": values} if values else None


def _answer(raw: Any) -> Any:
    return None if isinstance(raw, dict) and is_blank(raw.get("met")) else _filled(raw)


def _choice(raw: Any) -> Any:
    return None if isinstance(raw, dict) and is_blank(raw.get("level")) else _filled(raw)


def _energy(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    energy = _filled({key: _each(value, _series) if key == "fuels" else
                      _series(value) if key in ENERGY_SERIES else value for key, value in raw.items()})
    has_series = energy.get("fuels") or any(key in energy for key in ENERGY_SERIES)
    return energy if has_series else None
