"""Matplotlib set-up for Chinese charts.

Matplotlib's default font (DejaVu Sans) has no CJK glyphs: Chinese titles and labels come out as
empty boxes with only a warning. `use_cjk_font()` picks an installed CJK font and fails loudly
when there is none, so a report never ships a chart of boxes.
"""

from __future__ import annotations

import matplotlib
from matplotlib import font_manager

# Simplified-Chinese faces first: the JP/TC/KR faces of the same families draw some Han
# characters with other regional glyph forms.
PREFERRED_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)


class CJKFontMissing(RuntimeError):
    """No font able to draw Chinese is installed."""


def find_cjk_font() -> str:
    """Return the family name of the first installed font of `PREFERRED_CJK_FONTS`."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in PREFERRED_CJK_FONTS:
        if family in installed:
            return family
    raise CJKFontMissing(
        "no CJK font found for matplotlib (looked for: " + ", ".join(PREFERRED_CJK_FONTS) + "); "
        "install one, e.g. `apt-get install fonts-noto-cjk`, then delete matplotlib's font cache "
        f"({matplotlib.get_cachedir()}/fontlist-*.json)"
    )


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese text with an installed CJK font; return the family used.

    Raises `CJKFontMissing` when no CJK font is installed.
    """
    family = find_cjk_font()
    rc = matplotlib.rcParams
    rc["font.family"] = "sans-serif"
    rc["font.sans-serif"] = [family, *(f for f in rc["font.sans-serif"] if f != family)]
    # Negative numbers with an ASCII hyphen: not every CJK font has U+2212, which would be a box.
    rc["axes.unicode_minus"] = False
    # Labels hold names from catalogs and factor tables: `$…$` in them is text, never mathtext.
    rc["text.parse_math"] = False
    rc["text.usetex"] = False
    return family


# --- the report's charts: each draws values of an evaluation Result, never recomputes them ----

GREEN, GREY, RED, AMBER = "#2f6f5e", "#b8c4c0", "#b5483b", "#d9a441"


CHART_DPI = 200


def png(figure) -> bytes:
    """The figure as PNG at the report's resolution (drawn once)."""
    import io

    data = io.BytesIO()
    figure.savefig(data, format="png", dpi=CHART_DPI)
    return data.getvalue()


def show(figure) -> None:
    """Display a chart in the notebook, as PNG."""
    from IPython.display import Image, display

    display(Image(data=png(figure), format="png"))


def new_figure(width: float = 6.2, height: float = 2.7, columns: int = 1):
    """A figure and its axes (one, or a tuple of `columns`), in the CJK font. Made without pyplot:
    a report's figures are saved as PNG by the chapter runner, never shown or kept by a backend."""
    from matplotlib.figure import Figure

    use_cjk_font()
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(1, columns)
    return fig, axes


def index_chart(result, bands: dict[str, float]):
    """Yearly index (indicator points and bonus) against the grade thresholds, with the mean.
    Threshold labels sit right of the plot, value labels inside the bars, the legend above: nothing hides
    behind anything."""
    fig, ax = new_figure()
    years = list(result.yearly)
    labels = [f"{y}" + ("" if result.yearly[y].in_index else "\n(趋势)") for y in years]
    base = [result.yearly[y].base_points for y in years]
    bonus = [result.yearly[y].bonus for y in years]
    ax.bar(labels, base, color=GREEN, label="指标得分")
    ax.bar(labels, bonus, bottom=base, color=AMBER, label="加分")
    for grade, threshold in bands.items():
        ax.axhline(threshold, color=GREY, linestyle="--", linewidth=1)
        ax.text(1.01, threshold, f"{grade} ≥ {threshold:g}", transform=ax.get_yaxis_transform(), va="center",
                ha="left", fontsize=8, color="#555", clip_on=False)
    if result.index is not None:
        label = {"reference": "绩效指数（参考值）", "provisional": "绩效指数（暂定）"}.get(result.index_status, "绩效指数")
        ax.axhline(result.index, color=RED, linewidth=1.5, label=f"{label} {result.index:.2f}")
    for x, y in enumerate(result.yearly.values()):
        ax.text(x, y.index - 3, f"{y.index:.2f}", ha="center", va="top", fontsize=9, color="white", fontweight="bold")
    ax.set_ylim(0, max(110, max(y.index for y in result.yearly.values()) + 10))
    ax.set_ylabel("分")
    # Above the plot, where there is nothing to hide (inside, it covered a bar's value label).
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.01), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def coverage_chart(result):
    """Data coverage per index year and per target level against the catalog's minimum."""
    cov = result.coverage
    keys = [f"{y}年" for y in result.index_years] + [f"{name}（{len(result.index_years)}年）" for name in cov.by_level]
    shares = [cov.by_year[y].share for y in result.index_years] + [c.share for c in cov.by_level.values()]
    keys, shares = keys[::-1], [100 * (s or 0.0) for s in shares[::-1]]
    minimum = cov.min_share * 100
    fig, ax = new_figure(6.2, 0.26 * len(keys) + 0.9)
    ax.barh(keys, shares, color=[GREEN if s >= minimum - 1e-9 else AMBER for s in shares])
    for y, s in enumerate(shares):
        ax.text(s + 1, y, f"{s:.1f}%", va="center", fontsize=8)
    ax.axvline(minimum, color=RED, linestyle="--", linewidth=1.2)
    ax.text(minimum, len(keys) - 0.4, f" 最低覆盖率 {minimum:.0f}%", color=RED, fontsize=8, va="bottom")
    ax.set_xlim(0, 110)
    ax.set_ylim(-0.6, len(keys) - 0.1)
    ax.set_xlabel("有实际数据的指标权重占适用指标权重的比例（%）")
    fig.tight_layout()
    return fig


