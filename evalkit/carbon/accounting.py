"""Carbon accounting from a park's energy statistics (DIGEST decision 10).

Fuel combustion: activity × net calorific value × carbon content × oxidation × 44/12
(《省级温室气体清单编制指南》, GB/T 32150 style). Purchased electricity and heat: activity × the
factor the park names (energy.grid_factor, energy.heat_factor). Process emissions: as reported.
Energy in tce follows GB/T 2589. Factors come from the factor table (`evalkit.carbon.factors`);
every fallback to another year's factor is noted.

Electricity and heat conventions, stated in the report's methodology:
- green electricity (energy.green_electricity) is market-traded green electricity bought (绿电交易),
  a part of purchased electricity: it is not charged a grid factor, and the rest of purchased
  electricity is charged the grid factor's `residual` (MEE/NBS factor without market-traded
  non-fossil power) so that the green power is not counted twice;
- one factor series for all years of a park: once the park deducts green electricity in any year of
  its file, every year's grid electricity is charged the `residual` series, so that a change rate
  (indicator 11, the overall evaluation) never compares two series and switching series never
  reads as an emission change; a park that never deducts uses the inclusive series throughout;
- onsite renewable generation used in the park emits nothing, adds to energy consumption and
  counts as non-fossil;
- exported electricity and heat are subtracted at the same factors (negative lines).
Non-fossil energy (indicator 16) follows the factor table's `nonfossil` settings: by default the
发电煤耗法 of national statistics — own renewables + green electricity + the grid's non-fossil share
of the rest of purchased electricity, × the year's coal rate — over primary energy on the same basis.

A park may give a verified CO2 total for a year (energy.verified_co2); that total is used as is,
and energy figures are still computed when the year has energy data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import BaseModel

from evalkit.carbon.energy import Energy
from evalkit.carbon.factors import Factor, FactorTable, NamedFactor
from evalkit.core.fields import Series
from evalkit.core.problems import Problems
from evalkit.core.trace import Trace, TraceInput, fmt
from evalkit.core.units import UnitError, convert

C_TO_CO2 = 44 / 12
KJ_TO_TJ = 1e-9
UNVERIFIED = "（仅见于二手来源，未经原文核实）"
VERIFIED_TOTAL = "经核证排放总量"
# The catalog symbols carbon accounting supplies, and the CarbonYear field each is read from.
CARBON_FIELDS = {"co2": "total_t", "energy_tce": "energy_tce", "nonfossil_tce": "nonfossil_tce",
                 "primary_tce": "primary_energy_tce"}
NONFOSSIL_METHOD = {
    "generation_coal_rate": "发电煤耗计算法（国家统计口径）：非化石能源电力按当年火电标准煤耗折算，"
                            "分母为同一口径的一次能源消费量",
    "calorific_equivalent": "电热当量计算法（当量值）：非化石能源电力按 0.1229 kgce/kWh 类当量系数折算，"
                            "分母为园区综合能源消费量",
}


# Results

class FactorUse(BaseModel):
    """A factor as used for one year; `year` is the published year taken (None for a constant)."""

    id: str
    name_zh: str
    value: float
    unit: str
    year: int | None
    source: str
    verified: bool
    published: str | None = None     # ISO date the source was published, when the table gives it

    def trace_input(self, symbol: str) -> TraceInput:
        source = self.source if self.verified else self.source + UNVERIFIED
        return TraceInput(symbol=symbol, name_zh=self.name_zh, value=self.value, unit=self.unit,
                          year=self.year, source=source)


class CarbonLine(BaseModel):
    """One emission source or energy carrier: the park's figure, the factors applied, the results."""

    source_zh: str
    field: str
    activity: float
    activity_unit: str
    activity_source: str
    factor_ids: list[str]
    co2_t: float | None              # None when the year uses a verified total
    tce: float | None                # None for process emissions and the verified total
    co2_trace: Trace | None = None
    tce_trace: Trace | None = None
    charged: float | None = None     # kWh or GJ charged the emission factor (after green electricity)
    charged_factor: str | None = None  # id of the emission factor charged


