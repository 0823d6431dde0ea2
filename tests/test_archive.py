"""The archive: manifest, refusal to overwrite, atomic replacement, verify round trip."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

import pytest

from evalkit import archive
from evalkit.render import ArchiveConflict, NotebookError, TEMPLATE_DIR, render_report, verify_archive

PARK_YAML = """\
profile:
  name_zh: 归档测试园区
data:
  industrial_value_added:
    unit: 亿元
    source: 统计年鉴
    values: {2021: 110, 2022: 120, 2023: 130}
"""
YEARS = [2021, 2022, 2023]


def write_inputs(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    park = directory / "demo.yaml"
    park.write_text(PARK_YAML, encoding="utf-8")
    catalog = directory / "catalog.yaml"
    catalog.write_text("indicators: []\n", encoding="utf-8")
    return park, catalog


def render(root: Path, park: Path, catalog: Path, **kwargs):
    kwargs = {"formats": ["html"], "engine": "pandoc", "progress": lambda _: None} | kwargs
    return render_report("demo", YEARS, input_path=park, catalog_path=catalog,
                         output_dir=root / "outputs", **kwargs)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    park, catalog = write_inputs(root / "params")
    outcome = render(root, park, catalog, command=["evalkit", "render", "--park", "demo"])
    return root, park, catalog, outcome


# --- what an archive holds ------------------------------------------------------------------------

def test_archive_holds_notebook_report_results_inputs_and_manifest(made):
    _, park, catalog, outcome = made
    names = {p.relative_to(outcome.archive).as_posix() for p in outcome.archive.rglob("*") if p.is_file()}
    assert names == {"report.ipynb", "report.html", "results.json", "manifest.json",
                     "inputs/park/demo.yaml", "inputs/catalog/catalog.yaml"}
    assert (outcome.archive / "inputs/park/demo.yaml").read_bytes() == park.read_bytes()
    assert json.loads((outcome.archive / "results.json").read_text("utf-8")) == {
        "park": "demo", "name_zh": "归档测试园区", "years": YEARS, "base_year": 2021,
        "series_per_year": {"2021": 1, "2022": 1, "2023": 1},
    }


def test_manifest_records_hashes_versions_command_times_and_engine(made):
    _, park, catalog, outcome = made
    manifest = archive.read_manifest(outcome.archive)
    assert {i.role: i.sha256 for i in manifest.inputs} == {
        "park": hashlib.sha256(park.read_bytes()).hexdigest(),
        "catalog": hashlib.sha256(catalog.read_bytes()).hexdigest(),
    }
    assert manifest.template["report.ipynb"] == archive.sha256_file(TEMPLATE_DIR / "report.ipynb")
    assert manifest.outputs["results.json"] == archive.sha256_file(outcome.archive / "results.json")
    for tool in ("evalkit", "python", "papermill", "pandas", "matplotlib"):
        assert manifest.versions[tool], tool
    assert manifest.engine.name == "pandoc" and set(manifest.engine.versions) == {"pandoc", "typst"}
    assert manifest.command == ["evalkit", "render", "--park", "demo"]
    assert manifest.started_at <= manifest.finished_at
    assert set(manifest.stages) == {"execute", "html"}
    assert manifest.parameters["input_path"] == "inputs/park/demo.yaml"  # the archived copy


# --- overwriting -----------------------------------------------------------------------------------

def test_same_inputs_render_again_and_say_so(tmp_path):
    park, catalog = write_inputs(tmp_path / "params")
    first = render(tmp_path, park, catalog).files["results"].read_bytes()
    lines: list[str] = []
    outcome = render(tmp_path, park, catalog, progress=lines.append)
    assert outcome.previous == "same-inputs"
    assert any("made from the same inputs: rendering it again" in line for line in lines)
    assert outcome.files["results"].read_bytes() == first  # deterministic: no times inside


def test_different_inputs_are_refused_unless_forced(tmp_path):
    park, catalog = write_inputs(tmp_path / "params")
    first = render(tmp_path, park, catalog)
    before = {p: p.read_bytes() for p in first.archive.rglob("*") if p.is_file()}
    park.write_text(PARK_YAML.replace("130", "140"), encoding="utf-8")

    with pytest.raises(ArchiveConflict) as caught:
        render(tmp_path, park, catalog)
    assert caught.value.stage == "archive"
    assert '$.inputs["inputs/park/demo.yaml"]' in str(caught.value) and "--force" in str(caught.value)
    with pytest.raises(ArchiveConflict, match=r"\$\.parameters\.base_year: null -> 2020"):
        render(tmp_path, park, catalog, base_year=2020)
    assert {p: p.read_bytes() for p in first.archive.rglob("*") if p.is_file()} == before

    forced = render(tmp_path, park, catalog, force=True)
    assert forced.previous == "replaced"
    assert (forced.archive / "inputs/park/demo.yaml").read_text("utf-8") == park.read_text("utf-8")


def test_a_directory_that_is_not_an_archive_is_not_overwritten(tmp_path):
    park, catalog = write_inputs(tmp_path / "params")
    final = tmp_path / "outputs" / "demo" / "2021-2023"
    final.mkdir(parents=True)
    (final / "notes.txt").write_text("someone's work")
    with pytest.raises(ArchiveConflict, match="not an evalkit archive"):
        render(tmp_path, park, catalog)
    assert (final / "notes.txt").read_text() == "someone's work"


def test_failed_run_leaves_the_earlier_archive_intact(tmp_path):
    park, catalog = write_inputs(tmp_path / "params")
    first = render(tmp_path, park, catalog)
    before = {p: p.read_bytes() for p in first.archive.rglob("*") if p.is_file()}
    template = tmp_path / "broken_template"
    shutil.copytree(TEMPLATE_DIR, template)
    notebook = template / "report.ipynb"
    notebook.write_text(notebook.read_text("utf-8").replace("use_cjk_font()", "undefined_name()"), "utf-8")

    with pytest.raises(NotebookError, match="NameError"):
        render(tmp_path, park, catalog, template_dir=template)
    assert {p: p.read_bytes() for p in first.archive.rglob("*") if p.is_file()} == before
    assert [p.name for p in first.archive.parent.iterdir()] == ["2021-2023"]  # no staging left


def test_place_archive_replaces_the_old_one(tmp_path):
    final = tmp_path / "park" / "2021-2023"
    final.mkdir(parents=True)
    (final / "old.txt").write_text("old")
    staging = archive.new_staging_dir(final)
    (staging / "new.txt").write_text("new")
    archive.place_archive(staging, final)
    assert [p.name for p in final.iterdir()] == ["new.txt"]
    assert [p.name for p in final.parent.iterdir()] == ["2021-2023"]


# --- verify ----------------------------------------------------------------------------------------

def test_verify_reproduces_results_exactly(made):
    *_, outcome = made
    result = verify_archive(outcome.archive, progress=lambda _: None)
    assert result.ok, result.report()
    assert "reproduced exactly" in result.report()


def test_verify_lists_what_differs_and_what_was_altered(made, tmp_path):
    *_, outcome = made
    copy = tmp_path / "copy"
    shutil.copytree(outcome.archive, copy)
    results = json.loads((copy / "results.json").read_text("utf-8"))
    results["series_per_year"]["2022"] = 5
    results["extra"] = True
    (copy / "results.json").write_text(json.dumps(results), encoding="utf-8")

    result = verify_archive(copy, progress=lambda _: None)
    assert not result.ok
    assert [str(d) for d in result.differences] == [
        "$.extra: true -> (absent)",
        '$.series_per_year["2022"]: 5 -> 1',
    ]
    assert result.altered == ["results.json: SHA-256 differs from the manifest (changed after archiving)"]


def test_verify_notices_an_altered_input(made, tmp_path):
    *_, outcome = made
    copy = tmp_path / "copy"
    shutil.copytree(outcome.archive, copy)
    park = copy / "inputs/park/demo.yaml"
    park.write_text(park.read_text("utf-8").replace("归档测试园区", "另一园区"), encoding="utf-8")

    result = verify_archive(copy, progress=lambda _: None)
    assert not result.ok
    assert [str(d) for d in result.differences] == ['$.name_zh: "归档测试园区" -> "另一园区"']
    assert result.altered[0].startswith("inputs/park/demo.yaml: SHA-256 differs")


# --- units ---------------------------------------------------------------------------------------

def test_results_json_is_deterministic_and_strict():
    assert archive.results_json({"b": 1, "a": [1.5, "园区"]}) == archive.results_json({"a": [1.5, "园区"], "b": 1})
    assert archive.results_json({"a": "园区"}) == '{\n  "a": "园区"\n}\n'
    with pytest.raises(ValueError):
        archive.results_json({"a": math.nan})


def test_diff_json_is_exact_and_names_paths():
    old = {"index": 86.0, "levels": [{"points": 30}, {"points": 40}], "grade": "AAA"}
    new = {"index": 86, "levels": [{"points": 30}], "grade": "AAA", "note": None}
    assert [str(d) for d in archive.diff_json(old, new)] == [
        "$.index: 86.0 -> 86",
        '$.levels[1]: {"points": 40} -> (absent)',
        "$.note: (absent) -> null",
    ]
    assert archive.diff_json(old, json.loads(json.dumps(old))) == []


def test_plan_inputs_refuses_missing_files_and_clashing_names(tmp_path):
    park, catalog = write_inputs(tmp_path)
    with pytest.raises(FileNotFoundError, match="catalog file not found"):
        archive.plan_inputs(park, tmp_path / "nope.yaml")
    other = tmp_path / "other"
    other.mkdir()
    (other / "grid.yaml").write_text("a: 1")
    (tmp_path / "grid.yaml").write_text("a: 2")
    with pytest.raises(ValueError, match="two factors files are named grid.yaml"):
        archive.plan_inputs(park, catalog, [other / "grid.yaml", tmp_path / "grid.yaml"])


def test_catalog_companions_keep_their_place_so_the_archived_catalog_loads(tmp_path):
    from evalkit.catalog import default_catalog_path, load_catalog

    park, _ = write_inputs(tmp_path / "params")
    catalog = default_catalog_path()
    checklist = catalog.parent / "basic_requirements.yaml"
    inputs = archive.plan_inputs(park, catalog, catalog_files=[checklist])
    assert [i.path for i in inputs] == ["inputs/park/demo.yaml", "inputs/catalog/default.yaml",
                                        "inputs/catalog/basic_requirements.yaml"]
    archive.copy_inputs(inputs, tmp_path / "archive")
    assert load_catalog(tmp_path / "archive/inputs/catalog/default.yaml").sha256 == load_catalog(catalog).sha256

    with pytest.raises(ValueError, match="not in the catalog's folder"):
        archive.plan_inputs(park, catalog, catalog_files=[park])
