"""Scoring methods: turn an indicator value into a score s in [0, 1] (DIGEST decisions 1, 2, 11).

A small registry: the catalog names a method per indicator, the method says which parameters it
needs (checked when the catalog loads) and scores with a trace of its rule and references.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from evalkit.core.trace import Reference, ScoringTrace, fmt

if TYPE_CHECKING:
    from evalkit.catalog.model import Level, ReferenceValue, Scoring


class Method(Protocol):
    name: str
    requires: tuple[str, ...]

    def score(self, x: float, spec: "Scoring", direction: str, *, driver: float | None = None) -> ScoringTrace: ...


# References are pure functions of catalog data (or of a park's override) and are asked for by every
# indicator of every park and year, so each is built once; results share them and nothing modifies them.
@lru_cache(maxsize=1024)
def _ref(name: str, ref: "ReferenceValue") -> Reference:
    return Reference(name=name, value=ref.value, unit=ref.unit, source=ref.source,
                     verified=ref.verified, basis=ref.basis, citation=ref.citation,
                     override_justification=ref.override_justification)


def _clip(s: float) -> float:
    return min(1.0, max(0.0, s))


class CappedRatio:
    """Completion ratio capped at full marks: positive min(1, x/ref), negative min(1, ref/x)."""

    name = "capped_ratio"
    requires = ("reference",)

    def score(self, x, spec, direction, *, driver=None):
        ref = spec.reference.value
        if direction == "positive":
            s = _clip(x / ref)
            rule, text = "正向封顶比值：s = min(1, x ÷ 参考值)", f"min(1, {fmt(x)} ÷ {fmt(ref)})"
        else:
            # Zero emissions meet any reference; a ratio would divide by zero.
            s = 1.0 if x <= 0 else _clip(ref / x)
            rule, text = "逆向封顶比值：s = min(1, 参考值 ÷ x)", f"min(1, {fmt(ref)} ÷ {fmt(x)})"
        return ScoringTrace(method=self.name, rule_zh=rule, references=[_ref("参考值", spec.reference)],
                            substituted=f"{text} = {fmt(s)}", score=s)


class Linear:
    """Linear between a floor (s = 0) and a reference (s = 1), clipped; works in either direction."""

    name = "linear"
    requires = ("reference", "floor")

    def score(self, x, spec, direction, *, driver=None):
        lo, hi = spec.floor.value, spec.reference.value
        s = _clip((x - lo) / (hi - lo))
        return ScoringTrace(
            method=self.name,
            rule_zh="线性插值：s =（x − 下限值）÷（参考值 − 下限值），限于 [0, 1]",
            references=[_ref("下限值（得0分）", spec.floor), _ref("参考值（得满分）", spec.reference)],
            substituted=f"({fmt(x)} − {fmt(lo)}) ÷ ({fmt(hi)} − {fmt(lo)}) → {fmt(s)}",
            score=s,
        )


class Decoupling:
    """Total emissions against value added (DIGEST decision 11): fell → 1; grew slower → 1 − g/gVA; else 0."""

    name = "decoupling"
    requires = ("driver",)

    def score(self, x, spec, direction, *, driver=None):
        if driver is None:
            raise ValueError("decoupling needs the driver value")
        if x <= 0:
            s, text = 1.0, f"排放总量变化率 {fmt(x)}% ≤ 0，总量下降 → s = 1"
        elif driver > 0 and x < driver:
            s = 1 - x / driver
            text = f"0 < {fmt(x)}% < 增加值增速 {fmt(driver)}%，相对脱钩 → s = 1 − {fmt(x)} ÷ {fmt(driver)} = {fmt(s)}"
        else:
            s, text = 0.0, f"排放总量增速 {fmt(x)}% ≥ 增加值增速 {fmt(driver)}%，未脱钩 → s = 0"
        return ScoringTrace(
            method=self.name,
            rule_zh="脱钩评分：总量下降 s = 1；增速低于工业增加值增速 s = 1 − 排放增速 ÷ 增加值增速；否则 s = 0"
                    + (f"（依据：{spec.source}）" if spec.source else ""),
            references=[],
            substituted=text,
            score=s,
        )


class Tiered:
    """Qualitative levels with written criteria; the assessor picks a level and cites evidence."""

    name = "tiered"
    requires = ("levels",)

    def score(self, x, spec, direction, *, driver=None):
        raise TypeError("tiered indicators are scored by score_level")

    def score_level(self, level_id: str, evidence: str, spec: "Scoring") -> ScoringTrace:
        level = next(lv for lv in spec.levels if lv.id == level_id)
        return ScoringTrace(
            method=self.name,
            rule_zh="分档评分：评价人员依据证据选择档次，得分率为该档分值",
            references=_level_references(tuple(spec.levels)),
            substituted=f"选择档次 {level.id}（{level.label_zh}）：{level.criteria_zh} → s = {fmt(level.score)}",
            score=level.score,
            level=level.id,
            evidence=evidence,
        )


@lru_cache(maxsize=256)
def _level_references(levels: tuple["Level", ...]) -> tuple[Reference, ...]:
    return tuple(Reference(name=f"{lv.id}（{lv.label_zh}）", value=lv.score, unit="分值", source=lv.criteria_zh,
                           verified=True) for lv in levels)


METHODS: dict[str, Method] = {m.name: m for m in (CappedRatio(), Linear(), Decoupling(), Tiered())}