class CarbonYear(BaseModel):
    year: int
    method: Literal["accounted", "verified_total"]
    factor_table: str                # id and version of the factor table
    total_t: float
    by_source: dict[str, float]
    intensity: float | None          # t CO2 / 万元 industrial value added (indicator 10)
    energy_tce: float | None
    nonfossil_tce: float | None      # None when the park gave no electricity figures
    primary_energy_tce: float | None = None  # the share's denominator on the non-fossil method's basis
    nonfossil_method: str = ""       # NONFOSSIL_METHOD text
    nonfossil_share: float | None    # % (indicator 16)
    energy_productivity: float | None  # 万元 / tce (indicator 15)
    factors: list[FactorUse]
    lines: list[CarbonLine]
    traces: dict[str, Trace]
    notes: list[str]


# Accounting

@dataclass(frozen=True)
class _Carrier:
    name_zh: str
    unit: str   # the unit the arithmetic uses: kWh or GJ
    sign: int   # exports count negative


# Energy fields other than fuels. Green electricity is not a line of its own: it is part of
# purchased electricity, exempt from the grid factor, and counted as non-fossil.
CARRIERS = {
    "electricity_purchased": _Carrier("外购电力", "kWh", 1),
    "electricity_exported": _Carrier("输出电力", "kWh", -1),
    "green_electricity": _Carrier("外购绿色电力", "kWh", 1),
    "onsite_renewable": _Carrier("自发自用可再生能源电力", "kWh", 1),
    "heat_purchased": _Carrier("外购热力", "GJ", 1),
    "heat_exported": _Carrier("输出热力", "GJ", -1),
}


@dataclass(frozen=True)
class _Activity:
    """A park figure for the year, as given and in the unit the arithmetic uses."""

    name_zh: str
    given: float
    unit: str
    source: str
    year: int
    value: float
    base_unit: str

    def trace_input(self, symbol: str) -> TraceInput:
        return TraceInput(symbol=symbol, name_zh=self.name_zh, value=self.given, unit=self.unit,
                          year=self.year, source=self.source)

    def conversion(self, symbol: str) -> str:
        if self.unit == self.base_unit:
            return ""
        return f"{symbol} = {fmt(self.given)} {self.unit} = {fmt(self.value)} {self.base_unit}；"


