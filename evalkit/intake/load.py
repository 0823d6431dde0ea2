"""Finding and reading a park's input file: the reader is picked by the file's suffix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evalkit.core.problems import InputError, Problems
from evalkit.core.yamlio import read_yaml
from evalkit.intake.models import (PARK_ID, PARK_ID_MAX, LoadedPark, ParkInput, evidence_dir, parse_park,
                                   parse_park_collecting)
from evalkit.intake.shape import drop_blanks


def check_park_id(park: str) -> None:
    if not PARK_ID.match(park):
        problems = Problems()
        problems.add("--park", "park", park,
                     f"a park id of at most {PARK_ID_MAX} letters, digits, '-' or '_' "
                     "(a name under params/, not a path)")
        problems.raise_if_errors()


def find_park_file(park: str, params_dir: Path) -> Path:
    check_park_id(park)
    candidates = [params_dir / f"{park}.{ext}" for ext in ("yaml", "yml", "xlsx")]
    found = [p for p in candidates if p.is_file()]
    problems = Problems()
    if not found:
        known = sorted({p.stem for p in params_dir.glob("*") if p.suffix in {".yaml", ".yml", ".xlsx"}})
        problems.add(str(params_dir), "park", park,
                     f"a file {park}.yaml or {park}.xlsx in {params_dir}; parks there: {', '.join(known) or 'none'}")
    elif len(found) > 1:
        problems.add(str(params_dir), "park", park,
                     f"exactly one input file; found {', '.join(p.name for p in found)}")
    problems.raise_if_errors()
    return found[0]


def load_park(park: str, params_dir: Path | str = "params") -> LoadedPark:
    loaded, problems = read_park(park, params_dir)
    problems.raise_if_errors()
    assert loaded is not None
    return loaded


def read_park(park: str, params_dir: Path | str = "params") -> tuple[LoadedPark | None, Problems]:
    """The park as far as it could be read, and every shape problem found on the way.

    Parts of the file with shape errors are left out of the returned park, so that the catalog
    checks can still run on the rest and the assessor sees every problem in one pass.
    """
    path = find_park_file(park, Path(params_dir))
    model, problems = parse_park_collecting(read_raw(path), str(path))
    return (LoadedPark(id=park, path=path, input=model) if model else None), problems


def read_park_file(path: Path) -> ParkInput:
    """A park input file (YAML or Excel) by its path, e.g. the copy archived with a report."""
    return parse_park(read_raw(path), str(path))


def evidence_files(park: str, path: Path) -> list[Path]:
    """The evidence files of the park file at `path` that exist (the register's `file` entries in
    `evidence/<park>/` beside it), to archive with the report. An unreadable park file has none
    here: the evaluation itself reports what is wrong with it."""
    try:
        parsed = read_park_file(Path(path))
    except (InputError, OSError, ValueError):
        return []
    folder = evidence_dir(Path(path), park)
    found = [folder / item.file for item in parsed.evidence if item.file]
    return list(dict.fromkeys(f for f in found if f.is_file()))


def read_raw(path: Path) -> Any:
    """The file as a raw mapping of the YAML shape, by the reader its suffix names."""
    return READERS[path.suffix.lower()](path)


def _read_yaml_park(path: Path) -> Any:
    # A blank (null) left in a filled-in template means "no figure": missing data, not a type error.
    return drop_blanks(read_yaml(path))


def _read_workbook_park(path: Path) -> Any:
    from evalkit.intake.workbook import read_workbook  # openpyxl is imported only for workbooks

    return read_workbook(path)


READERS = {".yaml": _read_yaml_park, ".yml": _read_yaml_park, ".xlsx": _read_workbook_park}
