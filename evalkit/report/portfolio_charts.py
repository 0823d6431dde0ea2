"""Charts of the comparison, trend and statement documents; each draws values of its model."""

from __future__ import annotations

from evalkit.portfolio.compare import Comparison, Group
from evalkit.portfolio.statement import Statement
from evalkit.portfolio.trend import Trend
from evalkit.report.charts import AMBER, GREEN, GREY, RED, new_figure

PARK_COLORS = ["#2f6f5e", "#b5483b", "#d9a441", "#4f6d7a", "#7a6c8f", "#5b9a8b", "#c7b198", "#333333"]
PARK_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "h"]


def park_style(n: int) -> dict:
    return {"color": PARK_COLORS[n % len(PARK_COLORS)], "marker": PARK_MARKERS[n % len(PARK_MARKERS)]}


def ranking_chart(c: Comparison, bands: dict[str, float]):
    """Bars of the index with the grade thresholds; each threshold's label sits in its own row of a
    strip above the bars (lowest grade lowest), right of its line, so labels of close thresholds never
    meet each other, the title or the bars' own labels."""
    parks = [p for p in c.parks if p.index is not None][::-1]
    thresholds = sorted(bands.items(), key=lambda band: band[1])
    row = 0.38  # height of one label row, in bar units
    fig, ax = new_figure(7.0, 0.45 * max(len(parks), 1) + 0.17 * len(thresholds) + 1.4)
    ax.barh([p.park_name for p in parks], [p.index for p in parks], color=GREEN)
    for y, p in enumerate(parks):
        ax.text(p.index + 0.8, y, f"{p.index:.2f}  {p.grade if p.grade in bands else '不予定级' if p.grade == 'not_rated' else '无级别'}",
                va="center", fontsize=8)
    top = len(parks) - 0.5
    for n, (grade, threshold) in enumerate(thresholds):
        ax.axvline(threshold, color=GREY, linestyle="--", linewidth=1)
        ax.text(threshold + 0.6, top + row * (n + 0.5), f"{grade}≥{threshold:g}", fontsize=7, color="#555",
                ha="left", va="center")
    ax.set_ylim(-0.6, top + row * len(thresholds) + 0.1)
    ax.set_xlim(0, 118)
    ax.set_xlabel("绩效指数（分）")
    ax.set_title("绩效指数排名")
    fig.tight_layout()
    return fig


def heatmap(c: Comparison):
    """Each first-level indicator's rate over the data the park has: a cell with partial data is hatched,
    outlined in grey and carries its coverage; one without data is grey with 缺数据 — a data gap never
    takes the colour of a low score."""
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.patches import Rectangle

    parks = list(c.heat)
    names = {p.park: p.park_name for p in c.parks}
    firsts = [first for _, first in c.first_levels]
    rates = [[c.heat[p].get(f) for f in firsts] for p in parks]
    data = np.array([[np.nan if r is None or r.data_share is None or r.coverage is None else r.data_share
                      for r in row] for row in rates], dtype=float)
    fig, ax = new_figure(8.0, 0.55 * len(parks) + 2.4)
    cmap = plt.get_cmap("RdYlGn").with_extremes(bad="#e6e6e6")
    image = ax.imshow(data * 100, cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for i, row in enumerate(rates):
        for j, rate in enumerate(row):
            if rate is None or rate.coverage is None:
                text, color = "—", "#666"
            elif rate.data_share is None:
                text, color = "缺数据", "#666"
            elif rate.coverage < 1 - 1e-9:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#777",
                                       linewidth=1.2))
                text, color = f"{rate.data_share:.0%}\n覆盖{rate.coverage:.0%}", "black"
            else:
                text, color = f"{rate.data_share:.0%}", "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=6.5, color=color,
                    bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.6}
                    if rate is not None and rate.coverage is not None and 0 < rate.coverage < 1 - 1e-9 else None)
    ax.set_xticks(range(len(firsts)), firsts, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(parks)), [names[p] for p in parks], fontsize=8)
    fig.colorbar(image, ax=ax, label="得分率（%，有实际数据部分）", shrink=0.8)
    ax.set_title("各一级指标得分率（有实际数据的指标，计入指数各年平均）\n斜线格：部分缺数据，标覆盖率；灰格：缺数据",
                 fontsize=9)
    fig.tight_layout()
    return fig


