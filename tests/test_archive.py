"""The archive: manifest, refusal to overwrite, atomic replacement, verify round trip.

Archives are made of the real report of the demo park `params/demo-chem.yaml` with the default
catalog and carbon factor table. One html render is shared; tests that change an archive work on
a copy of it, and a park file to change is a copy of demo-chem.yaml.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit import archive, carbon
from evalkit.catalog import default_catalog_path, referenced_files
from evalkit.archive import layout, signing
from evalkit.cli import main
from evalkit.render import ArchiveConflict, NotebookError, RenderError, TEMPLATE_DIR, render_report, verify_archive

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
    assert set(manifest.stages) == {"execute", "render"}  # render: all formats in one engine call
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


def forge(archive_dir: Path, path: str, change) -> None:
    """Change an archived file with `change(text) -> text` and re-hash it into the manifest, as a
    forger would: the archive is then consistent with its manifest."""
    file = archive_dir / path
    file.write_text(change(file.read_text("utf-8")), encoding="utf-8")
    manifest = json.loads((archive_dir / archive.MANIFEST).read_text("utf-8"))
    manifest["outputs"][path] = archive.sha256_file(file)
    (archive_dir / archive.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")


def test_verify_runs_no_code_from_the_archive(made, tmp_path):
    """The issue's forgery: a line appended to an archived code cell, the manifest re-hashed."""
    copy = tmp_path / "copy"
    shutil.copytree(made.archive, copy)
    marker = tmp_path / "archived-code-ran"

    def append_line(text: str) -> str:
        notebook = json.loads(text)
        cell = next(c for c in reversed(notebook["cells"]) if c["cell_type"] == "code")
        cell["source"] = "".join(cell["source"]) + f"\nimport pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n"
        return json.dumps(notebook)
    forge(copy, "report.ipynb", append_line)

    result = verify_archive(copy, progress=lambda _: None)
    assert not marker.exists()
    assert result.differences == []            # evalkit's template computed the same results
    assert not result.ok                       # but the archived notebook is not evalkit's
    assert len(result.altered) == 1 and "differ from evalkit's template; that code was not run" in result.altered[0]