class _Ledger:
    """One accounting year: its problems, the factors used (each resolved once) and notes."""

    def __init__(self, energy: Energy, table: FactorTable, year: int, file: str):
        self.energy, self.table, self.year, self.file = energy, table, year, file
        self.problems = Problems()
        self.factors: dict[str, FactorUse | None] = {}
        self.notes: list[str] = []
        green = energy.green_electricity
        self.green_years = sorted(y for y, v in green.values.items() if v) if green is not None else []
        """The years of the file in which green electricity is deducted: any one puts every year on the
        residual series (module docstring)."""

    def problem(self, field: str, value: object, expected: str) -> None:
        self.problems.add(self.file, field, value, expected, year=self.year)

    def activity(self, field: str, series: Series, base_unit: str, name_zh: str) -> _Activity | None:
        point = series.point(self.year)
        if point is None:
            self.problem(field, None, f"a value for {self.year} (0 if none was used)")
            return None
        value, source = point
        try:
            converted = convert(value, series.unit, base_unit)
        except UnitError as exc:
            self.problem(f"{field}.unit", series.unit, f"a unit convertible to {base_unit} ({exc})")
            return None
        return _Activity(name_zh, value, series.unit, source, self.year, converted, base_unit)

    def factor(self, factor_id: str, factor: Factor, name_zh: str, field: str,
               value: object, required: bool = True) -> FactorUse | None:
        """The factor's value for this year; if it has none, a problem against the park's `field`
        (or, when not `required`, a note saying what could not be computed)."""
        if factor_id in self.factors:
            return self.factors[factor_id]
        found = factor.at(self.year)
        use = None
        if found is None and not required:
            self.notes.append(f"因子表 {self.table.label} 无{self.year}年的{name_zh}，{self.year}年非化石能源消费量"
                              "未计算（指标16按数据缺失处理，列为数据缺口）。")
        elif found is None:
            self.problem(field, value, f"a value for {self.year} of {factor_id} in factor table "
                                       f"{self.table.label} (it has {sorted(factor.by_year)}, "
                                       f"fallback_years {sorted(factor.fallback_years) or 'none'})")
        else:
            number, used_year = found
            source = self.table.sources[factor.source_key(used_year)]
            use = FactorUse(id=factor_id, name_zh=name_zh, value=number, unit=factor.unit, year=used_year,
                            source=source.title, verified=factor.verified,
                            published=source.published.isoformat() if source.published else None)
            if used_year not in (None, self.year):
                reason = f"（{factor.fallback_reason}）" if factor.fallback_reason else ""
                self.notes.append(f"{name_zh}：因子表 {self.table.label} 未收录{self.year}年值{reason}，按因子表的规定"
                                  f"采用{used_year}年值 {fmt(number)} {factor.unit}，出处：{source.title}。")
        self.factors[factor_id] = use
        return use

    # The park's named choices, resolved once so an unknown name is reported once.
    @cached_property
    def grid(self) -> FactorUse | None:
        return self._choose("energy.grid_factor", self.energy.grid_factor, self.table.electricity,
                            "electricity")

    @cached_property
    def heat(self) -> FactorUse | None:
        return self._choose("energy.heat_factor", self.energy.heat_factor, self.table.heat, "heat")

    @cached_property
    def electricity_tce(self) -> FactorUse | None:
        return self._choose("energy.electricity_tce_basis", self.energy.electricity_tce_basis,
                            self.table.coal_equivalent.electricity, "coal_equivalent.electricity")

    @cached_property
    def residual(self) -> FactorUse | None:
        """The grid factor for purchased electricity after market-traded green electricity; None when
        the chosen factor names no residual factor."""
        chosen = self.table.electricity.get(self.energy.grid_factor)
        if chosen is None or chosen.residual is None:
            return None
        factor = self.table.electricity[chosen.residual]
        return self.factor(f"electricity.{chosen.residual}", factor, factor.name_zh, "energy.grid_factor",
                           self.energy.grid_factor)

    @cached_property
    def coal_rate(self) -> FactorUse | None:
        rate = self.table.nonfossil.coal_rate
        assert rate is not None  # the table's loader requires it for generation_coal_rate
        return self.factor("nonfossil.coal_rate", rate, rate.name_zh, "energy", "nonfossil", required=False)

    @cached_property
    def grid_share(self) -> FactorUse | None:
        return self._choose("energy.grid_nonfossil_share", self.energy.grid_nonfossil_share,
                            self.table.nonfossil.grid_share, "nonfossil.grid_share", required=False)

    def _choose(self, field: str, choice: str, options: dict[str, NamedFactor],
                prefix: str, required: bool = True) -> FactorUse | None:
        factor = options.get(choice)
        if factor is None:
            self.problem(field, choice, f"one of {', '.join(options)} (factor table {self.table.label})")
            return None
        return self.factor(f"{prefix}.{choice}", factor, factor.name_zh, field, choice, required)


def account(energy: Energy, year: int, *, file: str, table: FactorTable,
            value_added_wan_yuan: float | None = None, value_added_source: str | None = None) -> CarbonYear:
    """CO2, energy and non-fossil energy of one year, every figure traced; InputError lists all problems."""
    ledger = _Ledger(energy, table, year, file)
    _check_value_added(ledger.problems, file, year, value_added_wan_yuan)
    verified = energy.verified_co2.point(year) if energy.verified_co2 is not None else None
    with_co2 = verified is None
    lines: list[CarbonLine] = []
    nonfossil: Trace | None = None
    primary: Trace | None = None
    if _has_data(energy, year, with_co2):
        lines, nonfossil, primary = _energy_lines(ledger, with_co2)
    elif with_co2:
        ledger.problem("energy", None, f"energy data for {year}, or a verified CO2 total in energy.verified_co2")
    else:
        ledger.notes.append(f"{year}年无能源数据，未计算综合能源消费量。")
    if verified is not None:
        lines.append(_reported_line(ledger, "verified_co2", VERIFIED_TOTAL,
                                    "二氧化碳排放总量 = 园区提供的经核证排放总量"))
        ledger.notes.insert(0, f"{year}年采用园区提供的经核证二氧化碳排放总量（来源：{verified[1]}），"
                               "未按能源数据核算排放。")
    ledger.problems.raise_if_errors()

    emitting = [line for line in lines if line.co2_t is not None]
    consuming = [line for line in lines if line.tce is not None]
    if with_co2:
        co2 = _sum_trace("二氧化碳排放总量 = 各排放源排放量之和（输出为负）", "E", emitting, "co2_t", "tCO2", year)
    else:
        [verified_line] = emitting
        co2 = verified_line.co2_trace
    if consuming:
        energy_tce = _sum_trace("综合能源消费量 = 各能源折标准煤量之和（输出为负）", "C", consuming, "tce", "tce", year)
    else:
        energy_tce = Trace(formula_zh="综合能源消费量", formula="C", result=None, unit="tce", note="该年无能源数据")
    if nonfossil is None:
        nonfossil = Trace(formula_zh="非化石能源消费量", formula="C_nf", result=None, unit="tce",
                          note="园区未提供外购电力、外购绿色电力或自发自用可再生能源电力数据")
    if primary is None:
        primary = Trace(formula_zh="一次能源消费量（非化石能源占比的分母）", formula="C_p", result=None,
                        unit="tce", note=nonfossil.note)
    accounted = CarbonYear(
        year=year, method="accounted" if with_co2 else "verified_total", factor_table=table.label,
        total_t=co2.result, by_source={line.source_zh: line.co2_t for line in emitting},
        intensity=None, energy_tce=energy_tce.result, nonfossil_tce=nonfossil.result, nonfossil_share=None,
        primary_energy_tce=primary.result, nonfossil_method=NONFOSSIL_METHOD[table.nonfossil.conversion],
        energy_productivity=None, factors=[use for use in ledger.factors.values() if use is not None],
        lines=lines, traces={"co2": co2, "energy_tce": energy_tce, "nonfossil_tce": nonfossil,
                             "primary_tce": primary}, notes=ledger.notes)
    return _with_ratios(accounted, value_added_wan_yuan, value_added_source)


