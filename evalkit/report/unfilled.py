"""What the assessor has not yet written: every place where the report shows 【待评价机构填写】 and
the field of the park file that fills it. A report with any such place is unfinished: it is a draft
(footer, summary notice, sign-off page), `render --final` is refused, and the method chapter lists
the places in one table.

`sections` prints the placeholder and this module lists it from the same fields, so the two cannot
drift apart silently (tests/test_unfilled.py renders every chapter and compares).
"""

from __future__ import annotations

from dataclasses import dataclass

from evalkit.intake.models import ParkInput
from evalkit.report.markup import Md, paragraphs, table

PLACEHOLDER = "【待评价机构填写】"


@dataclass(frozen=True)
class Unfilled:
    place_zh: str
    """Where the report shows the placeholder: 封面 · 报告编号."""
    field: str
    """The park file field that fills it: report.report_no."""


def unfilled_fields(park: ParkInput) -> list[Unfilled]:
    """Every place of the report still showing the placeholder, in the order of the report."""
    info, profile = park.report, park.profile
    found: list[Unfilled] = []

    def need(value: object, place: str, field: str) -> None:
        if not value:
            found.append(Unfilled(place, field))

    need(info.report_no, "封面 · 报告编号", "report.report_no")
    need(info.client, "封面 · 委托方", "report.client")
    need(info.assessor or profile.assessor, "封面、签署页 · 评价机构", "report.assessor")
    need(profile.assessment_type, "封面 · 评价类型", "profile.assessment_type")
    need(info.date, "封面 · 报告日期", "report.date")
    need(info.project_lead, "签署页 · 项目负责人", "report.project_lead")
    need(info.reviewer, "签署页 · 审核人", "report.reviewer")
    need(info.approver, "签署页 · 批准人", "report.approver")
    need(info.sign_date, "签署页 · 签署日期", "report.sign_date")
    need(info.scope.geographic, "评价范围与边界 · 地理边界", "report.scope.geographic")
    need(info.scope.statistical, "评价范围与边界 · 统计边界", "report.scope.statistical")
    need(info.scope.notes, "评价范围与边界 · 口径说明", "report.scope.notes")
    need(info.procedure, "评价工作程序 · 工作内容、时间、人员", "report.procedure")
    for n, activity in enumerate(info.procedure):
        need(activity.dates, f"评价工作程序 · {activity.activity} · 时间", f"report.procedure[{n}].dates")
        need(activity.by, f"评价工作程序 · {activity.activity} · 人员", f"report.procedure[{n}].by")
    need(info.conclusion, "评价结论与建议 · 评价结论", "report.conclusion")
    need(info.recommendations, "评价结论与建议 · 建议", "report.recommendations")
    need(park.evidence, "证明材料清单", "evidence")
    return found


def unfilled_section(fields: list[Unfilled]) -> Md:
    """The one list of what the assessor still has to write."""
    return paragraphs(
        Md("**待评价机构填写的内容**：报告中下列 {0} 项内容标为“{1}”，在园区数据文件中填写对应字段后重新生成报告；"
           "填写完成前本报告为草稿，不能签发。").format(len(fields), PLACEHOLDER),
        table(["报告位置", "园区数据文件字段"], [[f.place_zh, f.field] for f in fields], [3, 2]))