def test_verify_refuses_parameters_evalkit_never_passes(made, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(made.archive, copy)

    def smuggle(text: str) -> str:
        manifest = json.loads(text)
        manifest["parameters"]["options"] = {"strict": "__import__('os').system('touch /tmp/x')"}
        manifest["parameters"]["input_path"] = "/etc/passwd"
        return json.dumps(manifest)
    (copy / archive.MANIFEST).write_text(smuggle((copy / archive.MANIFEST).read_text("utf-8")), "utf-8")
    with pytest.raises(RenderError, match="nothing was run: options are not among.*park path '/etc/passwd'"):
        verify_archive(copy, progress=lambda _: None)


def test_keygen_sign_verify_and_a_rehashed_forgery(made, tmp_path, capsys):
    key = tmp_path / "keys" / "zhang.key"
    assert main(["keygen", str(key), "--name", "张三", "--organisation", "某评价机构"]) == 0
    assert key.stat().st_mode & 0o777 == 0o600
    public = tmp_path / "keys" / "zhang.key.pub"
    assert json.loads(public.read_text("utf-8"))["signer"] == "张三"
    assert main(["keygen", str(key), "--name", "x", "--organisation", "y"]) == 1  # never overwritten
    copy = tmp_path / "copy"
    shutil.copytree(made.archive, copy)
    assert main(["sign", str(copy), "--key", str(key)]) == 0
    capsys.readouterr()

    assert main(["verify", str(copy), "--trust", str(public.parent)]) == 0
    out = capsys.readouterr().out
    assert "reproduced exactly" in out
    assert f"signature: valid, by 张三（某评价机构）, key {json.loads(public.read_text())['key_id']}" in out
    assert f"key trusted ({public})" in out

    forge(copy, "results.json", lambda text: text.replace('"grade": "AAA"', '"grade": "A"'))
    assert main(["verify", str(copy), "--trust", str(public)]) == 1
    out = capsys.readouterr().out
    assert "signature: INVALID" in out and "NOT reproduced" in out


def test_a_signature_proves_nothing_for_another_key_or_a_changed_name(made, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(made.archive, copy)
    signing.generate_key(tmp_path / "mine.key", "张三", "某评价机构")
    other = signing.generate_key(tmp_path / "other.key", "李四", "另一机构")
    signing.sign_archive(copy, tmp_path / "mine.key")
    mine = signing.trusted_keys([tmp_path / "mine.key.pub"])
    assert signing.check_signature(copy, mine).ok
    untrusted = signing.check_signature(copy, signing.trusted_keys([tmp_path / "other.key.pub"]))
    assert untrusted.valid and not untrusted.ok and "NOT among the trusted keys" in untrusted.report()
    assert other.signer == "李四"

    record = json.loads((copy / signing.SIGNATURE).read_text("utf-8"))
    record["signer"] = "王五"   # the name is signed too
    (copy / signing.SIGNATURE).write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    assert not signing.check_signature(copy, mine).valid
    assert signing.check_signature(made.archive) is None   # unsigned


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


# --- faults: concurrent runs, kills, full or read-only disks (issue 9, point 4) --------------------

HOLD_LOCK = """
import sys, time
from pathlib import Path
from evalkit.archive import archive_lock
with archive_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""

KILL_BETWEEN_RENAMES = """
import os, signal, sys
from pathlib import Path
from evalkit.archive import layout, signing
final = Path(sys.argv[1])
staging = layout.new_staging_dir(final)
(staging / "half-made.txt").write_text("new")
rename = Path.rename
def rename_then_die(self, target):
    moved = rename(self, target)
    if ".old-" in str(target):   # the earlier archive is aside, the new one not yet in place
        os.kill(os.getpid(), signal.SIGKILL)
    return moved
Path.rename = rename_then_die
layout.place_archive(staging, final)
"""


def python(script: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", script, *args], env=env, text=True, **kwargs)


def test_a_second_render_of_the_same_archive_is_refused_while_the_first_runs(earlier, tmp_path):
    before = snapshot(earlier)
    holder = python(HOLD_LOCK, str(earlier), stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RenderError, match=rf"being written by another evalkit run \(pid {holder.pid},"):
            render(tmp_path / "outputs")
    finally:
        holder.kill()
        holder.wait()
    assert snapshot(earlier) == before
    # The kernel released the killed holder's lock: the archive can be locked again at once.
    with archive.archive_lock(earlier):
        pass
    assert [p.name for p in earlier.parent.iterdir()] == [WINDOW]


def test_a_run_killed_between_the_renames_loses_nothing(earlier, tmp_path):
    before = {p.relative_to(earlier): data for p, data in snapshot(earlier).items()}
    killed = python(KILL_BETWEEN_RENAMES, str(earlier))
    assert killed.wait() == -signal.SIGKILL
    assert not earlier.exists()   # the window the fix is for: the archive is only aside
    names = sorted(p.name for p in earlier.parent.iterdir())
    assert [n.split("-")[-2] for n in names] == ["2023.old", "2023.staging"], names
    (earlier.parent / f".{WINDOW}.staging-stale").mkdir()   # and a run killed while staging

    # The next run (here refused for other inputs, before any work) first puts the archive back.
    lines: list[str] = []
    park = park_copy(tmp_path / "params")
    park.write_text(park.read_text("utf-8").replace(*ONE_FIGURE), encoding="utf-8")
    with pytest.raises(ArchiveConflict):
        render(tmp_path / "outputs", park, progress=lines.append)
    assert {p.relative_to(earlier): data for p, data in snapshot(earlier).items()} == before
    assert [p.name for p in earlier.parent.iterdir()] == [WINDOW]
    assert any("restored the earlier archive" in line for line in lines)
    assert sum("unfinished work of a killed run" in line for line in lines) == 2


def test_recover_removes_an_aside_copy_once_the_new_archive_is_in_place(tmp_path):
    final = tmp_path / "park" / WINDOW
    final.mkdir(parents=True)
    (final / "new.txt").write_text("new")
    (final.parent / f".{WINDOW}.old-1234abcd").mkdir()
    assert archive.recover(final) == [f"removed .{WINDOW}.old-1234abcd, left by a run killed after "
                                      "replacing the archive"]
    assert [p.name for p in final.parent.iterdir()] == [WINDOW]


@pytest.mark.parametrize("step", ["copy_inputs", "write_manifest"])
def test_a_full_disk_is_a_clear_error_and_the_earlier_archive_stays(earlier, tmp_path, monkeypatch, capsys, step):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    before = snapshot(earlier)
    monkeypatch.setattr(archive, step, disk_full)  # the first write of a run, and the last before the swap
    code = main(["render", "--park", PARK_ID, "--years", WINDOW, "--to", "html", "--engine", "pandoc",
                 "--output-dir", str(tmp_path / "outputs")])
    err = capsys.readouterr().err
    assert code == 1 and "No space left on device" in err and "Traceback" not in err
    assert snapshot(earlier) == before
    assert [p.name for p in earlier.parent.iterdir()] == [WINDOW]


def test_an_output_folder_that_cannot_be_written_is_a_clear_error(earlier, tmp_path, monkeypatch, capsys):
    def read_only(*args, **kwargs):
        raise PermissionError(errno.EROFS, "Read-only file system")
    before = snapshot(earlier)
    monkeypatch.setattr(layout.tempfile, "mkdtemp", read_only)
    code = main(["render", "--park", PARK_ID, "--years", WINDOW, "--to", "html", "--engine", "pandoc",
                 "--output-dir", str(tmp_path / "outputs")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"cannot write to the output folder {earlier.parent}: Read-only file system" in err
    assert snapshot(earlier) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder(earlier, tmp_path, capsys):
    before = snapshot(earlier)
    earlier.parent.chmod(0o555)
    try:
        code = main(["render", "--park", PARK_ID, "--years", WINDOW, "--to", "html",
                     "--output-dir", str(tmp_path / "outputs")])
    finally:
        earlier.parent.chmod(0o755)
    assert code == 1 and "cannot write to the output folder" in capsys.readouterr().err
    assert snapshot(earlier) == before