def first_level_chart(result):
    """Score rate of each first-level indicator (mean over the index years) over the part with real data:
    a level without data shows 缺数据 (no bar), one with partial data a hatched bar with its coverage —
    a data gap never reads as a low score."""
    means = [f for f in result.first_level_means if f.max_points > 0][::-1]
    keys = [f"{f.first_level}（{f.target_level}）" for f in means]
    fig, ax = new_figure(6.2, 0.24 * len(keys) + 0.8)
    for y, f in enumerate(means):
        if f.data_share is None:
            ax.text(1, y, "缺数据（无实际数据）", va="center", fontsize=8, color="#666")
            continue
        s = f.data_share * 100
        partial = f.coverage is not None and f.coverage < 1 - 1e-9
        ax.barh(y, s, color=GREEN if s >= 80 else AMBER if s >= 50 else RED,
                hatch="///" if partial else None, edgecolor="white" if partial else None, linewidth=0)
        ax.text(s + 1, y, f"{s:.1f}%" + (f"（数据覆盖 {f.coverage * 100:.0f}%）" if partial else ""),
                va="center", fontsize=8)
    ax.set_yticks(range(len(keys)), keys)
    ax.set_ylim(-0.6, len(keys) - 0.4)
    partial_any = any(f.data_share is None or (f.coverage or 0) < 1 - 1e-9 for f in means)
    ax.set_xlim(0, 150 if partial_any else 112)  # room for the coverage labels
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("得分率（%，有实际数据的指标，计入指数各年的平均）" if partial_any else "得分率（%，计入指数各年的平均）")
    fig.tight_layout()
    return fig


def lost_points_chart(result, top: int = 12):
    """Mean points lost per indicator, largest first."""
    ranked = result.points_lost[:top][::-1]
    fig, ax = new_figure(6.2, 0.24 * max(len(ranked), 1) + 0.8)
    if not ranked:
        ax.text(0.5, 0.5, "有实际数据的指标均得满分", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    ax.barh([f"{p.code} {p.name_zh}" for p in ranked], [p.mean_lost for p in ranked], color=RED)
    for y, p in enumerate(ranked):
        ax.text(p.mean_lost, y, f" {p.mean_lost:.2f}", va="center", fontsize=8)
    ax.set_xlim(0, max(p.mean_lost for p in ranked) * 1.15)  # room for the value labels
    ax.set_xlabel("平均失分（分）")
    fig.tight_layout()
    return fig


def carbon_chart(years: dict[int, dict]):
    """CO2 by emission source and year, stacked (exports below zero)."""
    fig, ax = new_figure()
    names = list(dict.fromkeys(n for c in years.values() for n in c["by_source"]))
    labels = [str(y) for y in years]
    palette = ["#2f6f5e", "#5b9a8b", "#9cc5a1", "#d9a441", "#b5483b", "#7a6c8f", "#4f6d7a", "#c7b198"]
    pos = [0.0] * len(labels)
    neg = [0.0] * len(labels)
    for n, name in enumerate(names):
        values = [c["by_source"].get(name, 0.0) / 1e4 for c in years.values()]
        if not any(values):
            continue
        bottoms = [p if v >= 0 else q for v, p, q in zip(values, pos, neg)]
        ax.bar(labels, values, bottom=bottoms, label=name, color=palette[n % len(palette)])
        pos = [p + max(v, 0) for v, p in zip(values, pos)]
        neg = [q + min(v, 0) for v, q in zip(values, neg)]
    for x, c in enumerate(years.values()):
        ax.text(x, pos[x], f"{c['total_t'] / 1e4:.1f}", ha="center", va="bottom", fontsize=9)
    ax.axhline(0, color="#333", linewidth=0.8)
    ax.set_ylim(min(0, min(neg) * 1.1), max(pos) * 1.1)  # room above the totals
    ax.set_ylabel("万吨 CO2")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig
