"""The archive: manifest, refusal to overwrite, atomic replacement, verify round trip.

Archives are made of the real report of the demo park `params/demo-chem.yaml` with the default
catalog and carbon factor table. One html render is shared; tests that change an archive work on
a copy of it, and a park file to change is a copy of demo-chem.yaml.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

import pytest

from evalkit import archive, carbon
from evalkit.catalog import default_catalog_path, referenced_files
from evalkit.render import ArchiveConflict, NotebookError, TEMPLATE_DIR, render_report, verify_archive

ROOT = Path(__file__).resolve().parents[1]
PARK_ID = "demo-chem"
PARK_FILE = ROOT / "params" / f"{PARK_ID}.yaml"
CATALOG = default_catalog_path()
YEARS = [2021, 2022, 2023]
WINDOW = "2021-2023"
ARCHIVED_INPUTS = {  # archive path -> source: the park file with its evidence files, catalog, factors
    "inputs/park/demo-chem.yaml": PARK_FILE,
    **{f"inputs/park/evidence/demo-chem/{f.name}": f for f in (PARK_FILE.parent / "evidence" / "demo-chem").iterdir()},
    "inputs/catalog/default.yaml": CATALOG,
    "inputs/catalog/basic_requirements.yaml": CATALOG.parent / "basic_requirements.yaml",
    "inputs/factors/carbon_factors.yaml": carbon.DEFAULT_TABLE,
}
ONE_FIGURE = ("2022: 360, 2023: 395}", "2022: 360, 2023: 400}")  # iva, the industrial value added


def render(output_dir: Path, park: Path = PARK_FILE, **kwargs):
    """Render the demo park's report (html, pandoc) with the inputs `evalkit render` uses."""
    kwargs = {"formats": ["html"], "engine": "pandoc", "progress": lambda _: None} | kwargs
    return render_report(PARK_ID, YEARS, input_path=park, catalog_path=CATALOG,
                         catalog_files=referenced_files(CATALOG), factor_paths=[carbon.DEFAULT_TABLE],
                         output_dir=output_dir, **kwargs)


