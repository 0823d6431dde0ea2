"""The report's fixed Chinese vocabulary (grades, statuses, verdicts), shared by the chapters
(`sections`) and the modules that add to them (`coverage`, `gaps`, portfolio documents)."""

from __future__ import annotations

GRADE_ZH = {"AAA": "AAA级", "AA": "AA级", "A": "A级", "none": "无级别", "not_rated": "不予定级",
            "deferred": "评价暂缓，暂不定级"}
STATUS_ZH = {"ok": "已计分", "missing": "数据缺失（0分，数据缺口）", "not_applicable": "不适用"}
DIRECTION_ZH = {"positive": "正向（越大越好）", "negative": "逆向（越小越好）"}
VERDICT_ZH = {"positive": "正向（合格）", "negative": "负向（不合格）", "undetermined": "无法判定（缺少数据，不作为不合格）"}
GATE_ZH = {"passed": "全部满足", "failed": "不满足", "deferred": "尚未确认"}  # + "，评价暂缓" only when the result is deferred
GATE_ITEM_ZH = {"met": "满足", "unknown": "待补证", "unverified": "待核实"}
INDEX_STATUS_ZH = {"final": "", "provisional": "（暂定：基本要求尚未确认满足）", "reference": "（参考值：数据覆盖不足，不作定级依据）"}
