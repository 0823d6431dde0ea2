"""Many parks and many years: batch, compare, trend and the annual statement (issue 14)."""

from __future__ import annotations

import copy
import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml

from evalkit.cli import main
from evalkit.evaluation import evaluate
from evalkit.portfolio.compare import compare
from evalkit.portfolio.statement import RatedArchive, build_statement, validity
from evalkit.portfolio.trend import build_trend, evaluate_earlier, evaluate_windows, possible_windows
from evalkit.render.draft import DRAFT_MARK

from conftest import confirming_catalog, copy_year

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params"
WINDOW = [2021, 2022, 2023]
NOTICE = "参考值未经核实（草稿）"


def _unconfirmed(results_json: Path) -> set[tuple]:
    """(code, field, value) of each unconfirmed reference a results.json lists."""
    refs = json.loads(results_json.read_text("utf-8")).get("references", [])
    return {(r["code"], r["field"], r["value"]) for r in refs if r["status"] == "unverified"}


def assert_draft_document(archive: Path) -> set[tuple]:
    """The document lists each unconfirmed reference once and says it is a draft atop and on every page
    (the HTML's fixed footer); returns what it lists."""
    refs = json.loads((archive / "results.json").read_text("utf-8"))["references"]
    keys = [(r["code"], r["field"], r["value"]) for r in refs]
    assert keys and len(keys) == len(set(keys)) and {r["status"] for r in refs} == {"unverified"}
    html = " ".join((archive / "report.html").read_text("utf-8").split())  # pandoc wraps lines
    assert "body::after" in html and f"{DRAFT_MARK}（{len(keys)} 项参考值未经原文核实，见文首说明）" in html
    assert NOTICE in html and f"{len(keys)} 项未经原文核实：I01 参考值" in html
    assert html.index(NOTICE) < html.index('<h2 id="一')  # atop the document, before its first section
    return set(keys)


@pytest.fixture(scope="module")
def textile_raw():
    return yaml.safe_load((PARAMS / "demo-textile.yaml").read_text("utf-8"))


