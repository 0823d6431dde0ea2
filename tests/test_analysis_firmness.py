"""How firm is the grade: margins, Monte Carlo uncertainty, removal, Sobol, the CLI and the report
section. Where possible each figure is checked against an independent traced evaluation."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pypandoc
import pytest
import yaml

from evalkit.analysis import fast, uncertainty
from evalkit.analysis.margins import margins
from evalkit.analysis.sobol import removal, sobol
from evalkit.cli import main
from evalkit.core.problems import InputError
from evalkit.evaluation import evaluate
from evalkit.evaluation.index import round_half_up
from evalkit.intake import LoadedPark, load_park
from evalkit.report import firmness as firm_show

from conftest import PARAMS, ROOT

WINDOW = [2021, 2022, 2023]


@pytest.fixture(scope="module")
def chem(catalog, factors):
    park = load_park("demo-chem", PARAMS)
    return park, evaluate(park, catalog, WINDOW, factors=factors), fast.prepare(park, catalog, WINDOW, factors=factors)


def bands_file(tmp_path, **changes):
    raw = yaml.safe_load(uncertainty.BANDS_FILE.read_text("utf-8"))
    for path, value in changes.items():
        node = raw
        *parents, last = path.split(".")
        for key in parents:
            node = node[key]
        node[last] = value
    path = tmp_path / "bands.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return path


def zero_bands(tmp_path, **changes):
    zero = {"weights.band": 0.0, "references.band": 0.0, "missing.score_range": [0.0, 0.0],
            **{f"data.scopes.{s}.band": 0.0 for s in ("measured", "derived", "estimated", "proxy")}}
    return uncertainty.load_bands(bands_file(tmp_path, **(zero | changes)))


# --- margins -------------------------------------------------------------------------------------

def without_bonus(park, catalog, factors):
    changed = LoadedPark(id=park.id, path=park.path, input=park.input.model_copy(update={"bonus": {}}))
    return evaluate(changed, catalog, WINDOW, factors=factors)


def test_margins_of_the_demo_chemical_park(chem, catalog, factors):
    park, result, prepared = chem
    m = margins(park, catalog, WINDOW, result, prepared, factors=factors)
    assert (m.above, m.below.grade, m.below.distance) == (None, "AAA", pytest.approx(result.index - 85))
    [bonus] = m.scenarios
    direct = without_bonus(park, catalog, factors)
    assert (bonus.kind, bonus.index, bonus.grade) == ("bonus", direct.index, direct.grade)
    assert bonus.index < result.index
    assert m.grade_changers() == [s for s in m.swings if s.grade != result.grade]
    assert all((s.index >= 85) == (s.grade == "AAA") for s in m.swings if s.grade != "not_rated")


def test_a_rubric_level_swing_equals_the_traced_engine(chem, catalog, factors, chem_raw, make_park):
    park, result, prepared = chem
    m = margins(park, catalog, WINDOW, result, prepared, factors=factors)
    swing = next(s for s in m.swings if s.code == "I40" and s.change == "level_down")
    levels = sorted(catalog.indicator("I40").scoring.levels, key=lambda lv: lv.score)
    ids = [lv.id for lv in levels]
    for year in WINDOW:
        choice = chem_raw["qualitative"]["I40"][year]
        choice["level"] = ids[max(ids.index(choice["level"]) - 1, 0)]
    lowered = evaluate(make_park(chem_raw), catalog, WINDOW, factors=factors)
    assert (swing.index, swing.grade) == (lowered.index, lowered.grade)


def test_not_applicable_and_override_scenarios_are_traced_evaluations(catalog, factors):
    park = load_park("demo-hitech", PARAMS)
    result = evaluate(park, catalog, WINDOW, factors=factors)
    m = margins(park, catalog, WINDOW, result, fast.prepare(park, catalog, WINDOW, factors=factors), factors=factors)
    kinds = {(s.kind, s.code) for s in m.scenarios}
    assert {("not_applicable", "I28"), ("override", "I26"), ("bonus", None)} <= kinds
    na = next(s for s in m.scenarios if s.code == "I28")
    rest = {c: v for c, v in park.input.not_applicable.items() if c != "I28"}
    direct = evaluate(LoadedPark(id=park.id, path=park.path, input=park.input.model_copy(update={"not_applicable": rest})),
                      catalog, WINDOW, factors=factors)
    assert (na.index, na.grade) == (direct.index, direct.grade) and na.index < result.index


# --- Monte Carlo ---------------------------------------------------------------------------------

def test_zero_bands_give_the_traced_index_in_every_sample(chem, tmp_path):
    _, result, prepared = chem
    run = uncertainty.run(prepared, result.index, result.grade, samples=500, bands=zero_bands(tmp_path))
    assert np.all(run.all.index == result.index)
    assert run.as_json()["grade_probabilities"]["AAA"] == 1.0


def test_grade_probabilities_of_a_deferred_park_count_every_sample(catalog, factors, chem_raw, make_park, tmp_path):
    chem_raw["basic_requirements"]["planning_eia"] = {"met": "unknown"}  # pending evidence: 评价暂缓
    park = make_park(chem_raw)
    result = evaluate(park, catalog, WINDOW, factors=factors)
    assert result.grade == "deferred"
    prepared = fast.prepare(park, catalog, WINDOW, factors=factors)
    run = uncertainty.run(prepared, result.index, result.grade, samples=200, bands=zero_bands(tmp_path))
    assert run.as_json()["grade_probabilities"]["deferred"] == 1.0


def test_missing_data_is_drawn_within_its_range(catalog, factors, chem_raw, make_park, tmp_path):
    del chem_raw["data"]["good_air_days"]  # I01 missing in every year: scored 0 by the evaluation
    park = make_park(chem_raw)
    result = evaluate(park, catalog, WINDOW, factors=factors)
    prepared = fast.prepare(park, catalog, WINDOW, factors=factors)
    full = uncertainty.run(prepared, result.index, result.grade, samples=200,
                           bands=zero_bands(tmp_path, **{"missing.score_range": [1.0, 1.0]}))
    weight_points = catalog.indicator("I01").weight * 100  # full marks in each year of the mean
    assert np.all(full.all.index == round_half_up(result.index_unrounded + weight_points, 2))
    spread = uncertainty.run(prepared, result.index, result.grade, samples=2000,
                             bands=zero_bands(tmp_path, **{"missing.score_range": [0.0, 1.0]}))
    assert result.index <= spread.all.index.min() and spread.all.index.max() <= result.index + weight_points + 0.01
    assert spread.all.factors == 3


def test_weights_are_perturbed_keeping_each_target_levels_total(chem, catalog):
    _, _, prepared = chem
    chosen = uncertainty.factors(prepared, uncertainty.load_bands(), ("weights",))
    rows = uncertainty.rows_for(prepared, chosen, np.random.default_rng(5).random((300, len(chosen))))
    assert rows.weights.std(axis=0).min() > 0
    for level in catalog.target_levels:
        idx = [n for n, i in enumerate(catalog.indicators) if i.target_level == level.name]
        assert rows.weights[:, idx].sum(axis=1) == pytest.approx(catalog.level_max_points(level.name) / 100)


def test_data_bands_by_scope_and_per_datum_override(chem, tmp_path):
    _, _, prepared = chem
    bands = uncertainty.load_bands(bands_file(tmp_path, **{"data.overrides": [
        {"symbol": "iva", "year": 2022, "band": 0.01, "justification": "统计局核定数"}]}))
    assert uncertainty.data_band(prepared, bands, "iva", 2021) == (0.05, "measured")
    assert uncertainty.data_band(prepared, bands, "iva", 2022) == (0.01, "override")
    assert uncertainty.data_band(prepared, bands, "co2", 2022) == (0.10, "derived")      # carbon accounting
    assert uncertainty.data_band(prepared, bands, "firms", 2022) == (0.0, "counted")     # 个: counted
    prepared.scopes[("pm25", 2022)] = "proxy"
    try:
        assert uncertainty.data_band(prepared, bands, "pm25", 2022) == (0.30, "proxy")
    finally:
        del prepared.scopes[("pm25", 2022)]


def test_bad_bands_file_names_every_problem(tmp_path):
    path = bands_file(tmp_path, **{"weights.band": 2, "data.default_scope": "guessed"})
    with pytest.raises(InputError) as exc:
        uncertainty.load_bands(path)
    assert {p.field for p in exc.value.problems} == {"weights.band", "data.default_scope"}


# --- removal and Sobol ---------------------------------------------------------------------------

def test_removing_an_indicator_equals_declaring_it_not_applicable(catalog, factors, chem_raw, make_park):
    prepared = [fast.prepare(load_park(p, PARAMS), catalog, WINDOW, factors=factors)
                for p in ("demo-chem", "demo-hitech", "demo-heavy", "demo-gatefail")]
    analysis = removal(prepared)
    assert analysis.parks == ["demo-chem", "demo-hitech", "demo-heavy"]  # not evaluated: left out
    assert analysis.rank == {"demo-chem": 1, "demo-hitech": 2, "demo-heavy": 3}
    for code in ("I16", "I40"):
        chem_raw.setdefault("not_applicable", {})[code] = {"reason": "no_such_facility", "justification": "剔除测试"}
        direct = evaluate(make_park(chem_raw), catalog, WINDOW, factors=factors)
        removed = next(r for r in analysis.removals if r.code == code)
        assert (removed.index["demo-chem"], removed.grade["demo-chem"]) == (direct.index, direct.grade)
        del chem_raw["not_applicable"][code]


def test_sobol_ranks_the_factors_reproducibly(chem):
    _, _, prepared = chem
    first = sobol(prepared, base_samples=32, seed=7)
    again = sobol(prepared, base_samples=32, seed=7)
    factors = uncertainty.factors(prepared, uncertainty.load_bands(), per_series=True)
    assert first.evaluations == 32 * (len(factors) + 2)
    assert [i.label for i in first.indices] == [i.label for i in again.indices]
    assert first.indices[0].st >= first.indices[-1].st and first.indices[0].st > 0.01
    assert len({i.label for i in first.indices}) == len(factors)


def test_sobol_indices_of_the_demo_park_are_reproducible_and_sensible(chem):
    _, _, prepared = chem
    found = sobol(prepared, base_samples=256, seed=20_231)
    assert sobol(prepared, base_samples=256, seed=20_231) == found
    other = sobol(prepared, base_samples=256, seed=20_232)
    assert [i.st for i in other.indices] != [i.st for i in found.indices]
    s1, st = np.array([i.s1 for i in found.indices]), np.array([i.st for i in found.indices])
    assert s1.sum() <= 1.1 and (st >= 0).all() and (st >= s1 - 0.05).all()
    # a factor that moves the index has a bootstrap half-width; one that never moves it (e.g. the
    # reference of an indicator scored full marks anyway) has indices and half-width 0 (to rounding:
    # some cancel only to ~1e-28)
    assert all((i.st_conf > 1e-12) == (i.st > 1e-12) for i in found.indices)
    # Independently: the index is nearly additive in these factors, so each factor's share of the
    # variance is close to the variance of the index when that factor alone sweeps its range (the
    # others at their centre), as a share of the sum of those variances.
    chosen = uncertainty.factors(prepared, uncertainty.load_bands(), per_series=True)
    grid = np.linspace(0, 1, 21)
    unit = np.full((len(chosen), grid.size, len(chosen)), 0.5)
    for j in range(len(chosen)):
        unit[j, :, j] = grid
    swept = fast.evaluate_rows(prepared.catalog, prepared.structure,
                               uncertainty.rows_for(prepared, chosen, unit.reshape(-1, len(chosen))))
    alone = swept.index_unrounded.reshape(len(chosen), grid.size).var(axis=1)
    share = dict(zip((f.label for f in chosen), alone / alone.sum()))
    assert max(abs(i.st - share[i.label]) for i in found.indices) < 0.03
    assert max(abs(i.s1 - share[i.label]) for i in found.indices) < 0.06
    assert all((share[i.label] > 1e-12) == (i.st > 1e-12) for i in found.indices)
    assert found.indices[0].st > 0.05 and share[found.indices[0].label] > 0.05


# --- command line --------------------------------------------------------------------------------

def test_sensitivity_json_is_reproducible_and_complete(capsys, catalog, factors):
    argv = ["sensitivity", "--park", "demo-chem", "--years", "2021-2023", "--params-dir", str(PARAMS),
            "--samples", "2000", "--seed", "11", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert sum(first["grade_probabilities"].values()) == pytest.approx(1.0)
    quantiles = list(first["index_quantiles"].values())
    assert quantiles == sorted(quantiles) and list(first["index_quantiles"]) == ["p05", "p25", "p50", "p75", "p95"]
    assert (first["seed"], first["samples"], first["grade"]) == (11, 2000, "AAA")
    assert first["settings"]["weights"]["band"] == 0.2 and "source" in first["settings"]["weights"]
    direct = without_bonus(load_park("demo-chem", PARAMS), catalog, factors)
    assert (first["margins"]["scenarios"][0]["index"], first["margins"]["scenarios"][0]["grade"]) == (
        direct.index, direct.grade)
    assert main([*argv[:-2], "12", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["index_quantiles"] != first["index_quantiles"]


def test_sensitivity_text_and_bad_arguments(capsys):
    assert main(["sensitivity", "--park", "demo-gatefail", "--years", "2021-2023", "--params-dir", str(PARAMS)]) == 0
    assert "not evaluated" in capsys.readouterr().out
    assert main(["sensitivity", "--park", "demo-gatefail", "--years", "2021-2023", "--params-dir", str(PARAMS),
                 "--json"]) == 0
    gatefail = json.loads(capsys.readouterr().out)
    assert gatefail["grade_probabilities"] == {"not_rated": 1.0} and gatefail["index_quantiles"] == {}
    assert main(["sensitivity", "--park", "demo-chem", "--years", "2021-2023", "--params-dir", str(PARAMS),
                 "--samples", "10", "--sobol", "100"]) == 2
    err = capsys.readouterr().err
    assert "--samples" in err and "--sobol" in err and "Traceback" not in err


# --- report --------------------------------------------------------------------------------------

def plain(markdown: str) -> str:
    return pypandoc.convert_text(markdown, "plain", format="markdown", extra_args=["--wrap=none"])


def test_report_section_shows_margins_and_probabilities(chem, catalog, factors):
    from evalkit.analysis.firmness import analyse

    park, result, _ = chem
    firm = analyse(park, catalog, WINDOW, result, factors=factors, samples=1000, seed=3, sobol_samples=16)
    margins_text = plain(firm_show.margins_section(firm))
    assert f"{result.index - 85:.2f} 分（AAA级门槛 85 分）" in margins_text
    [bonus] = firm.margins.scenarios
    changed = "等级改变" if bonus.grade != result.grade else "等级不变"
    assert f"不计加分项：指数 {bonus.index:.2f}，等级 {firm_show.GRADE_ZH[bonus.grade]}（{changed}）" in margins_text
    probabilities = plain(firm_show.probabilities_section(firm))
    assert re.search(r"随机种子 +3\n", probabilities) and re.search(r"样本数 +1000\n", probabilities)
    assert f"不确定性区间设定（{firm.uncertainty.bands.id}）" in probabilities and "区间文件" not in probabilities
    for grade, p in firm.uncertainty.all.probabilities(firm.uncertainty.grades).items():
        if p:
            assert f"{p:.1%}" in probabilities
    sensitivity = plain(firm_show.sensitivity_section(firm))
    assert "逐项剔除指标" in sensitivity and "Sobol" in sensitivity
    assert "Saltelli 设计（随机化 Halton 低差异序列）" in sensitivity and "Jansen（1999）" in sensitivity
    assert "基础样本 16，计算 {} 次，随机种子 3".format(firm.sobol.evaluations) in sensitivity
    top = firm.sobol.indices[0]
    assert re.search(rf"{top.s1:.3f} +±{top.s1_conf:.3f} +{top.st:.3f} +±{top.st_conf:.3f}", sensitivity)
    fig = firm_show.index_distribution_chart(firm, {b.grade: b.min for b in catalog.grading.bands})
    assert fig.axes[0].get_xlabel() == "绩效指数（分）" and fig.axes[0].patches
    fig = firm_show.sobol_chart(firm)
    assert fig.axes[0].get_xlabel().startswith("Sobol 指数") and fig.axes[0].patches


def test_uncertainty_settings_are_a_table_and_each_table_stays_with_its_lead_in(chem, catalog, factors):
    """The interval file's id in a justified sentence spread its line letter by letter in the PDF; a
    lead-in was left alone at a page foot, a table split after one row."""
    from evalkit.analysis.firmness import analyse
    from evalkit.report.layout import END_KEEP, KEEP_TOGETHER, LEAD_IN
    from evalkit.report.markup import escape

    park, result, _ = chem
    firm = analyse(park, catalog, WINDOW, result, factors=factors, samples=200, seed=3, sobol_samples=0)
    markdown = str(firm_show.probabilities_section(firm))
    band_id = re.escape(str(escape(firm.uncertainty.bands.id)))
    assert re.search(rf"^\| 各因素的波动区间 \| 取自不确定性区间设定（{band_id}） \|$", markdown, re.M)
    assert "不确定性设定：" not in markdown
    blocks = markdown.split("\n\n")
    opens = [i for i, b in enumerate(blocks) if b == KEEP_TOGETHER]
    closes = [i for i, b in enumerate(blocks) if b == END_KEEP]
    assert len(opens) == len(closes) == 4 and all(o < c for o, c in zip(opens, closes))
    kept = [blocks[o + 1:c] for o, c in zip(opens, closes)]
    for group in kept:
        assert group[-1].startswith("| ")  # ends with its table …
        assert len(group) == 1 or not group[0].startswith("| ")  # … after its lead-in, if any
    assert any(group[0] == "各不确定性来源单独作用时：" for group in kept)
    # the sensitivity tables may be long: each lead-in sticks to its table
    blocks = str(firm_show.sensitivity_section(firm)).split("\n\n")
    starts = [i for i, b in enumerate(blocks) if b == LEAD_IN]
    assert starts and all(blocks[i + 2] == END_KEEP and blocks[i + 3].startswith("| ") for i in starts)


def test_report_section_for_a_park_that_was_not_evaluated(catalog, factors):
    from evalkit.analysis.firmness import analyse

    park = load_park("demo-gatefail", PARAMS)
    firm = analyse(park, catalog, WINDOW, evaluate(park, catalog, WINDOW, factors=factors), factors=factors)
    assert "基本要求不满足" in plain(firm_show.margins_section(firm))
    assert firm_show.probabilities_section(firm) == ""


def test_the_section_closes_the_summary_chapter(chem, catalog, factors):
    from evalkit.analysis.firmness import analyse
    from evalkit.report import chapters
    from evalkit.report.context import ReportContext

    park, result, _ = chem
    ctx = ReportContext(result, catalog, park.input, loaded=park, factors=factors)
    ctx.firmness = analyse(park, catalog, WINDOW, result, factors=factors, samples=500, sobol_samples=16)
    blocks = list(chapters.blocks(ctx))
    titles = [i for i, b in enumerate(blocks) if isinstance(b, str) and b.startswith("# ")]
    summary = next(i for i in titles if "评价结论摘要" in blocks[i])
    section = next(i for i, b in enumerate(blocks) if isinstance(b, str) and b == "## 等级的稳健性")
    assert summary < section < next(i for i in titles if i > summary)
    captions = [b.caption for b in blocks if isinstance(b, firm_show.Figure)]
    assert "绩效指数的不确定性分布（500次抽样）" in captions and "影响绩效指数的主要因素（Sobol指数）" in captions
    cells = json.loads((ROOT / "report_template" / "report.ipynb").read_text("utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells]
    computed = next(n for n, s in enumerate(sources) if "context.firmness = firmness.analyse_beside(" in s)
    assert computed < next(n for n, s in enumerate(sources) if "chapters.run(context)" in s)


def test_the_analysis_beside_the_notebook_is_the_same_analysis(chem, catalog, factors):
    """The report notebook runs the analysis in a spawned process while it builds the other chapters:
    the section it shows is the one the analysis in the notebook's own process would give."""
    import matplotlib.pyplot as plt

    from evalkit.analysis.firmness import analyse, analyse_beside
    from evalkit.report import chapters
    from evalkit.report.context import ReportContext

    park, result, _ = chem
    options = dict(factors=factors, samples=300, seed=11, sobol_samples=8)
    inline = analyse(park, catalog, WINDOW, result, **options)
    running = analyse_beside(park, catalog, WINDOW, result, **options)
    beside = running.result(timeout=300)
    assert beside.as_json() == inline.as_json()

    def shown(firmness):
        ctx = ReportContext(result, catalog, park.input, loaded=park, factors=factors)
        ctx.firmness = firmness
        shown = chapters.blocks(ctx)
        plt.close("all")
        return [b if isinstance(b, str) else b.caption for b in shown]

    assert shown(running) == shown(inline)
    assert "## 等级的稳健性" in shown(running)


