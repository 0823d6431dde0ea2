"""Broken and hostile input (issue 9, point 3): every class is answered with the problem table —
file, field, year, value, expected — and exit 2; never a traceback, an internal error or a hang.

Each test crafts a small file from the demo park and runs it through the command line.
"""

from __future__ import annotations

import io
import math
import random
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from evalkit import carbon
from evalkit.cli import main

EXIT_INPUT = 2


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    text = out + err
    assert "Traceback" not in text and "internal error" not in text, text
    return code, text


def score(capsys, params: Path, *extra: str, park: str = "crafted") -> tuple[int, str]:
    return run(capsys, "score", "--park", park, "--years", "2021-2023", "--params-dir", str(params), *extra)


def row_of(text: str, field: str) -> str:
    """The problem-table row naming `field` (fails the test if there is none)."""
    row = next((line for line in text.splitlines() if field in line), None)
    assert row is not None, f"no row for {field!r} in:\n{text}"
    return row


def dump(raw: dict) -> str:
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)


def write_text(tmp_path: Path, text: str | bytes, park: str = "crafted", suffix: str = "yaml") -> Path:
    params = tmp_path / "params"
    params.mkdir(exist_ok=True)
    target = params / f"{park}.{suffix}"
    target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return params


# --- numbers -------------------------------------------------------------------------------------

def test_nan_in_data(capsys, chem_raw, write_params):
    chem_raw["data"]["nox"]["values"][2022] = math.nan
    code, text = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    row = row_of(text, "data.nox.values.2022")
    assert "crafted.yaml" in row and "2022" in row and "finite" in row and "nan" in row


def test_inf_in_energy(capsys, chem_raw, write_params):
    chem_raw["energy"]["fuels"]["raw_coal"]["values"][2021] = math.inf
    code, text = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    assert "finite" in row_of(text, "energy.fuels.raw_coal.values.2021")


def test_infinite_after_unit_conversion(capsys, chem_raw, write_params):
    """2e11 亿元 passes as a number but is 2e15 万元 in the catalog's unit: named as a unit problem."""
    chem_raw["data"]["iva"]["unit"] = "亿元"
    chem_raw["data"]["iva"]["values"][2022] = 2e11
    code, text = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    row = row_of(text, "data.iva ")
    assert "2022" in row and "once converted from 亿元" in row


def test_number_that_overflows_a_float(capsys, chem_raw, write_params):
    chem_raw["data"]["so2"]["values"][2023] = 10 ** 400
    code, text = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    assert "at most 1e+15 in magnitude" in row_of(text, "data.so2.values.2023")


def test_tiny_denominator_is_refused(capsys, chem_raw, write_params):
    """A figure like 1e-300 would make a ratio overflow to inf."""
    chem_raw["data"]["iva"]["values"][2021] = 1e-300
    code, text = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    assert "at least 1e-09" in row_of(text, "data.iva.values.2021")


def test_year_with_five_digits(capsys, chem_raw, write_params):
    chem_raw["data"]["nox"]["values"][20233] = 5.0
    code, text = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    row = row_of(text, "data.nox.values.20233")
    assert "4-digit year" in row


def test_reference_override_of_zero(capsys, chem_raw, write_params):
    chem_raw["reference_overrides"] = {"I01": {"reference": 0, "justification": "省级要求", "source": "某文件"}}
    code, text = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    assert "a positive reference" in row_of(text, "reference_overrides.I01.reference")


def test_reference_override_equal_to_floor(capsys, chem_raw, write_params, catalog):
    floor = catalog.indicator("I02").scoring.floor.value
    chem_raw["reference_overrides"] = {"I02": {"reference": floor, "justification": "x", "source": "y"}}
    code, text = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    assert "different from the floor" in row_of(text, "reference_overrides.I02.reference")


def test_factor_of_zero(capsys, tmp_path):
    table = yaml.safe_load(carbon.DEFAULT_TABLE.read_text("utf-8"))
    table["fuels"]["raw_coal"]["oxidation"]["value"] = 0
    factors = tmp_path / "factors.yaml"
    factors.write_text(dump(table), "utf-8")
    code, text = run(capsys, "score", "--park", "demo-chem", "--years", "2021-2023", "--factors", str(factors))
    assert code == EXIT_INPUT
    row = row_of(text, "fuels.raw_coal.oxidation")
    assert "factors.yaml" in row and "positive factor" in row


