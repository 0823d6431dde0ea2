"""How much of the carbon-intensity change comes from the grid factor changing rather than from the
park (issue: a falling national grid factor lowers a park's intensity without any action of its own).

The target year's electricity emissions are recomputed with the base year's value of the same grid
factor series (inclusive, or without market-traded non-fossil power, as the target year used):

    ΔI = I_target − I_base = (I_target − I_target@base factor) + (I_target@base factor − I_base)
         = grid-factor effect                                  + the park's own change

The two parts add up to the change by construction; both are traced.
"""

from __future__ import annotations

from pydantic import BaseModel

from evalkit import carbon
from evalkit.core.trace import Trace, TraceInput, fmt


class CarbonDecomposition(BaseModel):
    base_year: int
    target_year: int
    intensity_base: float
    intensity_target: float
    intensity_target_at_base_factor: float
    change: float            # I_target − I_base, tCO2/万元
    grid_effect: float       # part of the change due to the grid factor
    park_effect: float       # part due to the park (energy use, structure, value added)
    electricity_target_t: float
    electricity_at_base_factor_t: float
    traces: dict[str, Trace]


def decompose(base: carbon.CarbonYear | None, target: carbon.CarbonYear | None,
              table: carbon.FactorTable) -> tuple[CarbonDecomposition | None, str | None]:
    """The decomposition, or None and why it cannot be made."""
    if base is None or target is None or base.intensity is None or target.intensity is None:
        return None, "基准年或目标年缺少碳排放强度，无法分解"
    if target.method != "accounted":
        return None, f"{target.year}年采用经核证排放总量，无外购电力明细，无法分解电网排放因子的影响"
    charged = [line for line in target.lines if line.charged_factor and line.charged_factor.startswith("electricity.")]
    if not charged:
        return None, f"{target.year}年无外购或输出电力，电网排放因子变化不影响碳排放强度"
    va = next(i.value for i in target.traces["intensity"].inputs if i.symbol == "VA")  # 工业增加值, 万元
    inputs: list[TraceInput] = []
    at_target, at_base, terms_now, terms_base = 0.0, 0.0, [], []
    for n, line in enumerate(charged, start=1):
        factor = table.electricity[line.charged_factor.removeprefix("electricity.")]
        now, now_year = factor.at(target.year) or (None, None)
        then, then_year = factor.at(base.year) or (None, None)
        if now is None or then is None:
            return None, f"因子表缺少{factor.name_zh}在{base.year}或{target.year}年的数值，无法分解"
        kwh = line.charged or 0.0
        at_target += kwh * now / 1000
        at_base += kwh * then / 1000
        inputs += [TraceInput(symbol=f"Q{n}", name_zh=f"{line.source_zh}计排放电量", value=kwh, unit="kWh",
                              year=target.year, source=f"由{line.source_zh}数据计算，见碳排放核算明细"),
                   TraceInput(symbol=f"EF{n}_{target.year}", name_zh=factor.name_zh, value=now, unit=factor.unit,
                              year=now_year, source=table.sources[factor.source_key(now_year)].title),
                   TraceInput(symbol=f"EF{n}_{base.year}", name_zh=factor.name_zh, value=then, unit=factor.unit,
                              year=then_year, source=table.sources[factor.source_key(then_year)].title)]
        terms_now.append(f"{fmt(kwh)} × {fmt(now)}")
        terms_base.append(f"{fmt(kwh)} × {fmt(then)}")
    recomputed_total = target.total_t - at_target + at_base
    i_at_base = recomputed_total / va
    change = target.intensity - base.intensity
    grid = target.intensity - i_at_base
    park = i_at_base - base.intensity
    y0, y1 = base.year, target.year
    recomputed = Trace(
        formula_zh=f"按基准年电网排放因子重算的{y1}年碳排放强度 =（{y1}年排放总量 − 电力排放 + 电量 × {y0}年同一因子）÷ 工业增加值",
        formula=f"I*_{y1} = (E_{y1} − Σ Q × EF_{y1} ÷ 1000 + Σ Q × EF_{y0} ÷ 1000) ÷ VA_{y1}",
        inputs=[TraceInput(symbol=f"E_{y1}", name_zh="二氧化碳排放总量", value=target.total_t, unit="tCO2",
                           year=y1, source="见碳排放核算"), *inputs,
                TraceInput(symbol=f"VA_{y1}", name_zh="工业增加值", value=va, unit="万元", year=y1,
                           source="见碳排放强度追溯")],
        substituted=(f"电力排放 {' + '.join(terms_now)} ÷ 1000 = {fmt(at_target)} tCO2；按{y0}年因子 "
                     f"{' + '.join(terms_base)} ÷ 1000 = {fmt(at_base)} tCO2；I*_{y1} = ({fmt(target.total_t)} − "
                     f"{fmt(at_target)} + {fmt(at_base)}) ÷ {fmt(va)} = {fmt(i_at_base)}"),
        result=i_at_base, unit="tCO2/万元",
        note="同一因子序列（含或不含市场化交易非化石能源电量，与目标年所用一致）取基准年数值；电量不变")
    split = Trace(
        formula_zh="碳排放强度变化 = 电网排放因子变化的影响 + 园区自身变化",
        formula=f"I_{y1} − I_{y0} = (I_{y1} − I*_{y1}) + (I*_{y1} − I_{y0})",
        inputs=[TraceInput(symbol=f"I_{y0}", name_zh=f"{y0}年碳排放强度", value=base.intensity, unit="tCO2/万元",
                           year=y0, source="见该年碳排放强度追溯"),
                TraceInput(symbol=f"I_{y1}", name_zh=f"{y1}年碳排放强度", value=target.intensity, unit="tCO2/万元",
                           year=y1, source="见该年碳排放强度追溯"),
                TraceInput(symbol=f"I*_{y1}", name_zh=f"按{y0}年电网因子重算的{y1}年碳排放强度", value=i_at_base,
                           unit="tCO2/万元", year=y1, source="见上一追溯")],
        substituted=(f"{fmt(target.intensity)} − {fmt(base.intensity)} = {fmt(change)} = "
                     f"({fmt(target.intensity)} − {fmt(i_at_base)}) + ({fmt(i_at_base)} − {fmt(base.intensity)}) = "
                     f"{fmt(grid)} {'−' if park < 0 else '+'} {fmt(abs(park))}"),
        result=change, unit="tCO2/万元")
    return CarbonDecomposition(
        base_year=y0, target_year=y1, intensity_base=base.intensity, intensity_target=target.intensity,
        intensity_target_at_base_factor=i_at_base, change=change, grid_effect=grid, park_effect=park,
        electricity_target_t=at_target, electricity_at_base_factor_t=at_base,
        traces={"recomputed": recomputed, "split": split}), None