def _write(folder: Path, park: str, raw: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{park}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")


# --- batch -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    """demo-chem, demo-gatefail and a broken copy of demo-hitech, rendered by `evalkit batch`."""
    root = tmp_path_factory.mktemp("batch")
    params = root / "params"
    params.mkdir()
    for park in ("demo-chem", "demo-gatefail"):
        shutil.copy(PARAMS / f"{park}.yaml", params)
    broken = yaml.safe_load((PARAMS / "demo-hitech.yaml").read_text("utf-8"))
    broken["data"]["iva"]["values"][2022] = -5
    _write(params, "demo-broken", broken)
    out = root / "outputs"
    argv = ["batch", "--params-dir", str(params), "--years", "2021-2023", "--to", "html", "--jobs", "2",
            "--output-dir", str(out)]
    code = main(argv)
    rows = list(csv.DictReader((out / "batch-2021-2023.csv").open(encoding="utf-8-sig")))
    return {"params": params, "out": out, "argv": argv, "code": code, "rows": {r["park"]: r for r in rows}}


def test_batch_lists_every_park_with_its_status_and_fails_for_the_broken_one(batch_run, catalog, factors):
    from evalkit.intake import load_park

    rows = batch_run["rows"]
    chem = evaluate(load_park("demo-chem", PARAMS), catalog, WINDOW, factors=factors)
    assert batch_run["code"] == 1  # one park failed
    assert set(rows) == {"demo-chem", "demo-gatefail", "demo-broken"}
    assert rows["demo-chem"]["status 状态"] == "rendered" and rows["demo-chem"]["grade 等级"] == chem.grade == "AAA"
    assert float(rows["demo-chem"]["index 指数"]) == chem.index
    assert float(rows["demo-chem"]["效果协同 share 得分率"]) > 0.5
    assert rows["demo-chem"]["overall 整体评价"] == "positive"
    assert rows["demo-gatefail"]["status 状态"] == "rendered" and rows["demo-gatefail"]["grade 等级"] == "not_rated"
    broken = rows["demo-broken"]
    assert broken["status 状态"] == "failed" and broken["archive 存档"] == ""
    assert "iva" in broken["error 错误"] and "2022" in broken["error 错误"]
    assert (batch_run["out"] / "demo-chem" / "2021-2023" / "report.html").is_file()
    assert not (batch_run["out"] / "demo-broken").exists()
    assert (batch_run["out"] / "batch-2021-2023.xlsx").is_file()


def test_batch_skips_parks_whose_archive_has_the_same_inputs(batch_run, capsys):
    before = (batch_run["out"] / "demo-chem" / "2021-2023" / "manifest.json").read_bytes()
    code = main([*batch_run["argv"], "--parks", "demo-chem,demo-gatefail"])
    rows = list(csv.DictReader((batch_run["out"] / "batch-2021-2023.csv").open(encoding="utf-8-sig")))
    assert code == 0
    assert [(r["park"], r["status 状态"]) for r in rows] == [("demo-chem", "unchanged"), ("demo-gatefail", "unchanged")]
    assert rows[0]["grade 等级"] == "AAA"
    assert (batch_run["out"] / "demo-chem" / "2021-2023" / "manifest.json").read_bytes() == before


def test_batch_refuses_an_unknown_park_before_starting(batch_run, capsys):
    code = main([*batch_run["argv"], "--parks", "demo-chem,no-such-park"])
    assert code == 2 and "no-such-park" in capsys.readouterr().err


# --- compare ---------------------------------------------------------------------------------

def test_compare_ranks_every_park_by_index(catalog, factors):
    from evalkit.intake import load_park

    parks = ["demo-chem", "demo-hitech", "demo-heavy", "demo-gatefail", "demo-textile"]
    results = [evaluate(load_park(p, PARAMS), catalog, WINDOW, factors=factors) for p in parks]
    comparison = compare(results, catalog, by="park_type")
    order = [p.park for p in comparison.parks]
    assert sorted(order) == sorted(parks)
    indices = [p.index for p in comparison.parks if p.index is not None]
    assert indices == sorted(indices, reverse=True) and order[0] == "demo-chem"
    assert [p.rank for p in comparison.parks] == [1, 2, 3, 4, None]
    assert comparison.not_evaluated == ["demo-gatefail"] and order[-1] == "demo-gatefail"
    hitech = next(p for p in comparison.parks if p.park == "demo-hitech")
    assert 0.5 < hitech.coverage < 1 and comparison.parks[0].coverage == 1  # hitech lacks I34; chem lacks nothing
    # the leading value of an indicator is the best measured value in the group, by its direction
    nox = next(s for s in comparison.groups[0].spreads if s.code == "I04")
    measured = {p: v for p, v in nox.values.items() if v is not None}
    assert nox.best_value == min(measured.values()) and nox.best_parks
    # within types: the two chemical parks' type holds only demo-chem (gatefail is not evaluated)
    types = {g.name: g.parks for g in comparison.groups[1:]}
    assert types["化工园区"] == ["demo-chem"] and "纺织印染产业园区" in types
    assert comparison.groups[0].weak_areas


def test_compare_report_uses_current_archives_and_names_every_park(batch_run, capsys):
    params, out = batch_run["params"], batch_run["out"]
    shutil.copy(PARAMS / "demo-textile.yaml", params)
    code = main(["compare", "--parks", "demo-chem,demo-gatefail,demo-textile", "--years", "2021-2023", "--to", "html",
                 "--params-dir", str(params), "--output-dir", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "demo-chem        result from " + str(out / "demo-chem" / "2021-2023" / "results.json") in printed
    assert "demo-textile" in printed and "params/demo-textile.yaml" in printed.replace(str(params), "params")
    archive = out / "compare" / "2021-2023" / "demo-chem+demo-gatefail+demo-textile"
    manifest = json.loads((archive / "manifest.json").read_text("utf-8"))
    assert manifest["kind"] == "compare" and manifest["parks"] == ["demo-chem", "demo-gatefail", "demo-textile"]
    assert {i["path"] for i in manifest["inputs"]} >= {"inputs/results/demo-chem.json", "inputs/results/demo-textile.json"}
    html = (archive / "report.html").read_text("utf-8")
    for name in ("东海湾化工园区", "南溪精细化工园区", "南湖纺织印染产业园"):
        assert name in html
    assert html.count('src="data:image/png;base64,') >= 3  # ranking, heat map, a spread per target level
    ranked = json.loads((archive / "results.json").read_text("utf-8"))["parks"]
    assert [p["park"] for p in ranked] == ["demo-chem", "demo-textile", "demo-gatefail"]
    # a draft: the union of the unconfirmed references of the parks' results, each once
    used = [_unconfirmed(path) for path in (archive / "inputs" / "results").glob("*.json")]
    assert assert_draft_document(archive) == set().union(*used)
    assert main(["verify", str(archive)]) == 0  # re-computed from its archived inputs, results identical
    # a manifest whose parameters point the notebook elsewhere is refused before anything runs
    forged = archive.parent / "forged"
    shutil.copytree(archive, forged)
    manifest["parameters"]["results_files"] = ["/etc/passwd"]
    (forged / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    capsys.readouterr()
    assert main(["verify", str(forged)]) == 1
    assert "results_files is not what evalkit compare passes" in capsys.readouterr().err


# --- trend -----------------------------------------------------------------------------------

def test_trend_windows_are_those_the_data_allow():
    allowed, skipped = possible_windows(range(2019, 2025), 2019, 2024)
    assert allowed == [[2020, 2021, 2022], [2021, 2022, 2023], [2022, 2023, 2024]]
    assert [s.window for s in skipped] == [[2019, 2020, 2021]] and "2018" in skipped[0].reason_zh
    allowed, skipped = possible_windows(range(2020, 2024), 2021, 2023)
    assert allowed == [[2021, 2022, 2023]] and skipped == []


def test_trend_of_the_textile_park_rises_and_names_the_movers(catalog, factors):
    from evalkit.intake import load_park

    park = load_park("demo-textile", PARAMS)
    windows, skipped = possible_windows(park.input.years(), 2019, 2024)
    trend = build_trend(evaluate_windows(park, catalog, windows, factors=factors), skipped, [2019, 2024])
    assert [p.window for p in trend.points] == windows
    assert [p.grade for p in trend.points] == ["AA", "AAA", "AAA"]
    assert trend.points[0].index < trend.points[-1].index
    changes = [abs(m.change) for m in trend.movers]
    assert changes == sorted(changes, reverse=True) and changes[0] > 0


def test_trend_command_renders_every_window_with_its_charts(tmp_path, capsys):
    out = tmp_path / "outputs"
    assert main(["trend", "--park", "demo-textile", "--from", "2019", "--to", "2024", "--params-dir", str(PARAMS),
                 "--output-dir", str(out), "--formats", "html"]) == 0
    [archive] = [p.parent for p in out.rglob("manifest.json")]
    windows = [p["window"] for p in json.loads((archive / "results.json").read_text("utf-8"))["points"]]
    assert windows == [[2020, 2021, 2022], [2021, 2022, 2023], [2022, 2023, 2024]]
    html = (archive / "report.html").read_text("utf-8")
    assert "2020—2022" in html and "2022—2024" in html
    assert html.count('src="data:image/png;base64,') == 2  # the trend and the movers
    assert_draft_document(archive)
    refs = json.loads((archive / "results.json").read_text("utf-8"))["references"]
    assert next(r for r in refs if r["code"] == "I01")["years"] == list(range(2020, 2025))  # every window's years


def test_each_earlier_window_is_evaluated_with_its_own_years(catalog, factors, chem_raw, make_park):
    # The report's 历年变化 of 2021–2023: 2019–2021 reads 2018, which has no grid factor, and is left
    # out; 2020–2022 reads 2019–2022 only and is not blocked by the 2018 data.
    park = make_park(copy_year(chem_raw, 2020, 2018, 2019))
    earlier = evaluate_earlier(park, catalog, [2021, 2022, 2023], factors=factors)
    assert [r.years for r in earlier] == [[2020, 2021, 2022]]
    assert earlier[0].overall.base_year == 2020 and earlier[0].index is not None


def test_a_window_before_the_parks_base_year_is_compared_from_its_own_first_year(catalog, factors, make_park):
    from evalkit.intake import load_park

    raw = load_park("demo-textile", PARAMS).input.model_dump(mode="json", exclude_none=True)
    raw["profile"]["base_year"] = 2022
    park = make_park(raw)
    early, late = evaluate_windows(park, catalog, [[2020, 2021, 2022], [2022, 2023, 2024]], factors=factors)
    assert early.overall.base_year == 2020 and early.index is not None
    assert late.overall.base_year == 2022
    assert [r.years for r in evaluate_earlier(park, catalog, [2022, 2023, 2024], factors=factors)] == \
        [[2020, 2021, 2022], [2021, 2022, 2023]]


# --- statement -------------------------------------------------------------------------------

def _fall_back(raw: dict) -> dict:
    """The textile park's 2024 slips: VOCs and SO2 jump, waste heat recovery collapses, planning drops to D."""
    raw = copy.deepcopy(raw)
    raw["data"]["vocs"]["values"][2024] *= 2.5
    raw["data"]["so2"]["values"][2024] *= 2.0
    raw["data"]["waste_heat_recovered"]["values"][2024] *= 0.3
    raw["qualitative"]["I36"][2024] = {"level": "D", "evidence": "2024年实施方案未更新"}
    return raw


def _statement(park, catalog, factors, rated):
    archive = RatedArchive(archive="outputs/x/2021-2023", window=WINDOW, grade=rated.grade, index=rated.index,
                           base_year=2021, finished_at="2025-01-01T00:00:00+00:00", results_sha256="0" * 64)
    new = evaluate(park, catalog, [2021, 2022, 2023, 2024], factors=factors, base_year=2021)
    return build_statement(rated, new, catalog, archive, 2024)


def test_statement_of_the_textile_park_confirms_continued_compliance(catalog, factors):
    from evalkit.intake import load_park

    park = load_park("demo-textile", PARAMS)
    rated = evaluate(park, catalog, WINDOW, factors=factors)
    statement = _statement(park, catalog, factors, rated)
    assert rated.grade == "AAA" and statement.verdict == "continued"
    assert {c.key: c.status for c in statement.checks} == {
        "gate": "met", "indicators": "met", "index": "met", "levels": "met", "overall": "met"}
    assert statement.validity.valid_years == [2024, 2025, 2026] and statement.validity.remaining_years == [2025, 2026]
    assert statement.year_index is not None and statement.year_index >= statement.band_min == 85


def test_statement_of_a_park_whose_new_year_falls_back(catalog, factors, textile_raw, make_park):
    rated = evaluate(make_park(textile_raw, "demo-textile"), catalog, WINDOW, factors=factors)
    statement = _statement(make_park(_fall_back(textile_raw), "demo-textile"), catalog, factors, rated)
    fallen = {i.code for i in statement.indicators if i.status == "fallen"}
    assert statement.verdict == "not_continued"
    assert {"I28", "I36"} <= fallen  # waste heat recovery and the planning level
    status = {c.key: c.status for c in statement.checks}
    assert status["indicators"] == "not_met" and status["gate"] == "met"
    assert status["overall"] == "not_met"  # air pollutant intensity 2021→2024 rose with VOCs and SO2
    assert any("I36" in point for point in statement.review_points)


def test_statement_with_missing_new_year_data_is_pending_not_failed(catalog, factors, textile_raw, make_park):
    rated = evaluate(make_park(textile_raw, "demo-textile"), catalog, WINDOW, factors=factors)
    raw = copy.deepcopy(textile_raw)
    del raw["data"]["satisfaction"]["values"][2024]
    statement = _statement(make_park(raw, "demo-textile"), catalog, factors, rated)
    missing = [i for i in statement.indicators if i.status == "missing"]
    assert statement.verdict == "undetermined" and missing and not any(i.status == "fallen" for i in statement.indicators)


def test_statement_validity_is_three_statement_years(catalog):
    rules = catalog.continued_compliance
    assert validity(rules, 2023, 2026).remaining_years == []
    with pytest.raises(ValueError, match="new evaluation is due"):
        validity(rules, 2023, 2027)


def test_statement_command_against_the_rated_archive(tmp_path, textile_raw, capsys):
    params, out = tmp_path / "params", tmp_path / "outputs"
    _write(params, "demo-textile", _fall_back(textile_raw))
    common = ["--params-dir", str(params), "--output-dir", str(out), "--to", "html"]
    assert main(["statement", "--park", "demo-textile", "--year", "2024", *common]) == 2
    assert "evalkit render --park demo-textile --years 2021-2023" in capsys.readouterr().err
    assert main(["render", "--park", "demo-textile", "--years", "2021-2023", *common]) == 0
    report = (out / "demo-textile" / "2021-2023" / "report.html").read_text("utf-8")
    assert "历年变化" in report and "2020—2022年" in report and "###" not in report  # the earlier window
    assert main(["statement", "--park", "demo-textile", "--year", "2027", *common]) == 2
    assert "2024–2026" in capsys.readouterr().err
    assert main(["statement", "--park", "demo-textile", "--year", "2024", *common]) == 0
    archive = out / "demo-textile" / "statement-2024"
    result = json.loads((archive / "results.json").read_text("utf-8"))
    assert result["verdict"] == "not_continued" and result["rated"]["window"] == WINDOW
    manifest = json.loads((archive / "manifest.json").read_text("utf-8"))
    assert manifest["kind"] == "statement"
    assert "inputs/rated/results.json" in {i["path"] for i in manifest["inputs"]}
    html = (archive / "report.html").read_text("utf-8")
    assert "不再持续符合" in html and "跟踪复核要点" in html
    assert 'src="data:image/png;base64,' in html  # the indicator chart
    assert assert_draft_document(archive) >= _unconfirmed(archive / "inputs" / "rated" / "results.json")
    assert main(["verify", str(archive)]) == 0


def test_a_catalog_override_of_the_statement_threshold_must_name_an_indicator(tmp_path):
    from evalkit.catalog import default_catalog_path, load_catalog
    from evalkit.core.problems import InputError

    source = default_catalog_path()
    shutil.copy(source.parent / "basic_requirements.yaml", tmp_path)
    text = source.read_text("utf-8").replace("score_drop_overrides: {}", "score_drop_overrides: {I99: 0.1}")
    (tmp_path / "custom.yaml").write_text(text, "utf-8")
    with pytest.raises(InputError, match="continued_compliance.score_drop_overrides.I99"):
        load_catalog(tmp_path / "custom.yaml")


def test_an_interrupted_batch_keeps_finished_archives_and_leaves_no_staging(tmp_path):
    """Ctrl-C in the parent (raised here from the progress callback once one park is done)."""
    from evalkit import archive
    from evalkit.catalog import default_catalog_path
    from evalkit.carbon import DEFAULT_TABLE
    from evalkit.runs.batch import BatchInterrupted, BatchJob, run_batch

    out = tmp_path / "outputs"
    jobs = [BatchJob(park=p, years=WINDOW, params_dir=str(PARAMS), catalog_path=str(default_catalog_path()),
                     factor_path=str(DEFAULT_TABLE), output_dir=str(out), formats=["html"], engine="auto",
                     force=False, command=["test"]) for p in ("demo-chem", "demo-hitech")]
    seen_running = []

    def ctrl_c(done, running, failed, total):
        if done == 1:
            seen_running.append(running)
            raise KeyboardInterrupt

    with pytest.raises(BatchInterrupted) as interrupted:
        run_batch(jobs, workers=1, report=ctrl_c, grace_seconds=0)  # the busy worker is stopped at once
    assert [(r.park, r.status) for r in interrupted.value.rows] == [("demo-chem", "rendered"),
                                                                    ("demo-hitech", "interrupted")]
    finished = out / "demo-chem" / "2021-2023"
    assert archive.check_integrity(finished, archive.read_manifest(finished)) == []
    assert seen_running == [1]  # the second park was being rendered when Ctrl-C came
    assert not list((out / "demo-hitech").glob(".*staging*")) and not (out / "demo-hitech" / "2021-2023").exists()


# --- drafts: unconfirmed references ----------------------------------------------------------

def test_documents_list_each_unconfirmed_reference_once_and_a_parks_override_beside_it(catalog, factors):
    from evalkit.intake import load_park

    results = [evaluate(load_park(p, PARAMS), catalog, WINDOW, factors=factors)
               for p in ("demo-chem", "demo-textile", "demo-hitech")]
    listed = compare(results, catalog).references
    keys = [(r.code, r.field, r.value) for r in listed]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(r.code, r.field, r.value) for result in results for r in result.unverified_references}
    # demo-hitech's own I26 reference (an override without 文号) stands beside the catalog's
    assert sorted(r.value for r in listed if r.code == "I26") == [70, 85]
    assert len(results[0].unverified_references) < len(listed)


def test_documents_on_confirmed_references_list_none_and_carry_no_mark(tmp_path, factors, capsys):
    from evalkit.catalog import load_catalog
    from evalkit.intake import load_park

    confirming = confirming_catalog(tmp_path / "catalog")
    catalog = load_catalog(confirming)
    park = load_park("demo-textile", PARAMS)
    rated = evaluate(park, catalog, WINDOW, factors=factors)
    assert compare([rated, evaluate(load_park("demo-chem", PARAMS), catalog, WINDOW, factors=factors)],
                   catalog).references == []
    assert _statement(park, catalog, factors, rated).references == []
    out = tmp_path / "outputs"
    assert main(["trend", "--park", "demo-textile", "--from", "2020", "--to", "2023", "--params-dir", str(PARAMS),
                 "--output-dir", str(out), "--formats", "html", "--catalog", str(confirming)]) == 0
    [archive] = [p.parent for p in out.rglob("manifest.json")]
    assert json.loads((archive / "results.json").read_text("utf-8"))["references"] == []
    html = (archive / "report.html").read_text("utf-8")
    assert "2021—2023" in html and DRAFT_MARK not in html and "body::after" not in html and NOTICE not in html


@pytest.fixture(scope="module")
def chem_hitech_textile(catalog, factors):
    """The three parks of the reviewed comparison; demo-hitech declares I28, I29 not applicable and
    overrides the reference of I26."""
    from evalkit.intake import load_park

    results = [evaluate(load_park(p, PARAMS), catalog, WINDOW, factors=factors)
               for p in ("demo-chem", "demo-hitech", "demo-textile")]
    return results, compare(results, catalog)


def test_ranking_chart_labels_overlap_neither_each_other_nor_the_title(catalog, chem_hitech_textile):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from evalkit.report import portfolio_charts

    bands = {b.grade: b.min for b in catalog.grading.bands}
    fig = portfolio_charts.ranking_chart(chem_hitech_textile[1], bands)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    labels = [t for t in ax.texts if "≥" in t.get_text()]
    assert sorted(t.get_text() for t in labels) == sorted(f"{g}≥{m:g}" for g, m in bands.items())
    # threshold labels, the bars' labels and the title: no two overlap (75 and 85 are close)
    boxes = [t.get_window_extent(renderer) for t in ax.texts] + [ax.title.get_window_extent(renderer)]
    for n, box in enumerate(boxes):
        for other in boxes[n + 1:]:
            assert not box.overlaps(other), (box, other)
    frame = ax.get_window_extent(renderer)
    for label in labels:
        box = label.get_window_extent(renderer)
        assert frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1), label.get_text()


def test_compare_table_says_not_applicable_rounds_as_the_park_reports_and_names_reference_overrides(
        catalog, chem_hitech_textile):
    from evalkit.report import compare as show, method
    from evalkit.report.numbers import Numbers

    _, comparison = chem_hitech_textile
    group = comparison.groups[0]
    names = {p.park: p.park_name for p in comparison.parks}
    text = show.leading_values(group, names, Numbers(catalog), comparison.reference_differences)
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in text.splitlines() if line.startswith("| I")}
    hitech = 5 + group.parks.index("demo-hitech")
    # demo-hitech declared I28 and I29 not applicable (with a reason): not "no data"
    for code in ("I28", "I29"):
        assert rows[code][hitech].strip(" |") == "不适用"
    assert "demo\\-hitech I28：园区内不存在该类设施或设备" in text
    # at the catalog's display precision (% → 2 places), with the minus sign, as in the park reports
    chem = 5 + group.parks.index("demo-chem")
    assert rows["I01"][chem].strip(" |*") == "86\\.58" and rows["I11"][chem].strip(" |*") == "−3\\.04"
    # demo-hitech's own I26 reference (70 %) against the catalog's 85 %: said beside the ranking and the table
    said = "I26 工业用水重复利用率的参考值：demo\\-chem、demo\\-textile 为 85 \\%，demo\\-hitech 为 70 \\%（园区替换）"
    assert said in text and said in show.ranking(comparison)
    # the draft notice names the parks each value applies to
    notice = method.document_draft_notice(comparison.references, "比较报告", show.reference_parks(comparison))
    assert "I26 参考值 70 \\%（demo\\-hitech）、I26 参考值 85 \\%（demo\\-chem、demo\\-textile）" in notice


def test_compare_heat_shows_the_rate_over_the_data_a_park_has_with_its_coverage(chem_hitech_textile):
    """demo-hitech lacks I34 (绿色交通): the heat table and the heat map show 绿色交通 at its rate over the
    data it has, with its coverage, never the rate with the gap counted as 0 (28 %); a level without data
    reads 缺数据; the ranking still says its index counts missing data as 0."""
    import numpy as np
    from matplotlib.colors import to_hex

    from evalkit.report import compare as show, portfolio_charts

    results, comparison = chem_hitech_textile
    hitech = next(r for r in results if r.park == "demo-hitech")
    traffic = next(f for f in hitech.first_level_means if f.first_level == "绿色交通")
    assert 0 < traffic.coverage < 1 and traffic.data_share > traffic.share + 0.1  # the gap lowers `share`
    shown = f"{traffic.data_share:.0%}（覆盖 {traffic.coverage:.0%}）"
    names = {p.park: p.park_name for p in comparison.parks}
    text = show.heat_table(comparison, names)
    row = next(line for line in text.splitlines() if "绿色交通" in line).split(" | ")
    column = 2 + list(comparison.heat).index("demo-hitech")
    assert row[column].strip(" |").replace("\\", "") == shown
    assert f"{traffic.share:.0%}" not in " ".join(row) and "*" not in text.replace("\\*", "")
    assert "缺失数据计0分" in show.ranking(comparison)

    # a level without any data: 缺数据 in the table and a grey cell in the map, no rate
    from evalkit.portfolio.compare import CoveredShare

    empty = comparison.model_copy(deep=True)
    empty.heat["demo-chem"]["扩绿"] = CoveredShare(share=0.0, data_share=None, coverage=0.0)
    row = next(line for line in show.heat_table(empty, names).splitlines() if "扩绿" in line).split(" | ")
    assert row[2 + list(empty.heat).index("demo-chem")].strip(" |") == "缺数据"

    fig = portfolio_charts.heatmap(empty)
    ax = fig.axes[0]
    labels = {(round(t.get_position()[0]), round(t.get_position()[1])): t.get_text() for t in ax.texts}
    firsts = [f for _, f in comparison.first_levels]
    parks = list(comparison.heat)
    j, i = firsts.index("绿色交通"), parks.index("demo-hitech")
    assert labels[j, i] == f"{traffic.data_share:.0%}\n覆盖{traffic.coverage:.0%}"
    assert any(p.get_hatch() for p in ax.patches)  # the partly covered cell is hatched
    j, i = firsts.index("扩绿"), parks.index("demo-chem")
    assert labels[j, i] == "缺数据"
    image = ax.images[0]  # no value there: drawn in the map's grey, not the colour of 0 %
    assert np.ma.is_masked(image.get_array()[i, j]) and to_hex(image.cmap.get_bad()) == "#e6e6e6"