def with_value_added(year: CarbonYear, value_added_wan_yuan: float | None, value_added_source: str | None, *,
                     file: str) -> CarbonYear:
    """What `account(..., value_added_wan_yuan=...)` returns, from the year's account made without value
    added: the evaluation reuses the accounts `evalkit.intake.checks` made instead of accounting every year twice."""
    problems = Problems()
    _check_value_added(problems, file, year.year, value_added_wan_yuan)
    problems.raise_if_errors()
    return _with_ratios(year, value_added_wan_yuan, value_added_source)


def _check_value_added(problems: Problems, file: str, year: int, value_added_wan_yuan: float | None) -> None:
    if value_added_wan_yuan is not None and value_added_wan_yuan <= 0:
        problems.add(file, "value_added_wan_yuan", value_added_wan_yuan, "a positive industrial value added in 万元",
                     year=year)


def _with_ratios(year: CarbonYear, value_added: float | None, value_added_source: str | None) -> CarbonYear:
    """The year with its ratios (intensity, energy productivity, non-fossil share) for this value added."""
    base = {key: year.traces[key] for key in ("co2", "energy_tce", "nonfossil_tce", "primary_tce")}
    ratios = _ratios(base["co2"], base["energy_tce"], base["nonfossil_tce"], base["primary_tce"],
                     value_added, value_added_source, year.year)
    return year.model_copy(update={
        "intensity": _result(ratios.get("intensity")), "nonfossil_share": _result(ratios.get("nonfossil_share")),
        "energy_productivity": _result(ratios.get("energy_productivity")),
        "traces": {**base, **ratios}})


def _result(trace: Trace | None) -> float | None:
    return None if trace is None else trace.result


def _has_data(energy: Energy, year: int, with_co2: bool) -> bool:
    series = [*energy.fuels.values(), *(getattr(energy, name) for name in CARRIERS)]
    if with_co2:
        series.append(energy.process_co2)
    return any(s is not None and s.point(year) is not None for s in series)


def _energy_lines(ledger: _Ledger, with_co2: bool) -> tuple[list[CarbonLine], Trace | None, Trace | None]:
    energy = ledger.energy
    lines = [_fuel_line(ledger, key, series, with_co2) for key, series in energy.fuels.items()]
    acts = {name: ledger.activity(f"energy.{name}", series, carrier.unit, carrier.name_zh)
            for name, carrier in CARRIERS.items() if (series := getattr(energy, name)) is not None}
    if "green_electricity" in acts and energy.electricity_purchased is None:
        ledger.problem("energy.electricity_purchased", None,
                       "purchased electricity: the green electricity bought is part of it")
    green = acts.get("green_electricity")
    lines += [_carrier_line(ledger, name, act, with_co2, green if name == "electricity_purchased" else None)
              for name, act in acts.items() if act is not None and name != "green_electricity"]
    if with_co2 and energy.process_co2 is not None:
        lines.append(_reported_line(ledger, "process_co2", "工业过程",
                                    "工业过程排放量 = 园区报告的工业过程二氧化碳排放量"))
    lines = [line for line in lines if line is not None]
    nonfossil, primary = _nonfossil_traces(ledger, acts, lines)
    return lines, nonfossil, primary