# --- YAML structure ------------------------------------------------------------------------------

def test_duplicate_key(capsys, chem_raw, tmp_path):
    text = dump(chem_raw).replace("profile:\n", "profile:\n  name_zh: 冒名园区\n", 1)
    code, out = score(capsys, write_text(tmp_path, text))
    assert code == EXIT_INPUT
    row = row_of(out, "profile.name_zh")
    assert "each key once" in row and "repeated on line" in row


def test_duplicate_year(capsys, chem_raw, tmp_path):
    chem_raw["data"]["nox"]["values"] = {2020: 11.5, 2021: 11.25, 2022: 10.75, 2023: 10.5}
    text = re.sub(r"^(\s*)2021: 11\.25$", r"\g<0>\n\g<1>2021: 99.0", dump(chem_raw), count=1, flags=re.M)
    assert text.count("2021: 99.0") == 1
    code, out = score(capsys, write_text(tmp_path, text))
    assert code == EXIT_INPUT
    row = row_of(out, "data.nox.values.2021")
    assert "2021" in row and "each key once" in row


def test_alias_bomb_is_refused(capsys, tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    code, out = score(capsys, write_text(tmp_path, "\n".join(lines) + "\nprofile: *a9\n"))
    assert code == EXIT_INPUT
    assert "aliases" in row_of(out, "crafted.yaml")


def test_deep_nesting_is_refused(capsys, tmp_path):
    code, out = score(capsys, write_text(tmp_path, "profile: " + "[" * 3000 + "]" * 3000 + "\n"))
    assert code == EXIT_INPUT
    assert "nesting at most" in row_of(out, "crafted.yaml")


def test_gbk_file_is_named(capsys, chem_raw, tmp_path):
    code, out = score(capsys, write_text(tmp_path, dump(chem_raw).encode("gb18030")))
    assert code == EXIT_INPUT
    row = row_of(out, "crafted.yaml")
    assert "GB18030/GBK" in row and "UTF-8" in row


def test_random_bytes(capsys, tmp_path):
    noise = random.Random(9).randbytes(4000)
    code, out = score(capsys, write_text(tmp_path, noise))
    assert code == EXIT_INPUT
    assert "binary" in row_of(out, "crafted.yaml")


def test_control_characters_in_keys_never_reach_the_terminal(capsys, chem_raw, write_params):
    chem_raw["data"]["\x1b[2J\x1b[31mnox\x07"] = chem_raw["data"]["nox"]
    chem_raw["profile"]["name_zh\x1b]0;pwned\x07"] = "x"
    code, out = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    assert "\x1b" not in out and "\x07" not in out
    assert "data.\\x1b[2J\\x1b[31mnox\\x07" in row_of(out, "31mnox")


# --- names and paths on the command line ---------------------------------------------------------

def test_park_id_of_300_characters(capsys):
    code, out = run(capsys, "score", "--park", "p" * 300, "--years", "2021-2023")
    assert code == EXIT_INPUT
    assert "at most 64" in row_of(out, "--park")


def test_output_dir_naming_a_file(capsys, tmp_path):
    blocker = tmp_path / "outputs"
    blocker.write_text("not a folder", "utf-8")
    code, out = run(capsys, "render", "--park", "demo-chem", "--years", "2021-2023",
                    "--output-dir", str(blocker / "sub"))
    assert code == EXIT_INPUT
    assert "is a file" in row_of(out, "--output-dir")


@pytest.mark.parametrize("option", ["--catalog", "--factors"])
def test_folder_given_as_a_file(capsys, tmp_path, option):
    code, out = run(capsys, "score", "--park", "demo-chem", "--years", "2021-2023", option, str(tmp_path))
    assert code == EXIT_INPUT
    assert "not a folder" in row_of(out, str(tmp_path))


@pytest.mark.parametrize("option", ["--catalog", "--factors"])
def test_binary_file_given_as_a_table(capsys, tmp_path, option):
    binary = tmp_path / "table.yaml"
    shutil.copyfile(Path(shutil.which("python3") or "/bin/sh").resolve(), binary)
    code, out = run(capsys, "score", "--park", "demo-chem", "--years", "2021-2023", option, str(binary))
    assert code == EXIT_INPUT
    assert "binary" in row_of(out, "table.yaml")


def test_missing_factor_table(capsys, tmp_path):
    code, out = run(capsys, "score", "--park", "demo-chem", "--years", "2021-2023",
                    "--factors", str(tmp_path / "nope.yaml"))
    assert code == EXIT_INPUT
    assert "an existing file" in row_of(out, "nope.yaml")


def test_an_unexpected_failure_is_a_short_internal_error(capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("boom \x1b[31m")
    monkeypatch.setattr("evalkit.cli.cmd_score", broken)
    code = main(["score", "--park", "demo-chem", "--years", "2021-2023"])
    err = capsys.readouterr().err
    assert code == 3 and "internal error: RuntimeError: boom" in err
    assert "Traceback" not in err and "\x1b" not in err


# --- Excel -----------------------------------------------------------------------------------------

@pytest.fixture
def chem_xlsx(capsys, tmp_path) -> Path:
    """demo-chem as params/crafted.xlsx."""
    params = tmp_path / "params"
    params.mkdir()
    code, _ = run(capsys, "export", "--park", "demo-chem", "--xlsx", "--output", str(params / "crafted.xlsx"))
    assert code == 0
    return params / "crafted.xlsx"


def test_stray_cell_at_the_end_of_a_sheet(capsys, chem_xlsx):
    """Only the stored cells of the table's columns are read: a cell at XFD1048576 costs nothing
    (it used to take 89 s, then a MemoryError), and a far-away row of a real column is named."""
    book = openpyxl.load_workbook(chem_xlsx)
    book["年度数据"]["XFD1048576"] = "stray"
    book.save(chem_xlsx)
    code, out = score(capsys, chem_xlsx.parent)
    assert code == 0 and "grade" in out
    book["年度数据"]["A1048576"] = "nox"
    book.save(chem_xlsx)
    code, out = score(capsys, chem_xlsx.parent)
    assert code == EXIT_INPUT
    assert "once per sheet" in row_of(out, "年度数据!A1048576")


def test_excel_entity_bomb_is_refused(capsys, chem_xlsx):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10))
            + ']>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(chem_xlsx) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":  # 概况与设置; strings are inline
                data = bomb.encode() + data.replace(b"<t>", b"<t>&lol9;", 1)
            target.writestr(item, data)
    chem_xlsx.write_bytes(buffer.getvalue())
    code, out = score(capsys, chem_xlsx.parent)
    assert code == EXIT_INPUT
    assert "DOCTYPE" in row_of(out, "crafted.xlsx")


