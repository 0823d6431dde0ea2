"""Benchmark the traced evaluation engine (goals: one park-window < 50 ms after import; 1,000 ≤ 3 s).

Run: python benchmarks/bench_score.py [--parks 1000]
Synthetic park-windows are the demo chemical park with every figure scaled by a random factor,
so each one takes the full path (carbon accounting, 41 indicators × 3 years, overall, grade).
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import time
from pathlib import Path

t0 = time.perf_counter()
import yaml  # noqa: E402

from evalkit import carbon  # noqa: E402
from evalkit.catalog import load_catalog  # noqa: E402
from evalkit.evaluation import evaluate  # noqa: E402
from evalkit.intake import LoadedPark, parse_park  # noqa: E402

IMPORT_S = time.perf_counter() - t0
ROOT = Path(__file__).resolve().parents[1]
WINDOW = [2021, 2022, 2023]


def synthetic(raw: dict, rng: random.Random, parts: list[tuple[str, str]]) -> dict:
    park = copy.deepcopy(raw)
    series = [*park["data"].values(), *park["energy"]["fuels"].values(),
              *(v for v in park["energy"].values() if isinstance(v, dict) and "values" in v)]
    for s in series:
        if s["unit"] in {"天", "%"}:
            continue  # bounded quantities (days in a year, shares) stay as they are
        factor = rng.uniform(0.9, 1.1)
        s["values"] = {y: v * factor for y, v in s["values"].items()}
    # Keep parts within their wholes after scaling.
    for part, whole in parts:
        if part in park["data"] and whole in park["data"]:
            for y, v in park["data"][part]["values"].items():
                park["data"][part]["values"][y] = min(v, park["data"][whole]["values"][y])
    return park


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parks", type=int, default=1000)
    args = parser.parse_args()
    t = time.perf_counter()
    catalog, factors = load_catalog(), carbon.load_factors()
    load_s = time.perf_counter() - t
    path = ROOT / "params" / "demo-chem.yaml"
    raw = yaml.safe_load(path.read_text("utf-8"))
    park = LoadedPark(id="demo-chem", path=path, input=parse_park(raw, str(path)))

    evaluate(park, catalog, WINDOW, factors=factors)  # warm caches (formula parsing, pint)
    singles = []
    for _ in range(20):
        t = time.perf_counter()
        evaluate(park, catalog, WINDOW, factors=factors)
        singles.append(time.perf_counter() - t)

    rng = random.Random(42)
    t = time.perf_counter()
    parks = []
    for n in range(args.parks):
        data = synthetic(raw, rng, catalog.parts)
        parks.append(LoadedPark(id=f"synthetic-{n}", path=path, input=parse_park(data, str(path))))
    build_s = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    grades: dict[str, int] = {}
    for p in parks:
        grade = evaluate(p, catalog, WINDOW, factors=factors).grade
        grades[grade] = grades.get(grade, 0) + 1
    batch_s, batch_cpu = time.perf_counter() - t, time.process_time() - cpu

    print(f"import evalkit                 {IMPORT_S * 1000:8.1f} ms")
    print(f"load catalog + factor table   {load_s * 1000:8.1f} ms")
    print(f"one park-window (median of 20){statistics.median(singles) * 1000:8.1f} ms   goal < 50 ms")
    print(f"build {args.parks} synthetic parks  {build_s:8.2f} s    (not timed below)")
    print(f"{args.parks} park-windows          {batch_s:8.2f} s    goal ≤ 3 s (issue 13)   grades {grades}")
    print(f"  CPU time of this process    {batch_cpu:8.2f} s    (wall time suffers on a shared machine)")


if __name__ == "__main__":
    main()