def _fuel_line(ledger: _Ledger, key: str, series: Series, with_co2: bool) -> CarbonLine | None:
    field, table = f"energy.fuels.{key}", ledger.table
    fuel = table.fuels.get(key)
    if fuel is None:
        known = ", ".join(f"{k} ({f.name_zh})" for k, f in table.fuels.items())
        ledger.problem(field, key, f"a fuel of factor table {table.label}: {known}")
        return None
    act = ledger.activity(field, series, fuel.activity_unit, fuel.name_zh)
    kgce = table.coal_equivalent.kj_per_kgce
    q = ledger.factor("coal_equivalent.kj_per_kgce", kgce, kgce.name_zh, field, key)
    ncv = ledger.factor(f"fuels.{key}.ncv", fuel.ncv, f"{fuel.name_zh}平均低位发热量", field, key)
    chain = [
        ledger.factor(f"fuels.{key}.carbon_content", fuel.carbon_content, f"{fuel.name_zh}单位热值含碳量", field, key),
        ledger.factor(f"fuels.{key}.oxidation", fuel.oxidation, f"{fuel.name_zh}碳氧化率", field, key),
    ] if with_co2 else []
    if act is None or q is None or ncv is None or None in chain:
        return None
    a = act.value
    # Both traces cite the activity and the calorific value: build their inputs and texts once.
    a_input, a_conversion, a_text = act.trace_input("A"), act.conversion("A"), fmt(a)
    ncv_input, ncv_text = ncv.trace_input("NCV"), fmt(ncv.value)
    tce = a * ncv.value / q.value / 1000
    tce_trace = Trace(
        formula_zh="折标准煤量 = 消费量 × 平均低位发热量 ÷ 标准煤低位发热量 ÷ 1000",
        formula="C = A × NCV ÷ q ÷ 1000",
        inputs=[a_input, ncv_input, q.trace_input("q")],
        substituted=f"{a_conversion}C = {a_text} × {ncv_text} ÷ {fmt(q.value)} ÷ 1000 = {fmt(tce)}",
        result=tce, unit="tce")
    co2_trace = None
    if with_co2:
        cc, ox = chain
        co2 = a * ncv.value * KJ_TO_TJ * cc.value * ox.value * C_TO_CO2
        co2_trace = Trace(
            formula_zh="排放量 = 消费量 × 平均低位发热量 × 单位热值含碳量 × 碳氧化率 × 44/12",
            formula="E = A × NCV × 10⁻⁹ × CC × OF × 44/12",
            inputs=[a_input, ncv_input, cc.trace_input("CC"), ox.trace_input("OF")],
            substituted=f"{a_conversion}E = {a_text} × {ncv_text} × 10⁻⁹ × {fmt(cc.value)} × "
                        f"{fmt(ox.value)} × 44/12 = {fmt(co2)}",
            result=co2, unit="tCO2", note="A × NCV 为 kJ，× 10⁻⁹ 化为 TJ，× CC 得 tC，× 44/12 得 tCO2")
    return _line(fuel.name_zh, field, act, [ncv, *chain, q], tce_trace, co2_trace)


