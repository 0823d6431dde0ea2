"""A carbon factor published after the report date cannot have been used for the report (review
finding 8): the factor table gives each source's publication date, the evaluation lists the late
factors, the CLI warns and the report notes it beside the factor; the demo parks show no such date."""

from __future__ import annotations


import pytest

from evalkit.cli import main
from evalkit.evaluation import evaluate
from evalkit.intake import load_park
from evalkit.intake.models import ReportInfo
from evalkit.report import sections

from conftest import PARAMS

WINDOW = [2021, 2022, 2023]


@pytest.mark.parametrize("text, day", [
    ("2024年4月15日", "2024-04-15"), ("2026-01-05", "2026-01-05"), ("2025.12.31", "2025-12-31"),
    ("2024 年 4 月 15 日", "2024-04-15"), ("【待填写】", None), (None, None), ("2024年2月30日", None),
])
def test_report_date_is_read_from_the_ways_assessors_write_it(text, day):
    found = ReportInfo(date=text).day()
    assert (found.isoformat() if found else None) == day


def test_factors_published_after_the_report_date_are_listed_and_warned(chem_raw, make_park, catalog, factors):
    chem_raw["report"]["date"] = "2024年4月15日"  # the 2022 (2024-12-20) and 2023 (2025-12-31) notices came later
    result = evaluate(make_park(chem_raw), catalog, WINDOW, factors=factors)
    late = {(f.id, f.year): f for f in result.factors_after_report_date}
    residual = "electricity.national_average_excl_market_nonfossil"
    assert set(late) == {(residual, 2022), (residual, 2023)}   # 2021 (2024-04-12) came before
    assert late[(residual, 2023)].published == "2025-12-31" and late[(residual, 2023)].used_in == [2023]
    assert late[(residual, 2023)].text_zh in result.warnings
    rows = sections.factor_rows(result, sections.carbon_years(result))
    [row] = [r for r in rows if r[0].startswith("全国电力平均二氧化碳排放因子（不包括")]
    assert "0.5856（2022年值；该因子公告日期晚于报告日期）" in row[1]
    assert "0.5942（2021年值，用于2020、2021年）；" in row[1]        # published before: no note
    assert "公告2025年第47号）" in row[3] and "公告日期 2025-12-31" in row[3]


@pytest.mark.parametrize("date", ["2026年4月15日", None, "【待评价机构填写】"])
def test_no_late_factor_after_the_last_notice_or_without_a_date(chem_raw, make_park, catalog, factors, date):
    chem_raw["report"]["date"] = date
    result = evaluate(make_park(chem_raw), catalog, WINDOW, factors=factors)
    assert result.factors_after_report_date == []
    rows = sections.factor_rows(result, sections.carbon_years(result))
    assert not any(sections.LATE_FACTOR in row[1] for row in rows)


def test_score_warns_of_a_late_factor(chem_raw, write_params, capsys):
    chem_raw["report"]["date"] = "2024年4月15日"
    params = write_params(chem_raw)
    main(["score", "--park", "crafted", "--params-dir", str(params), "--years", "2021-2023"])
    out = capsys.readouterr().out
    assert "公告日期为 2025-12-31，晚于报告日期 2024年4月15日" in out


@pytest.mark.parametrize("park", ["demo-chem", "demo-hitech", "demo-heavy", "demo-gatefail", "demo-sparse"])
def test_demo_reports_are_not_dated_before_a_factor_they_use(park, catalog, factors):
    result = evaluate(load_park(park, PARAMS), catalog, WINDOW, factors=factors)
    assert result.factors_after_report_date == []


def test_demo_chem_is_dated_after_the_newest_factor_it_uses(catalog, factors):
    park = load_park("demo-chem", PARAMS)
    result = evaluate(park, catalog, WINDOW, factors=factors)
    newest = max(f["published"] for c in sections.carbon_years(result).values() for f in c["factors"]
                 if f.get("published"))
    assert park.input.report.day().isoformat() > newest == "2025-12-31"


def test_render_warns_of_a_late_factor_before_rendering(chem_raw, write_params, tmp_path, capsys, monkeypatch):
    import evalkit.render
    from evalkit.render import RenderError

    def stop(*args, **kwargs):  # the warning is the CLI's: no notebook needs to run for it
        raise RenderError("execute", "stopped by the test")
    monkeypatch.setattr(evalkit.render, "render_report", stop)
    chem_raw["report"]["date"] = "2025-06-30"
    params = write_params(chem_raw)
    main(["render", "--park", "crafted", "--params-dir", str(params), "--years", "2021-2023",
          "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert "[evalkit] warning: 全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）（2023年值" in err
    assert "晚于报告日期 2025-06-30" in err and "2022年值" not in err   # the 2022 notice (2024-12-20) came before
