"""Step 4: the overall evaluation (6.3, DIGEST decision 9): target year against base year —
intensity reduction of each pollutant and pollutant class, carbon-intensity decline, efficiency
gain — and the verdict: positive (正向, 合格), negative (a measured rise) or undetermined (missing
data; never called 不合格, but no grade until the data are in).
"""

from __future__ import annotations

from evalkit.catalog import Catalog
from evalkit.catalog.formulas import Formula
from evalkit.evaluation.results import OverallEvaluation, Rate
from evalkit.core.trace import Trace, fmt

from evalkit.evaluation.variables import Variables

REDUCTION_ZH = "削减率 =（基准年强度 − 目标年强度）÷ 基准年强度 × 100%，强度 = 排放量 ÷ 工业增加值"


def overall_evaluation(catalog: Catalog, variables: Variables, base: int, target: int,
                       strict: bool) -> OverallEvaluation:
    spec = catalog.overall
    pollutants = [_reduction(variables, catalog, p.symbol, [p.symbol], p.name_zh, base, target)
                  for p in spec.pollutants]
    classes = [_reduction(variables, catalog, key, [p.symbol for p in spec.pollutants if p.class_ == key],
                          label, base, target) for key, label in spec.classes.items()]
    carbon = _reduction(variables, catalog, spec.carbon, [spec.carbon], "碳排放强度", base, target)
    efficiency = _growth(variables, catalog, spec.efficiency.formula, spec.efficiency.name_zh, spec.efficiency.unit,
                         base, target)

    reasons: list[str] = []
    failures: list[str] = []
    undetermined: list[str] = []
    flags: list[str] = []
    verdicts = (reasons, failures, undetermined)
    _judge(carbon, "碳排放强度", "下降", "上升", *verdicts)
    _judge(efficiency, efficiency.name_zh, "提高", "降低", *verdicts)
    for rate in classes:
        _judge(rate, f"{rate.name_zh}排放强度", "下降", "上升", *verdicts)
    for rate in pollutants:
        if rate.improved is False:
            flags.append(_change(rate, f"{rate.name_zh}排放强度", "下降", "上升"))
        if strict:
            _judge(rate, f"严格模式：{rate.name_zh}排放强度", "下降", "上升", *verdicts)
    verdict = "negative" if failures else "undetermined" if undetermined else "positive"
    return OverallEvaluation(base_year=base, target_year=target, strict=strict, pollutants=pollutants,
                             classes=classes, carbon_intensity=carbon, efficiency=efficiency,
                             verdict=verdict, reasons=reasons, failures=failures, undetermined=undetermined,
                             flags=flags)


def _judge(rate: Rate, subject: str, better: str, worse: str, reasons: list[str], failures: list[str],
           undetermined: list[str]) -> None:
    if rate.improved is None:
        text = f"{rate.name_zh}：缺少基准年或目标年数据，无法判定"
        undetermined.append(text)
    else:
        text = _change(rate, subject, better, worse)
        if not rate.improved:
            failures.append(text)
    reasons.append(text)


def _change(rate: Rate, subject: str, better: str, worse: str) -> str:
    """The change as a finding, without double negatives: 碳排放强度上升 23.46%, not 未下降（下降率 -23.46%）."""
    assert rate.rate is not None
    if rate.rate == 0:
        return f"{subject}持平（未{better}）"
    return f"{subject}{better if rate.rate > 0 else worse} {abs(rate.rate):.2f}%"


def _reduction(variables: Variables, catalog: Catalog, key: str, symbols: list[str], name: str,
               base: int, target: int) -> Rate:
    va = catalog.overall.value_added
    unit = f"{catalog.inputs[symbols[0]].unit}/{catalog.inputs[va].unit}"
    inputs, missing = [], []
    intensity = {}
    for year in (base, target):
        quantities = [variables.get(s, year) for s in symbols]
        added = variables.get(va, year)
        for s, q in zip([*symbols, va], [*quantities, added]):
            if q is None:
                missing.append(f"{s}@{year}")
            else:
                inputs.append(variables.trace_input(q))
        if added is not None and all(q is not None for q in quantities):
            intensity[year] = sum(q.value for q in quantities) / added.value  # type: ignore[union-attr]
    total = " + ".join(symbols)
    formula = f"(I_{base} − I_{target}) ÷ I_{base} × 100, I = ({total}) ÷ {va}"
    if missing:
        return Rate(key=key, name_zh=name, base=intensity.get(base), target=intensity.get(target), unit=unit,
                    rate=None, improved=None, missing_inputs=missing, trace=Trace(formula_zh=REDUCTION_ZH, formula=formula, inputs=inputs,
                                                          result=None, unit="%", note=_missing_note(catalog, missing)))
    ib, it = intensity[base], intensity[target]
    rate = (ib - it) / ib * 100 if ib else 0.0
    improved = it < ib or (ib == 0 and it == 0)
    text = f"I_{base} = {fmt(ib, 6)}，I_{target} = {fmt(it, 6)}；({fmt(ib, 6)} − {fmt(it, 6)}) ÷ {fmt(ib, 6)} × 100 = {fmt(rate)}"
    return Rate(key=key, name_zh=name, base=ib, target=it, unit=unit, rate=rate, improved=improved,
                trace=Trace(formula_zh=REDUCTION_ZH, formula=formula, inputs=inputs, substituted=text,
                            result=rate, unit="%"))


def _missing_note(catalog: Catalog, missing: list[str]) -> str:
    """`["co2@2021"]` → 缺少数据：二氧化碳排放总量（2021年）."""
    names = []
    for item in missing:
        symbol, year = item.rsplit("@", 1)
        names.append(f"{catalog.inputs[symbol].name_zh}（{year}年）" if symbol in catalog.inputs else item)
    return "缺少数据：" + "、".join(names)


def _growth(variables: Variables, catalog: Catalog, formula_text: str, name: str, unit: str, base: int,
            target: int) -> Rate:
    formula = Formula.parse(formula_text)
    inputs, missing = [], []
    values = {}
    for year in (base, target):
        found, gaps = variables.inputs_of(formula.symbols(), year)
        inputs += found
        missing += gaps
        if not gaps:
            values[year] = formula.evaluate(variables.at(year))[0]
    formula_zh = f"增效水平 =（目标年{name} − 基准年{name}）÷ 基准年{name} × 100%"
    symbolic = f"(E_{target} − E_{base}) ÷ E_{base} × 100, E = {formula_text}"
    if missing:
        return Rate(key="efficiency", name_zh=name, base=values.get(base), target=values.get(target), unit=unit,
                    rate=None, improved=None, missing_inputs=missing, trace=Trace(formula_zh=formula_zh, formula=symbolic, inputs=inputs,
                                                          result=None, unit="%", note=_missing_note(catalog, missing)))
    eb, et = values[base], values[target]
    rate = (et - eb) / eb * 100
    text = f"E_{base} = {fmt(eb, 6)}，E_{target} = {fmt(et, 6)}；({fmt(et, 6)} − {fmt(eb, 6)}) ÷ {fmt(eb, 6)} × 100 = {fmt(rate)}"
    return Rate(key="efficiency", name_zh=name, base=eb, target=et, unit=unit, rate=rate, improved=et > eb,
                trace=Trace(formula_zh=formula_zh, formula=symbolic, inputs=inputs, substituted=text,
                            result=rate, unit="%"))