def _carrier_line(ledger: _Ledger, name: str, act: _Activity, with_co2: bool,
                  green: _Activity | None) -> CarbonLine | None:
    """Electricity or heat: tce on the park's basis; CO2 at the chosen factor, green electricity exempt."""
    carrier, field = CARRIERS[name], f"energy.{name}"
    if green is not None and green.value > act.value:
        ledger.problem("energy.green_electricity", green.given,
                       f"at most the purchased electricity ({fmt(act.given)} {act.unit}), as it is part of it")
        return None
    is_heat = carrier.unit == "GJ"
    if is_heat:
        heat_ce = ledger.table.coal_equivalent.heat
        k = ledger.factor("coal_equivalent.heat", heat_ce, heat_ce.name_zh, field, None)
    else:
        k = ledger.electricity_tce
    emits = with_co2 and name != "onsite_renewable"
    deducted = green is not None and green.value > 0
    ef, residual_note = ((ledger.heat, None) if is_heat else _grid_factor(ledger, deducted)) if emits else (None, None)
    if k is None or (emits and ef is None):
        return None
    per, per_text = (1, "") if is_heat else (1000, " ÷ 1000")  # per-kWh factors are in kg
    neg = "−" if carrier.sign < 0 else ""
    # Both traces cite the activity: build its input and texts once.
    a_input, a_conversion, a_text = act.trace_input("A"), act.conversion("A"), fmt(act.value)
    tce = carrier.sign * act.value * k.value / per
    tce_trace = Trace(
        formula_zh=f"{carrier.name_zh}折标准煤量 = {neg}{carrier.name_zh}量 × {k.name_zh}{per_text}",
        formula=f"C = {neg}A × k{per_text}", inputs=[a_input, k.trace_input("k")],
        substituted=f"{a_conversion}C = {neg}{a_text} × {fmt(k.value)}{per_text} = {fmt(tce)}",
        result=tce, unit="tce")
    co2_trace = None
    if emits:
        g = green.value if green else 0.0
        co2 = carrier.sign * (act.value - g) * ef.value / per
        charged_zh, charged, numbers = (("（外购电量 − 外购绿色电力）", "(A − G)", f"({a_text} − {fmt(g)})")
                                        if green else (f"{carrier.name_zh}量", "A", a_text))
        co2_trace = Trace(
            formula_zh=f"{carrier.name_zh}排放量 = {neg}{charged_zh} × {ef.name_zh}{per_text}",
            formula=f"E = {neg}{charged} × EF{per_text}",
            inputs=[a_input, *([green.trace_input("G")] if green else []), ef.trace_input("EF")],
            substituted=f"{a_conversion}{green.conversion('G') if green else ''}"
                        f"E = {neg}{numbers} × {fmt(ef.value)}{per_text} = {fmt(co2)}",
            result=co2, unit="tCO2", note=residual_note or ("认证绿色电力不计电网排放因子" if green else None))
    elif with_co2:
        co2_trace = Trace(formula_zh="自发自用可再生能源电力不计排放", formula="E = 0",
                          inputs=[a_input], substituted="E = 0", result=0.0, unit="tCO2")
    line = _line(carrier.name_zh, field, act, [k, ef] if ef else [k], tce_trace, co2_trace)
    if ef is not None:
        line.charged = carrier.sign * (act.value - (green.value if green else 0.0))
        line.charged_factor = ef.id
    return line


def _grid_factor(ledger: _Ledger, deducted: bool) -> tuple[FactorUse | None, str | None]:
    """The grid factor charged this year and why: the residual series for every year of a park that
    deducts green electricity in any year (module docstring), else the park's chosen factor."""
    chosen = ledger.table.electricity.get(ledger.energy.grid_factor)
    if ledger.green_years and chosen is not None and chosen.residual is not None:
        if deducted:
            return ledger.residual, ("扣除市场化交易绿色电力后，其余外购电量采用不包括市场化交易非化石能源电量的"
                                     "全国电力平均二氧化碳排放因子，避免绿色电力重复计算")
        years = "、".join(map(str, ledger.green_years))
        return ledger.residual, (f"本年未扣除绿色电力；园区{years}年扣除市场化交易绿色电力，为使各年排放及其变化率可比，"
                                 "各年外购电量统一采用不包括市场化交易非化石能源电量的因子序列")
    ef = ledger.grid
    if not deducted:
        return ef, None
    return ef, (f"因子表未给出“{ef.name_zh if ef else ledger.energy.grid_factor}”不含市场化交易"
                "非化石能源电量的版本，其余外购电量仍按该因子计算，绿色电力可能被重复扣减")


def _reported_line(ledger: _Ledger, name: str, name_zh: str, formula_zh: str) -> CarbonLine | None:
    """A CO2 figure the park reports as is: process emissions, or a verified total."""
    field = f"energy.{name}"
    act = ledger.activity(field, getattr(ledger.energy, name), "t", name_zh)
    if act is None:
        return None
    trace = Trace(formula_zh=formula_zh, formula="E = P", inputs=[act.trace_input("P")],
                  substituted=f"{act.conversion('P')}E = {fmt(act.value)}", result=act.value, unit="tCO2")
    return _line(name_zh, field, act, [], None, trace)