def test_later_blocks_are_built_last_and_shown_in_place():
    from evalkit.report import chapters
    from evalkit.report.markup import Md
    from evalkit.report.sections import Later

    built: list[str] = []

    def record(name):
        built.append(name)
        return Md(name)

    book = [chapters.Chapter("甲", lambda ctx: [record("a1"), Later(lambda: [record("late")]), record("a2")]),
            chapters.Chapter("乙", lambda ctx: record("b"))]
    shown = chapters.blocks(None, book)
    assert built == ["a1", "a2", "b", "late"]
    assert [str(b) for b in shown] == ["# 一、甲", "a1", "late", "a2", "# 二、乙", "b"]


def test_a_failure_beside_the_notebook_is_raised_by_result(chem, catalog, factors, tmp_path):
    from evalkit.analysis.firmness import analyse, analyse_beside

    park, result, _ = chem
    missing = tmp_path / "no-bands.yaml"
    running = analyse_beside(park, catalog, WINDOW, result, factors=factors, bands_path=missing)
    with pytest.raises(InputError) as caught:
        running.result(timeout=300)
    with pytest.raises(InputError) as inline:
        analyse(park, catalog, WINDOW, result, factors=factors, bands_path=missing)
    assert caught.value.problems == inline.value.problems and str(missing) in str(caught.value)