def test_formula_without_cached_value(capsys, chem_xlsx):
    book = openpyxl.load_workbook(chem_xlsx)
    sheet = book["年度数据"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "nox")
    column = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(1, c).value == 2022)
    sheet.cell(row, column).value = "=11+0.5"   # openpyxl saves formulas without computed values
    book.save(chem_xlsx)
    code, out = score(capsys, chem_xlsx.parent)
    assert code == EXIT_INPUT
    line = row_of(out, "data.nox")
    assert "=11+0.5" in line and "no computed (cached) value" in line


def test_not_a_workbook(capsys, tmp_path):
    code, out = score(capsys, write_text(tmp_path, random.Random(3).randbytes(500), suffix="xlsx"))
    assert code == EXIT_INPUT
    assert "readable .xlsx" in row_of(out, "crafted.xlsx")


# --- validate answers the same way --------------------------------------------------------------

def test_validate_reports_duplicates_too(capsys, chem_raw, tmp_path):
    text = dump(chem_raw).replace("profile:\n", "profile:\n  name_zh: 冒名园区\n", 1)
    params = write_text(tmp_path, text)
    code, out = run(capsys, "validate", "--park", "crafted", "--years", "2021-2023", "--params-dir", str(params))
    assert code == EXIT_INPUT and "each key once" in row_of(out, "profile.name_zh")


def test_a_change_rate_from_zero_is_named_not_a_crash(capsys, chem_raw, write_params):
    """A base of 0 makes a change-rate formula divide by zero: the indicator, year and figure are named."""
    chem_raw["data"]["green_space"]["values"][2020] = 0
    code, text = score(capsys, write_params(chem_raw))
    assert code == EXIT_INPUT
    row = row_of(text, "indicator I12")
    assert "2021" in row and "data.green_space = 0 in 2020" in row and "not applicable" in row