def spread_chart(group: Group, names: dict[str, str], target_level: str):
    """Each indicator's score s in the evaluation year, one marker per park; the leader's marker ringed."""
    spreads = [s for s in group.spreads if s.target_level == target_level][::-1]
    fig, ax = new_figure(7.0, 0.3 * len(spreads) + 0.35 * len(group.parks) + 1.8)
    for n, park in enumerate(group.parks):
        style = park_style(n)
        xs, ys = [], []
        for y, s in enumerate(spreads):
            score = s.scores.get(park)
            if score is not None:
                xs.append(score)
                ys.append(y + (n - (len(group.parks) - 1) / 2) * 0.08)
        ax.scatter(xs, ys, s=28, label=names[park], zorder=3, **style)
        for y, s in enumerate(spreads):
            if park in s.best_parks and s.scores.get(park) is not None:
                ax.scatter([s.scores[park]], [y + (n - (len(group.parks) - 1) / 2) * 0.08], s=120,
                           facecolors="none", edgecolors=RED, linewidths=1.2, zorder=4)
    ax.set_yticks(range(len(spreads)), [f"{s.code} {s.name_zh}" for s in spreads], fontsize=7)
    ax.set_xlim(-0.05, 1.08)
    ax.set_xlabel("指标得分率 s（评价年；红圈：组内先进值所在园区）")
    ax.grid(axis="x", color="#ddd")
    ax.set_title(f"{target_level}：各指标得分率分布（{group.name}）")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.4, -0.12), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def trend_chart(t: Trend, bands: dict[str, float]):
    labels = [f"{p.window[0]}—{p.window[-1]}" for p in t.points]
    fig, (left, right) = new_figure(8.5, 3.6, columns=2)
    indices = [p.index for p in t.points]
    left.plot(labels, [i if i is not None else float("nan") for i in indices], color=GREEN, marker="o")
    for x, p in enumerate(t.points):
        if p.index is not None:
            left.text(x, p.index + 1.2, f"{p.index:.2f}\n{p.grade}", ha="center", fontsize=8)
    for grade, threshold in bands.items():
        left.axhline(threshold, color=GREY, linestyle="--", linewidth=1)
        left.text(len(labels) - 0.6, threshold, f"{grade}≥{threshold:g}", fontsize=7, color="#555", ha="right",
                  va="top")
    left.set_ylim(0, 115)
    left.set_title("绩效指数与等级")
    left.set_ylabel("分")
    levels = list(dict.fromkeys(n for p in t.points for n in p.level_points))
    for n, name in enumerate(levels):
        shares = [p.level_points[name] / p.level_max[name] * 100 if name in p.level_points and p.level_max.get(name)
                  else float("nan") for p in t.points]
        right.plot(labels, shares, marker=PARK_MARKERS[n], color=PARK_COLORS[n], label=name)
    right.axhline(50, color=RED, linestyle=":", linewidth=1)
    right.text(0, 51, "50%规则", fontsize=7, color=RED)
    right.set_ylim(0, 105)
    right.set_title("各目标层得分率（%）")
    right.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def movers_chart(t: Trend):
    movers = t.movers[::-1]
    fig, ax = new_figure(7.0, 0.35 * max(len(movers), 1) + 1.3)
    if not movers:
        ax.text(0.5, 0.5, "首末评价期之间各指标得分率无变化", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    ax.barh([f"{m.code} {m.name_zh}" for m in movers], [m.change for m in movers],
            color=[GREEN if m.change > 0 else RED for m in movers])
    for y, m in enumerate(movers):
        ax.text(m.change, y, f" {m.change:+.2f}", va="center", ha="left" if m.change > 0 else "right", fontsize=8)
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.set_xlabel("得分点数变化（分）")
    ax.set_title("变化最大的指标（首末评价期）")
    fig.tight_layout()
    return fig


def statement_chart(s: Statement):
    """Score change of every indicator in the statement year against the rated window, with the threshold."""
    items = [i for i in s.indicators if i.drop is not None][::-1]
    fig, ax = new_figure(7.0, 0.22 * max(len(items), 1) + 1.4)
    if not items:
        ax.text(0.5, 0.5, "声明年度无可比较的指标", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    changes = [-(i.drop or 0.0) for i in items]
    ax.barh([f"{i.code} {i.name_zh}" for i in items], changes,
            color=[RED if i.status == "fallen" else GREEN if c > 0 else AMBER if c < 0 else GREY
                   for i, c in zip(items, changes)])
    ax.axvline(-s.rules.max_score_drop, color=RED, linestyle="--", linewidth=1)
    ax.text(-s.rules.max_score_drop, len(items) - 0.3, f" 回落阈值 −{s.rules.max_score_drop:g}", color=RED, fontsize=7)
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.tick_params(axis="y", labelsize=6)
    ax.set_xlabel("得分率 s 变化（声明年度 − 定级评价期平均）")
    ax.set_title(f"{s.year}年各指标得分率较定级评价期的变化")
    fig.tight_layout()
    return fig