def test_the_process_beside_ends_quietly_when_its_caller_is_gone():
    import subprocess
    import sys

    child = subprocess.run([sys.executable, "-c", "from evalkit.analysis.firmness import serve; serve()"],
                           input=b"", capture_output=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert child.returncode == 0 and child.stderr == b""


# --- a park below the coverage minimum -----------------------------------------------------------

@pytest.fixture(scope="module")
def sparse(catalog, factors):
    from evalkit.analysis.firmness import analyse

    park = load_park("demo-sparse", PARAMS)
    result = evaluate(park, catalog, WINDOW, factors=factors)
    return result, analyse(park, catalog, WINDOW, result, factors=factors, samples=1000, seed=5)


def test_only_references_a_scored_cell_uses_are_perturbed(sparse, catalog, factors):
    result, firm = sparse
    prepared = fast.prepare(load_park("demo-sparse", PARAMS), catalog, WINDOW, factors=factors)
    chosen = uncertainty.factors(prepared, uncertainty.load_bands(), ("references",))
    # one factor per indicator with data whose scoring has a reference (reference and floor together)
    assert sorted(f.label.split()[0] for f in chosen) == sorted({r.code for r in result.references})
    assert firm.uncertainty.by_kind["references"].factors == len(chosen) == 7
    assert "有实际数据的指标每项一个因素" in plain(firm_show.probabilities_section(firm))


def test_a_deferred_park_is_told_what_staying_deferred_means(sparse):
    """Review 2, item 7: the 不予定级 note speaks of a positive overall evaluation turning negative; for
    a deferred park (overall undetermined) it explains the probability of staying deferred instead."""
    result, firm = sparse
    assert firm.grade == "deferred" and firm.overall_verdict == "undetermined"
    assert firm.uncertainty.by_kind["data"].probabilities(firm.uncertainty.grades)["deferred"] < 1
    text = plain(firm_show.probabilities_section(firm)).replace("\n", "")
    assert "由正向变为负向" not in text
    assert "“保持评价暂缓，暂不定级的概率”即未出现这种变化的样本所占比例" in text
    assert "整体评价变为负向，该样本的结果为不予定级" in text


def test_missing_data_are_kept_apart_from_the_uncertainty_of_the_figures(sparse, catalog, factors, tmp_path):
    result, firm = sparse
    u = firm.uncertainty
    assert result.index_status == "reference" and firm.reference_only
    known, together = u.without_missing.quantiles(), u.all.quantiles()
    assert known["p05"] < result.index < known["p95"] and together["p05"] > result.index + 20
    text = plain(firm_show.probabilities_section(firm))
    assert "可能低于评价结果" not in text and "低于评价结果" not in text
    assert "现有数据的不确定性" in text and "补齐数据后指数的可能位置" in text
    assert f"第5百分位    {known['p05']:.2f}" in text
    assert f"中位数 {together['p50']:.2f} 分" in text and f"至 {result.index + 67:.2f} 分" in text
    assert "缺失数据（补齐数据后的可能位置）" in text
    # without the missing-data source, zero bands give the traced index: the evaluation's own figure
    prepared = fast.prepare(load_park("demo-sparse", PARAMS), catalog, WINDOW, factors=factors)
    zero = uncertainty.run(prepared, result.index, result.grade, samples=50,
                           bands=zero_bands(tmp_path, **{"missing.score_range": [1.0, 1.0]}))
    assert np.all(zero.without_missing.index == result.index)
    assert np.all(zero.all.index == round_half_up(result.index_unrounded + 67, 2))


def test_a_reference_index_has_no_distances_to_the_grade_bands(sparse, chem):
    result, firm = sparse
    margins_text = plain(firm_show.margins_section(firm))
    assert "门槛" not in margins_text.replace("不计算指数与各等级门槛的距离", "")
    assert "低于所有等级" not in margins_text and "距上一等级" not in margins_text
    assert "27.26 分，仅为参考值" in margins_text
    assert f"补齐后指数在 27.26 分（缺失指标均得0分）至 {27.26 + 67:.2f} 分" in margins_text
    assert sum(result.gap_points_by_level.values()) == pytest.approx(firm.missing_points) == pytest.approx(67)
    assert "reference value only" in firm.text() and "band above" not in firm.text()