def _line(name_zh: str, field: str, act: _Activity, factors: list[FactorUse], tce_trace: Trace | None,
          co2_trace: Trace | None) -> CarbonLine:
    return CarbonLine(source_zh=name_zh, field=field, activity=act.given, activity_unit=act.unit,
                      activity_source=act.source, factor_ids=[f.id for f in factors],
                      co2_t=_result(co2_trace), tce=_result(tce_trace), co2_trace=co2_trace, tce_trace=tce_trace)


def _nonfossil_traces(ledger: _Ledger, acts: dict[str, _Activity | None],
                      lines: list[CarbonLine]) -> tuple[Trace | None, Trace | None]:
    """Non-fossil energy and the share's denominator, by the factor table's method (module docstring);
    None when the park gave no electricity figures."""
    settings = ledger.table.nonfossil
    parts = {sym: acts[name] for sym, name in (("G", "green_electricity"), ("R", "onsite_renewable"),
                                               ("P", "electricity_purchased"), ("X", "electricity_exported"))
             if name in acts}
    if not {"G", "R", "P"} & set(parts) or None in parts.values():
        return None, None
    by_rate = settings.conversion == "generation_coal_rate"
    k = ledger.coal_rate if by_rate else ledger.electricity_tce
    s = ledger.grid_share if settings.include_grid_share and "P" in parts else None
    if k is None or (settings.include_grid_share and "P" in parts and s is None):
        return None, None
    per, per_text = (1e6, "10⁶") if by_rate else (1000, "1000")  # g or kg of coal equivalent per kWh
    g, r, p = (parts[sym].value if sym in parts else 0.0 for sym in "GRP")
    own = [sym for sym in "GR" if sym in parts]
    terms_sym = [*own, *(["s × (P − G)" if "G" in parts else "s × P"] if s else [])]
    terms_zh = [parts[sym].name_zh for sym in own] + (["电网非化石电力比重 ×（外购电力 − 外购绿色电力）"] if s else [])
    grid_kwh = (s.value / 100 * (p - g)) if s else 0.0
    kwh = g + r + grid_kwh
    numbers = [fmt(parts[sym].value) for sym in own]
    if s:
        numbers.append(f"{fmt(s.value)}% × ({fmt(p)} − {fmt(g)})" if "G" in parts else f"{fmt(s.value)}% × {fmt(p)}")
    conversions = "".join(act.conversion(sym) for sym, act in parts.items())
    inputs = [*(act.trace_input(sym) for sym, act in parts.items() if sym != "X"),
              *([s.trace_input("s")] if s else []), k.trace_input("b" if by_rate else "k")]
    sym_k = "b" if by_rate else "k"
    nonfossil = Trace(
        formula_zh=f"非化石能源消费量 = （{' + '.join(terms_zh)}）× {k.name_zh} ÷ {per_text}",
        formula=f"C_nf = ({' + '.join(terms_sym)}) × {sym_k} ÷ {per_text}",
        inputs=inputs,
        substituted=conversions + f"C_nf = ({' + '.join(numbers)}) × {fmt(k.value)} ÷ {per_text} = {fmt(kwh * k.value / per)}",
        result=kwh * k.value / per, unit="tce", note=NONFOSSIL_METHOD[settings.conversion])
    if not by_rate:
        return nonfossil, None  # the share's denominator is then the park's total energy (energy_tce)
    others = [line for line in lines if line.tce is not None
              and line.field not in ("energy.electricity_purchased", "energy.electricity_exported",
                                     "energy.onsite_renewable")]
    fossil = math.fsum(line.tce for line in others)  # type: ignore[misc]
    x = parts["X"].value if "X" in parts else 0.0
    net = p + r - x
    primary = fossil + net * k.value / per
    elec_sym = " + ".join(sym for sym in "PR" if sym in parts) + (" − X" if "X" in parts else "")
    elec_num = " + ".join(fmt(parts[sym].value) for sym in "PR" if sym in parts) + (f" − {fmt(x)}" if "X" in parts else "")
    primary_trace = Trace(
        formula_zh=f"一次能源消费量（发电煤耗法）= 化石能源及热力折标准煤量 + 净用电量 × {k.name_zh} ÷ {per_text}",
        formula=f"C_p = F + ({elec_sym}) × b ÷ {per_text}",
        inputs=[TraceInput(symbol="F", name_zh="化石能源及热力折标准煤量（见各能源明细）", value=fossil, unit="tce",
                           year=ledger.year, source="由各化石燃料与热力的折标准煤量相加，见碳排放核算明细"),
                *(act.trace_input(sym) for sym, act in parts.items() if sym in "PRX"), k.trace_input("b")],
        substituted=conversions + f"C_p = {fmt(fossil)} + ({elec_num}) × {fmt(k.value)} ÷ {per_text} = {fmt(primary)}",
        result=primary, unit="tce",
        note="电力按发电煤耗折算后的一次能源消费量，与非化石能源消费量同一口径（国家统计“非化石能源占一次能源消费比重”的算法）")
    return nonfossil, primary_trace


