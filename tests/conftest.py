"""Shared fixtures: the demo park as a mutable dict, so each test crafts exactly the input it needs."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from evalkit import carbon
from evalkit.catalog import default_catalog_path, load_catalog
from evalkit.intake import LoadedPark, parse_park

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def factors():
    return carbon.load_factors()


@pytest.fixture(scope="session")
def _chem_raw():
    return yaml.safe_load((PARAMS / "demo-chem.yaml").read_text("utf-8"))


@pytest.fixture
def chem_raw(_chem_raw):
    """demo-chem.yaml as a fresh dict: change it, then build a park with `make_park`."""
    return copy.deepcopy(_chem_raw)


def copy_year(raw: dict, source: int, *targets: int) -> dict:
    """Every data and energy series of `raw` given the `source` year's figures for each target year too
    (older years, as a statistics yearbook holds them). Returns `raw`."""
    energy = raw.get("energy", {})
    series = [*raw["data"].values(), *energy.get("fuels", {}).values(),
              *(v for v in energy.values() if isinstance(v, dict) and "values" in v)]
    for s in series:
        for year in targets:
            s["values"][year] = s["values"][source]
    return raw


def confirming_catalog(folder: Path) -> Path:
    """The default catalog with every reference confirmed (as a provincial catalog would, with citations)."""
    raw = yaml.safe_load(default_catalog_path().read_text("utf-8"))
    for ind in raw["indicators"]:
        for spec in [ind["scoring"], *(alt["scoring"] for alt in ind.get("alternatives", []))]:
            for field in ("reference", "floor"):
                if field in spec:
                    spec[field] = {**spec[field], "verified": True, "citation": "示范省指标目录（测试）第3条"}
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(default_catalog_path().parent / raw["basic_requirements"], folder / raw["basic_requirements"])
    path = folder / "province.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def make_park(tmp_path):
    def make(raw: dict, park_id: str = "crafted") -> LoadedPark:
        path = tmp_path / f"{park_id}.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
        return LoadedPark(id=park_id, path=path, input=parse_park(raw, str(path)))
    return make


@pytest.fixture
def write_params(tmp_path):
    """Write a raw park dict as params/<id>.yaml under tmp_path; returns the params folder."""
    def write(raw: dict, park_id: str = "crafted") -> Path:
        folder = tmp_path / "params"
        folder.mkdir(exist_ok=True)
        (folder / f"{park_id}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
        if raw.get("evidence") and not (folder / "evidence" / park_id).exists():  # the demo park's evidence files
            shutil.copytree(PARAMS / "evidence" / "demo-chem", folder / "evidence" / park_id)
        return folder
    return write
