"""Carbon accounting: hand-computed arithmetic, unit conversions, grid-factor choice, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evalkit.carbon import DEFAULT_TABLE, account, load_factors
from evalkit.carbon import Energy
from evalkit.core.problems import InputError

TABLE = load_factors()


def series(unit: str, values: dict, source: str = "园区能源统计报表") -> dict:
    return {"unit": unit, "source": source, "values": values}


def run(year: int = 2022, table=TABLE, value_added: float | None = None, **fields) -> object:
    return account(Energy.model_validate(fields), year, file="park.yaml", table=table,
                   value_added_wan_yuan=value_added)


def problems_of(excinfo: pytest.ExceptionInfo) -> set[tuple[str, int | None]]:
    return {(p.field, p.year) for p in excinfo.value.problems}


# Fuel arithmetic: activity × NCV × carbon content × oxidation × 44/12, worked by hand from the
# reference table (reference-values.md), 100 t (or 100 000 m³) of each fuel.
FUELS = [
    # key, unit, amount, base amount, NCV kJ/unit, tC/TJ, oxidation, published kg CO2 per unit
    ("raw_coal", "吨", 100, 100_000, 20908, 26.37, 0.94, 1.9003),
    ("coke", "吨", 100, 100_000, 28435, 29.5, 0.93, 2.8604),
    ("crude_oil", "吨", 100, 100_000, 41816, 20.1, 0.98, 3.0202),
    ("fuel_oil", "吨", 100, 100_000, 41816, 21.1, 0.98, 3.1705),
    ("gasoline", "吨", 100, 100_000, 43070, 18.9, 0.98, 2.9251),
    ("kerosene", "吨", 100, 100_000, 43070, 19.5, 0.98, 3.0179),
    ("diesel", "吨", 100, 100_000, 42652, 20.2, 0.98, 3.0959),
    ("lpg", "吨", 100, 100_000, 50179, 17.2, 0.98, 3.1013),
    ("refinery_gas", "吨", 100, 100_000, 46055, 18.2, 0.98, 3.0119),
    ("natural_gas", "万m³", 10, 100_000, 38931, 15.3, 0.99, 2.1622),
]


@pytest.mark.parametrize("key, unit, amount, base, ncv, cc, ox, per_unit", FUELS)
def test_each_fuel_matches_hand_computation(key, unit, amount, base, ncv, cc, ox, per_unit):
    result = run(fuels={key: series(unit, {2022: amount})})
    co2 = base * ncv * 1e-9 * cc * ox * 44 / 12
    assert result.total_t == pytest.approx(co2, rel=1e-12)
    assert result.energy_tce == pytest.approx(base * ncv / 29307.6 / 1000, rel=1e-12)
    # the table's published "kg CO2 per unit" column, to its four decimals
    assert round(co2 * 1000 / base, 4) == per_unit
    assert set(result.by_source) == {TABLE.fuels[key].name_zh}


def test_raw_coal_worked_example_and_trace():
    result = run(fuels={"raw_coal": series("万吨", {2022: 1.2}, source="2022年能源统计年报")})
    assert result.total_t == pytest.approx(22803.5861856, rel=1e-9)
    assert result.by_source == {"原煤": pytest.approx(22803.5861856, rel=1e-9)}
    trace = result.lines[0].co2_trace
    assert trace.inputs[0].source == "2022年能源统计年报" and trace.inputs[0].unit == "万吨"
    assert "1.2 万吨 = 12,000,000 kg" in trace.substituted
    # factor sources travel with the numbers; secondary-only factors say so
    sources = {i.symbol: i.source for i in trace.inputs}
    # research/references.md found GB/T 2589's coefficients only in transcriptions: marked so
    assert "GB/T 2589" in sources["NCV"] and "未经原文核实" in sources["NCV"]
    assert "省级温室气体清单" in sources["CC"] and "未经原文核实" in sources["CC"]
    assert {f.id for f in result.factors} >= {"fuels.raw_coal.ncv", "fuels.raw_coal.carbon_content",
                                              "fuels.raw_coal.oxidation", "coal_equivalent.kj_per_kgce"}
    assert all(f.source for f in result.factors)


def test_equivalent_units_give_the_same_result():
    in_tonnes = run(fuels={"diesel": series("吨", {2022: 2500})},
                    electricity_purchased=series("MWh", {2022: 3000}))
    in_wan = run(fuels={"diesel": series("万吨", {2022: 0.25})},
                 electricity_purchased=series("万kWh", {2022: 300}))
    assert in_wan.total_t == pytest.approx(in_tonnes.total_t, rel=1e-12)
    assert in_wan.energy_tce == pytest.approx(in_tonnes.energy_tce, rel=1e-12)


# Electricity, heat, process emissions

def test_purchased_electricity_national_average():
    result = run(electricity_purchased=series("万kWh", {2022: 5}))
    assert result.by_source == {"外购电力": pytest.approx(50_000 * 0.5366 / 1000)}
    assert result.energy_tce == pytest.approx(50_000 * 0.1229 / 1000)


def test_green_electricity_is_not_charged_and_the_rest_takes_the_residual_factor():
    result = run(electricity_purchased=series("MWh", {2022: 100}),
                 green_electricity=series("MWh", {2022: 40}, source="绿证交易凭证"),
                 onsite_renewable=series("万kWh", {2022: 1}))
    # 60 000 kWh not covered by green power × 0.5856 (2022 factor without market-traded non-fossil power)
    assert result.by_source["外购电力"] == pytest.approx(35.136)
    assert result.by_source["自发自用可再生能源电力"] == 0
    assert result.energy_tce == pytest.approx(13.519)                  # 110 000 kWh × 0.1229 kgce/kWh
    line = result.lines[0]
    assert line.charged_factor == "electricity.national_average_excl_market_nonfossil" and line.charged == 60_000
    assert "不包括市场化交易非化石能源电量" in line.co2_trace.note
    green_input = next(i for i in line.co2_trace.inputs if i.symbol == "G")
    assert green_input.source == "绿证交易凭证"


def test_without_green_electricity_the_inclusive_factor_applies():
    result = run(electricity_purchased=series("MWh", {2022: 100}), green_electricity=series("MWh", {2022: 0}))
    assert result.by_source["外购电力"] == pytest.approx(53.66)          # 100 000 kWh × 0.5366
    assert result.lines[0].charged_factor == "electricity.national_average"


def test_nonfossil_share_by_the_coal_rate_method_hand_computed():
    # Constructed park, 2022: 100 t raw coal, purchased 100 MWh of which 40 MWh green, onsite PV 10 MWh.
    # Grid non-fossil share 2022 36.2 %, coal rate 300.7 gce/kWh (factor table), worked by hand:
    #   non-fossil kWh = 40 000 + 10 000 + 0.362 × (100 000 − 40 000) = 71 720 kWh
    #   C_nf = 71 720 × 300.7 ÷ 10⁶ = 21.566204 tce
    #   coal = 100 000 kg × 20 908 ÷ 29 307.6 ÷ 1000 = 71.339857 tce
    #   C_p = 71.339857 + (100 000 + 10 000) × 300.7 ÷ 10⁶ = 71.339857 + 33.077 = 104.416857 tce
    #   share = 21.566204 ÷ 104.416857 × 100 = 20.6539 %
    result = run(value_added=1000, fuels={"raw_coal": series("吨", {2022: 100})},
                 electricity_purchased=series("MWh", {2022: 100}), green_electricity=series("MWh", {2022: 40}),
                 onsite_renewable=series("MWh", {2022: 10}))
    assert result.nonfossil_tce == pytest.approx(21.566204, abs=1e-6)
    assert result.primary_energy_tce == pytest.approx(104.416857, abs=1e-5)
    assert result.nonfossil_share == pytest.approx(20.6539, abs=1e-4)
    # electricity emissions by hand: 60 000 kWh × 0.5856 ÷ 1000 = 35.136 t; coal 190.0299 t
    assert result.by_source["外购电力"] == pytest.approx(35.136)
    assert result.total_t == pytest.approx(35.136 + 100_000 * 20908e-9 * 26.37 * 0.94 * 44 / 12)
    trace = result.traces["nonfossil_tce"]
    assert "发电煤耗" in trace.note and "s × (P − G)" in trace.formula
    assert {i.symbol: i.value for i in trace.inputs}["s"] == 36.2
    assert "C_p" in result.traces["nonfossil_share"].formula


def test_calorific_equivalent_remains_a_table_option(tmp_path):
    data = default_table()
    data["nonfossil"] = {"conversion": "calorific_equivalent", "include_grid_share": False}
    table = load_factors(write(tmp_path, data))
    result = run(table=table, value_added=1000, electricity_purchased=series("MWh", {2022: 100}),
                 green_electricity=series("MWh", {2022: 40}), onsite_renewable=series("万kWh", {2022: 1}))
    assert result.nonfossil_tce == pytest.approx(50_000 * 0.1229 / 1000)         # 6.145
    assert result.primary_energy_tce is None
    assert result.nonfossil_share == pytest.approx(50_000 / 110_000 * 100)
    assert "当量值" in result.nonfossil_method


def test_exports_count_negative():
    result = run(electricity_purchased=series("MWh", {2022: 100}),
                 electricity_exported=series("MWh", {2022: 30}),
                 heat_purchased=series("GJ", {2022: 1000}),
                 heat_exported=series("MJ", {2022: 200_000}))
    assert result.by_source == {
        "外购电力": pytest.approx(53.66),
        "输出电力": pytest.approx(-30_000 * 0.5366 / 1000),
        "外购热力": pytest.approx(1000 * 0.11),
        "输出热力": pytest.approx(-200 * 0.11),
    }
    assert result.total_t == pytest.approx(70_000 * 0.5366 / 1000 + 800 * 0.11)
    assert result.energy_tce == pytest.approx(70_000 * 0.1229 / 1000 + 800 * 0.03412)
    # non-fossil: the grid's share of purchased power; primary energy counts net electricity
    assert result.nonfossil_tce == pytest.approx(0.362 * 100_000 * 300.7 / 1e6)
    assert result.primary_energy_tce == pytest.approx(800 * 0.03412 + 70_000 * 300.7 / 1e6)


def test_process_emissions_as_reported():
    result = run(fuels={"natural_gas": series("万m³", {2022: 1})},
                 process_co2=series("万吨二氧化碳", {2022: 0.35}, source="企业核算报告"))
    assert result.by_source["工业过程"] == pytest.approx(3500)
    assert result.total_t == pytest.approx(3500 + 10_000 * 38931e-9 * 15.3 * 0.99 * 44 / 12)
    assert result.lines[-1].tce is None


def test_intensity_productivity_and_traces():
    result = run(value_added=20_000, fuels={"raw_coal": series("吨", {2022: 1000})},
                 electricity_purchased=series("万kWh", {2022: 100}))
    co2 = 1_000_000 * 20908e-9 * 26.37 * 0.94 * 44 / 12 + 1_000_000 * 0.5366 / 1000
    tce = 1_000_000 * 20908 / 29307.6 / 1000 + 1_000_000 * 0.1229 / 1000
    assert result.total_t == pytest.approx(co2)
    assert result.intensity == pytest.approx(co2 / 20_000)
    assert result.energy_productivity == pytest.approx(20_000 / tce)
    assert set(result.traces) == {"co2", "energy_tce", "nonfossil_tce", "primary_tce", "intensity",
                                  "energy_productivity", "nonfossil_share"}
    assert result.traces["intensity"].result == result.intensity
    assert result.traces["co2"].result == pytest.approx(sum(result.by_source.values()))


# Grid-factor choice

def test_a_park_that_deducts_green_electricity_in_any_year_uses_the_residual_series_every_year():
    # Review finding 7: 2020 at the inclusive 0.5568 and 2021 at the residual 0.5942 made unchanged
    # electricity read as a 6.7 % emission rise. One series for all years: 2020 (fallback to 2021) at 0.5942.
    fields = dict(electricity_purchased=series("MWh", {2020: 100, 2021: 100}),
                  green_electricity=series("MWh", {2020: 0, 2021: 40}))
    before, after = run(2020, **fields), run(2021, **fields)
    assert before.by_source["外购电力"] == pytest.approx(100_000 * 0.5942 / 1000)
    assert after.by_source["外购电力"] == pytest.approx(60_000 * 0.5942 / 1000)
    assert after.total_t < before.total_t                       # green power bought lowers emissions
    line = before.lines[0]
    assert line.charged_factor == "electricity.national_average_excl_market_nonfossil" and line.charged == 100_000
    assert "2021年扣除市场化交易绿色电力" in line.co2_trace.note and "变化率可比" in line.co2_trace.note
    assert [f.id for f in before.factors if f.id.startswith("electricity.")] == [
        "electricity.national_average_excl_market_nonfossil"]   # the unused inclusive factor is not listed


def test_exported_electricity_is_credited_on_the_same_series():
    result = run(2022, electricity_purchased=series("MWh", {2022: 100}), electricity_exported=series("MWh", {2022: 10}),
                 green_electricity=series("MWh", {2022: 40}))
    assert result.by_source["输出电力"] == pytest.approx(-10_000 * 0.5856 / 1000)


@pytest.mark.parametrize("choice, year, factor, published_year", [
    ("national_average", 2021, 0.5568, 2021),
    ("national_average", 2022, 0.5366, 2022),
    ("national_average", 2023, 0.5306, 2023),
    ("regional:华东", 2022, 0.5617, 2022),
    ("regional:南方", 2022, 0.3869, 2022),
    ("regional:华北", 2023, 0.6361, 2023),         # 公告2025年第47号 (finding 9: not the 2022 value)
    ("mee_reporting_2022", 2021, 0.5703, None),
    ("mee_reporting_2022", 2023, 0.5703, None),
])
def test_grid_factor_follows_the_parks_choice(choice, year, factor, published_year):
    result = run(year, grid_factor=choice, electricity_purchased=series("MWh", {year: 1000}))
    assert result.total_t == pytest.approx(1000 * factor)
    use = next(f for f in result.factors if f.id == f"electricity.{choice}")
    assert (use.value, use.year) == (factor, published_year)
    assert not any(use.name_zh in note for note in result.notes)


@pytest.mark.parametrize("choice, year, used, factor, notice", [
    ("national_average", 2020, 2021, 0.5568, "公告2024年第12号"),
    ("national_average", 2024, 2023, 0.5306, "公告2025年第47号"),
    ("regional:华北", 2021, 2022, 0.6776, "公告2024年第33号"),
])
def test_fallback_year_is_applied_and_noted(choice, year, used, factor, notice):
    result = run(year, grid_factor=choice, electricity_purchased=series("MWh", {year: 1000}))
    assert result.total_t == pytest.approx(1000 * factor)
    use = next(f for f in result.factors if f.id == f"electricity.{choice}")
    assert use.year == used and notice in use.source      # the source is the notice that gives the value used
    [note] = [n for n in result.notes if use.name_zh in n]
    assert f"未收录{year}年值" in note and f"采用{used}年值" in note and notice in note
    assert "无" + str(year) + "年发布值" not in note      # the 2021 notice did publish regional factors


def test_regional_fallback_says_why_and_each_year_cites_its_own_notice():
    # Review finding 9: 华北 2020–2023 all showed 0.6776 with "无2021/2023年发布值" beside a source
    # naming the 2021 and 2023 notices.
    energy = dict(grid_factor="regional:华北", electricity_purchased=series("MWh", {2021: 1000, 2023: 1000}))
    y2021, y2023 = run(2021, **energy), run(2023, **energy)
    [u2021], [u2023] = ([f for f in y.factors if f.id == "electricity.regional:华北"] for y in (y2021, y2023))
    assert (u2021.value, u2021.year) == (0.6776, 2022) and "公告2024年第33号" in u2021.source
    assert "2021年电力" not in u2021.source and "2023年电力" not in u2021.source
    assert (u2023.value, u2023.year) == (0.6361, 2023) and "公告2025年第47号" in u2023.source
    assert any("2021年公告也发布了区域因子" in note for note in y2021.notes)
    assert not any("华北" in note for note in y2023.notes)


def test_sources_carry_their_publication_dates():
    use = next(f for f in run(2023, electricity_purchased=series("MWh", {2023: 1})).factors
               if f.id == "electricity.national_average")
    assert use.published == "2025-12-31"
    assert TABLE.sources["mee_nbs_2021"].published.isoformat() == "2024-04-12"
    assert "hfyfsb.com" in TABLE.sources["mee_nbs_2021"].published_basis


def test_a_series_needs_a_source_for_each_published_year(tmp_path):
    raw = yaml.safe_load(DEFAULT_TABLE.read_text(encoding="utf-8"))
    raw["electricity"]["regional:华北"]["source"] = {2022: "mee_nbs_2022", 2023: "no_such_source"}
    raw["electricity"]["regional:西北"]["source"] = {2022: "mee_nbs_2022"}
    path = tmp_path / "factors.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        load_factors(path)
    assert {p.field for p in excinfo.value.problems} == {"electricity.regional:西北"}
    del raw["electricity"]["regional:西北"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        load_factors(path)
    [problem] = excinfo.value.problems
    assert (problem.field, problem.value) == ("electricity.regional:华北.source", "no_such_source")


def test_year_without_value_or_fallback_is_an_error():
    with pytest.raises(InputError) as excinfo:
        run(2018, electricity_purchased=series("MWh", {2018: 1000}))
    [problem] = excinfo.value.problems  # the non-fossil factors of 2018 are missing too: a note, not an error
    assert (problem.field, problem.year, problem.value) == ("energy.grid_factor", 2018, "national_average")
    assert "electricity.national_average" in problem.expected


def test_unknown_grid_choice_is_reported_once():
    with pytest.raises(InputError) as excinfo:
        run(grid_factor="regional:火星", electricity_purchased=series("MWh", {2022: 1}),
            electricity_exported=series("MWh", {2022: 1}))
    [problem] = excinfo.value.problems
    assert problem.field == "energy.grid_factor" and problem.value == "regional:火星"
    assert "regional:华东" in problem.expected


# Verified totals

def test_verified_total_replaces_accounting():
    result = run(2018, value_added=10_000,
                 fuels={"raw_coal": series("吨", {2018: 1000})},
                 electricity_purchased=series("MWh", {2018: 1000}),   # 2018 has no grid factor: not needed
                 verified_co2=series("万吨二氧化碳", {2018: 0.3}, source="第三方核查报告"))
    assert result.method == "verified_total"
    assert result.total_t == pytest.approx(3000)
    assert result.by_source == {"经核证排放总量": pytest.approx(3000)}
    assert result.intensity == pytest.approx(0.3)
    assert "采用园区提供的经核证二氧化碳排放总量" in result.notes[0] and "第三方核查报告" in result.notes[0]
    assert result.energy_tce == pytest.approx(1_000_000 * 20908 / 29307.6 / 1000 + 1_000_000 * 0.1229 / 1000)
    assert not any(f.id.startswith("electricity.") or f.id.endswith("carbon_content") for f in result.factors)


def test_verified_total_without_energy_data():
    result = run(2022, verified_co2=series("吨", {2022: 5000}))
    assert (result.total_t, result.energy_tce, result.nonfossil_tce) == (5000, None, None)
    assert result.traces["energy_tce"].result is None


# Errors: every problem at once, naming file, field, year and value

def test_all_input_problems_at_once():
    with pytest.raises(InputError) as excinfo:
        run(fuels={"coal_gangue": series("吨", {2022: 10}),
                   "natural_gas": series("吨", {2022: 10}),
                   "diesel": series("吨", {2021: 10})},
            electricity_purchased=series("万吨", {2022: 10}))
    problems = {p.field: p for p in excinfo.value.problems}
    assert set(problems) == {"energy.fuels.coal_gangue", "energy.fuels.natural_gas.unit",
                             "energy.fuels.diesel", "energy.electricity_purchased.unit"}
    assert all(p.file == "park.yaml" and p.year == 2022 for p in problems.values())
    assert problems["energy.fuels.coal_gangue"].value == "coal_gangue"
    assert "raw_coal (原煤)" in problems["energy.fuels.coal_gangue"].expected
    assert problems["energy.fuels.natural_gas.unit"].value == "吨"
    assert "m³" in problems["energy.fuels.natural_gas.unit"].expected


def test_green_electricity_must_be_part_of_purchased():
    with pytest.raises(InputError) as excinfo:
        run(electricity_purchased=series("MWh", {2022: 10}), green_electricity=series("MWh", {2022: 20}))
    assert problems_of(excinfo) == {("energy.green_electricity", 2022)}
    with pytest.raises(InputError) as excinfo:
        run(green_electricity=series("MWh", {2022: 20}))
    assert problems_of(excinfo) == {("energy.electricity_purchased", 2022)}


def test_year_without_energy_data_or_verified_total():
    with pytest.raises(InputError) as excinfo:
        run(2023, fuels={"raw_coal": series("吨", {2022: 1})})
    assert problems_of(excinfo) == {("energy", 2023)}


def test_non_positive_value_added_is_refused():
    with pytest.raises(InputError) as excinfo:
        run(value_added=0, fuels={"raw_coal": series("吨", {2022: 1})})
    assert problems_of(excinfo) == {("value_added_wan_yuan", 2022)}


# Factor tables supplied by a provincial authority

def default_table() -> dict:
    return yaml.safe_load(DEFAULT_TABLE.read_text("utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def test_provincial_table_is_used(tmp_path):
    data = default_table()
    data |= {"id": "zj-2024", "version": "1"}
    data["sources"]["zj"] = {"title": "浙江省电力排放因子（示例）"}
    data["electricity"]["province:浙江"] = {"name_zh": "浙江省电力排放因子", "unit": "tCO2/MWh",
                                           "source": "zj", "verified": True, "by_year": {2022: 0.5}}
    table = load_factors(write(tmp_path, data))
    result = run(table=table, grid_factor="province:浙江", electricity_purchased=series("MWh", {2022: 100}))
    assert result.total_t == pytest.approx(50)
    assert result.factor_table == "zj-2024 1"
    assert next(f for f in result.factors if f.id == "electricity.province:浙江").source == "浙江省电力排放因子（示例）"


def test_missing_fuel_factor_for_the_year(tmp_path):
    data = default_table()
    data["fuels"]["raw_coal"]["ncv"] = {"by_year": {2021: 20908}, "unit": "kJ/kg", "source": "gbt2589",
                                        "verified": True}
    table = load_factors(write(tmp_path, data))
    with pytest.raises(InputError) as excinfo:
        run(table=table, fuels={"raw_coal": series("吨", {2022: 1})})
    [problem] = excinfo.value.problems
    assert (problem.field, problem.year, problem.value) == ("energy.fuels.raw_coal", 2022, "raw_coal")
    assert "fuels.raw_coal.ncv" in problem.expected


def test_bad_table_lists_every_problem(tmp_path):
    data = default_table()
    data["fuels"]["coke"]["ncv"]["unit"] = "GJ/t"
    data["heat"]["default_heat"]["source"] = "nowhere"
    path = write(tmp_path, data)
    with pytest.raises(InputError) as excinfo:
        load_factors(path)
    assert {p.field for p in excinfo.value.problems} == {"fuels.coke.ncv.unit", "heat.default_heat.source"}
    assert all(p.file == str(path) for p in excinfo.value.problems)


def test_bad_table_shape(tmp_path):
    data = default_table()
    data["electricity"]["national_average"]["value"] = 0.55          # and by_year: ambiguous
    data["electricity"]["regional:华东"]["fallback_years"] = {2021: 2019}   # points at nothing
    with pytest.raises(InputError) as excinfo:
        load_factors(write(tmp_path, data))
    fields = {p.field: p.expected for p in excinfo.value.problems}
    assert set(fields) == {"electricity.national_average", "electricity.regional:华东"}
    assert "exactly one of `value`" in fields["electricity.national_average"]
    assert "[2019]" in fields["electricity.regional:华东"]


def test_default_table_sources_and_flags():
    assert (TABLE.id, TABLE.version) == ("evalkit-default", "2026.1")   # after the 2023 notice of 2025-12-31
    assert TABLE.heat["default_heat"].verified is False          # 0.11 tCO2/GJ: no primary source found
    # research/references.md: no factor of the table was read in its primary text
    assert not any(factor.verified for _, factor, _ in TABLE.entries())
    assert TABLE.electricity["national_average"].residual == "national_average_excl_market_nonfossil"
    assert TABLE.electricity["national_average_excl_market_nonfossil"].by_year == {2021: 0.5942, 2022: 0.5856,
                                                                                   2023: 0.6096}
    assert TABLE.fuels["raw_coal"].carbon_content.verified is False
    assert all(key in TABLE.sources for _, factor, _ in TABLE.entries() for key in factor.source_keys())