def _sum_trace(formula_zh: str, symbol: str, lines: list[CarbonLine], attr: str, unit: str, year: int) -> Trace:
    values = [getattr(line, attr) for line in lines]
    total = math.fsum(values)  # exact: the total must not depend on the order of the fuels in the file
    terms = " ".join(f"{'−' if v < 0 else '+'} {fmt(abs(v))}" for v in values).removeprefix("+ ")
    inputs = [TraceInput(symbol=f"{symbol}_{i}", name_zh=line.source_zh, value=value, unit=unit, year=year,
                         source=f"由{line.source_zh}数据计算，见该项明细")
              for i, (line, value) in enumerate(zip(lines, values), start=1)]
    return Trace(formula_zh=formula_zh, formula=f"{symbol} = Σ {symbol}_i", inputs=inputs,
                 substituted=f"{symbol} = {terms} = {fmt(total)}", result=total, unit=unit)


def _ratios(co2: Trace, energy_tce: Trace, nonfossil: Trace, primary: Trace, value_added: float | None,
            value_added_source: str | None, year: int) -> dict[str, Trace]:
    """Carbon intensity (indicator 10), energy productivity (15) and non-fossil share (16), when computable."""
    found: dict[str, Trace] = {}
    e, c, nf = co2.result, energy_tce.result, nonfossil.result
    e_in = TraceInput(symbol="E", name_zh="二氧化碳排放总量", value=e, unit="tCO2", year=year, source="见二氧化碳排放总量的计算")
    c_in = TraceInput(symbol="C", name_zh="综合能源消费量", value=c, unit="tce", year=year,
                      source="见综合能源消费量的计算")
    if value_added is not None:
        va_in = TraceInput(symbol="VA", name_zh="工业增加值", value=value_added, unit="万元", year=year,
                           source=value_added_source or "评价引擎传入，未注明来源")
        found["intensity"] = Trace(
            formula_zh="碳排放强度 = 二氧化碳排放总量 ÷ 工业增加值", formula="I = E ÷ VA", inputs=[e_in, va_in],
            substituted=f"I = {fmt(e)} ÷ {fmt(value_added)} = {fmt(e / value_added)}",
            result=e / value_added, unit="tCO2/万元")
        if c:
            found["energy_productivity"] = Trace(
                formula_zh="能源产出率 = 工业增加值 ÷ 综合能源消费量", formula="P = VA ÷ C", inputs=[va_in, c_in],
                substituted=f"P = {fmt(value_added)} ÷ {fmt(c)} = {fmt(value_added / c)}",
                result=value_added / c, unit="万元/tce")
    denominator = primary if primary.result is not None else energy_tce
    d = denominator.result
    if d and nf is not None:
        nf_in = TraceInput(symbol="C_nf", name_zh="非化石能源消费量", value=nf, unit="tce", year=year,
                           source="见非化石能源消费量的计算")
        by_rate = denominator is primary
        d_in = (TraceInput(symbol="C_p", name_zh="一次能源消费量（发电煤耗法）", value=d, unit="tce", year=year,
                           source="见一次能源消费量（发电煤耗法）的计算") if by_rate else c_in)
        d_sym = "C_p" if by_rate else "C"
        found["nonfossil_share"] = Trace(
            formula_zh="非化石能源消费占比 = 非化石能源消费量 ÷ "
                       + ("一次能源消费量（发电煤耗法）" if by_rate else "综合能源消费量") + " × 100%",
            formula=f"S = C_nf ÷ {d_sym} × 100", inputs=[nf_in, d_in],
            substituted=f"S = {fmt(nf)} ÷ {fmt(d)} × 100 = {fmt(nf / d * 100)}",
            result=nf / d * 100, unit="%", note=nonfossil.note)
    return found