def park_copy(directory: Path) -> Path:
    """demo-chem.yaml copied into `directory` (same name) with its evidence files, to be changed by the test."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PARK_FILE.parent / "evidence" / PARK_ID, directory / "evidence" / PARK_ID, dirs_exist_ok=True)
    return Path(shutil.copy(PARK_FILE, directory / PARK_FILE.name))


def snapshot(directory: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in directory.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    return render(root / "outputs", command=["evalkit", "render", "--park", PARK_ID])


@pytest.fixture
def earlier(made, tmp_path):
    """A copy of the shared archive under tmp_path/outputs, as if rendered there before."""
    final = tmp_path / "outputs" / PARK_ID / WINDOW
    shutil.copytree(made.archive, final)
    return final


# --- what an archive holds ------------------------------------------------------------------------

def test_archive_holds_notebook_report_results_inputs_and_manifest(made, catalog, factors):
    from evalkit.evaluation import evaluate
    from evalkit.intake import LoadedPark, read_park_file

    assert made.archive.parts[-2:] == (PARK_ID, WINDOW)
    names = {p.relative_to(made.archive).as_posix() for p in made.archive.rglob("*") if p.is_file()}
    assert names == {"report.ipynb", "report.html", "results.json", "manifest.json", *ARCHIVED_INPUTS}
    for path, source in ARCHIVED_INPUTS.items():
        assert (made.archive / path).read_bytes() == source.read_bytes(), path
    # results.json is exactly the evaluation of the demo park, serialized deterministically.
    park = LoadedPark(id=PARK_ID, path=PARK_FILE, input=read_park_file(PARK_FILE))
    expected = evaluate(park, catalog, YEARS, factors=factors)
    assert (made.archive / "results.json").read_text("utf-8") == archive.results_json(expected)
    results = json.loads((made.archive / "results.json").read_text("utf-8"))
    assert results["park"] == PARK_ID and results["years"] == YEARS
    assert results["park_name"].startswith("东海湾化工园区")


def test_manifest_records_hashes_versions_command_times_and_engine(made):
    manifest = archive.read_manifest(made.archive)
    assert {i.path: i.sha256 for i in manifest.inputs} == {
        path: hashlib.sha256(source.read_bytes()).hexdigest() for path, source in ARCHIVED_INPUTS.items()}
    assert {i.path: i.role for i in manifest.inputs} == {
        path: path.split("/")[1] for path in ARCHIVED_INPUTS}
    assert manifest.template["report.ipynb"] == archive.sha256_file(TEMPLATE_DIR / "report.ipynb")
    assert manifest.outputs == {name: archive.sha256_file(made.archive / name)
                                for name in ("report.ipynb", "report.html", "results.json")}
    for tool in ("evalkit", "python", "papermill", "pandas", "matplotlib"):
        assert manifest.versions[tool], tool
    assert manifest.engine.name == "pandoc" and set(manifest.engine.versions) == {"pandoc", "typst"}
    assert manifest.command == ["evalkit", "render", "--park", PARK_ID]
    assert manifest.park == PARK_ID and manifest.window == WINDOW and manifest.formats == ["html"]
    assert manifest.started_at <= manifest.finished_at
    assert set(manifest.stages) == {"execute", "html"}
    # Paths the notebook was given: the archived copies.
    assert manifest.parameters["input_path"] == "inputs/park/demo-chem.yaml"
    assert manifest.parameters["catalog_path"] == "inputs/catalog/default.yaml"
    assert manifest.parameters["factor_paths"] == ["inputs/factors/carbon_factors.yaml"]


# --- overwriting -----------------------------------------------------------------------------------

def test_same_inputs_render_again_and_say_so(earlier, tmp_path):
    first = (earlier / "results.json").read_bytes()
    first_manifest = archive.read_manifest(earlier)
    lines: list[str] = []
    outcome = render(tmp_path / "outputs", progress=lines.append)
    assert outcome.archive == earlier and outcome.previous == "same-inputs"
    assert any("made from the same inputs: rendering it again" in line for line in lines)
    assert "execute" in outcome.stages  # executed again, not just kept
    assert archive.read_manifest(earlier).started_at >= first_manifest.finished_at
    assert outcome.files["results"].read_bytes() == first  # deterministic: no times inside
    assert [p.name for p in earlier.parent.iterdir()] == [WINDOW]


def test_different_inputs_are_refused_unless_forced(earlier, tmp_path):
    before = snapshot(earlier)
    park = park_copy(tmp_path / "params")
    text = park.read_text("utf-8")
    assert text.count(ONE_FIGURE[0]) == 1
    park.write_text(text.replace(*ONE_FIGURE), encoding="utf-8")  # iva 2023: 395 -> 400

    with pytest.raises(ArchiveConflict) as caught:
        render(tmp_path / "outputs", park)
    assert caught.value.stage == "archive"
    assert caught.value.differences == [
        f'$.inputs["inputs/park/demo-chem.yaml"]: "{hashlib.sha256(PARK_FILE.read_bytes()).hexdigest()}" -> '
        f'"{hashlib.sha256(park.read_bytes()).hexdigest()}"']
    assert "--force" in str(caught.value)
    with pytest.raises(ArchiveConflict, match=r"\$\.parameters\.base_year: null -> 2020"):
        render(tmp_path / "outputs", PARK_FILE, base_year=2020)
    assert snapshot(earlier) == before
    assert not [p.name for p in earlier.parent.iterdir() if p.name != WINDOW]  # no staging left

    forced = render(tmp_path / "outputs", park, force=True)
    assert forced.archive == earlier and forced.previous == "replaced"
    assert (forced.archive / "inputs/park/demo-chem.yaml").read_bytes() == park.read_bytes()
    results = json.loads(forced.files["results"].read_text("utf-8"))
    old_results = json.loads(before[earlier / "results.json"])
    changed = [d.path for d in archive.diff_json(old_results, results)]
    assert any(path.startswith('$.yearly["2023"]') for path in changed), changed  # the new figure counts
    assert [p.name for p in earlier.parent.iterdir()] == [WINDOW]


def test_a_directory_that_is_not_an_archive_is_not_overwritten(tmp_path):
    final = tmp_path / "outputs" / PARK_ID / WINDOW
    final.mkdir(parents=True)
    (final / "notes.txt").write_text("someone's work")
    with pytest.raises(ArchiveConflict, match="not an evalkit archive"):
        render(tmp_path / "outputs")
    assert (final / "notes.txt").read_text() == "someone's work"
    assert [p.name for p in final.iterdir()] == ["notes.txt"]


def test_failed_run_leaves_the_earlier_archive_intact(earlier, tmp_path):
    before = snapshot(earlier)
    template = tmp_path / "broken_template"
    shutil.copytree(TEMPLATE_DIR, template)
    notebook = template / "report.ipynb"
    text = notebook.read_text("utf-8")
    assert "chapters.run(context)" in text
    notebook.write_text(text.replace("chapters.run(context)", "undefined_name()"), "utf-8")

    with pytest.raises(NotebookError, match="NameError") as caught:
        render(tmp_path / "outputs", template_dir=template)
    assert "undefined_name" in str(caught.value)
    assert snapshot(earlier) == before
    assert [p.name for p in earlier.parent.iterdir()] == [WINDOW]  # no staging left


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
    result = verify_archive(made.archive, progress=lambda _: None)
    assert result.ok, result.report()
    assert result.differences == [] and result.altered == []
    assert result.report().startswith(f"{made.archive}/results.json: reproduced exactly")


def test_verify_lists_what_differs_and_what_was_altered(made, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(made.archive, copy)
    results = json.loads((copy / "results.json").read_text("utf-8"))
    grade = results["grade"]
    results["grade"] = "A" if grade != "A" else "AA"
    results["extra"] = True
    (copy / "results.json").write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")

    result = verify_archive(copy, progress=lambda _: None)
    assert not result.ok
    assert [str(d) for d in result.differences] == [
        "$.extra: true -> (absent)",
        f'$.grade: "{results["grade"]}" -> "{grade}"',
    ]
    assert result.altered == ["results.json: SHA-256 differs from the manifest (changed after archiving)"]
    assert "NOT reproduced, 2 difference(s)" in result.report()


def test_verify_notices_an_altered_input(made, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(made.archive, copy)
    park = copy / "inputs/park/demo-chem.yaml"
    name = json.loads((copy / "results.json").read_text("utf-8"))["park_name"]
    text = park.read_text("utf-8")
    assert text.count(f"name_zh: {name}\n") == 1
    park.write_text(text.replace(f"name_zh: {name}\n", "name_zh: 另一园区\n"), encoding="utf-8")

    result = verify_archive(copy, progress=lambda _: None)
    assert not result.ok
    assert [str(d) for d in result.differences] == [
        f'$.park_name: "{name}" -> "另一园区"', f'$.profile.name_zh: "{name}" -> "另一园区"']
    assert result.altered == [
        "inputs/park/demo-chem.yaml: SHA-256 differs from the manifest (changed after archiving)"]


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
    park, catalog = PARK_FILE, CATALOG
    with pytest.raises(FileNotFoundError, match="catalog file not found"):
        archive.plan_inputs(park, tmp_path / "nope.yaml")
    with pytest.raises(FileNotFoundError, match="park file not found"):
        archive.plan_inputs(tmp_path / "nope.yaml", catalog)
    other = tmp_path / "other"
    other.mkdir()
    (other / "grid.yaml").write_text("a: 1")
    (tmp_path / "grid.yaml").write_text("a: 2")
    with pytest.raises(ValueError, match="two factors files are named grid.yaml"):
        archive.plan_inputs(park, catalog, [other / "grid.yaml", tmp_path / "grid.yaml"])


def test_catalog_companions_keep_their_place_so_the_archived_catalog_loads(tmp_path):
    from evalkit.catalog import default_catalog_path, load_catalog

    park = PARK_FILE
    catalog = default_catalog_path()
    checklist = catalog.parent / "basic_requirements.yaml"
    assert referenced_files(catalog) == [checklist]
    inputs = archive.plan_inputs(park, catalog, catalog_files=[checklist])
    assert [i.path for i in inputs] == ["inputs/park/demo-chem.yaml", "inputs/catalog/default.yaml",
                                        "inputs/catalog/basic_requirements.yaml"]
    archive.copy_inputs(inputs, tmp_path / "archive")
    assert load_catalog(tmp_path / "archive/inputs/catalog/default.yaml").sha256 == load_catalog(catalog).sha256

    with pytest.raises(ValueError, match="not in the catalog's folder"):
        archive.plan_inputs(park, catalog, catalog_files=[park])
