"""Benchmark the numbers-only engine and the analyses of issue 13 (printed, not asserted).

Run: python benchmarks/bench_analysis.py [--parks 1000] [--samples 10000]
Goals: 10,000 Monte Carlo samples for one park ≤ 1 s; 1,000 park-windows numbers-only ≤ 0.5 s.
The 1,000 synthetic park-windows are those of bench_score.py (demo-chem with every figure scaled);
preparing them (reading, checks, carbon accounting, variables: the traced engine's own steps) is timed
separately from the numbers-only computation. Also printed: validated pydantic construction against
`model_construct` for the trace models, the measurement behind keeping validated construction.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import timeit
from pathlib import Path

import numpy as np
import yaml

from bench_score import WINDOW, synthetic
from evalkit import carbon
from evalkit.analysis import fast, uncertainty
from evalkit.catalog import load_catalog
from evalkit.core.trace import Trace, TraceInput
from evalkit.evaluation import evaluate
from evalkit.evaluation.results import IndicatorResult
from evalkit.intake import LoadedPark, load_park, parse_park

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, repeat: int = 5) -> float:
    """Median wall time; on a shared machine the CPU time (printed beside it) is the steadier figure."""
    fn()  # warm caches (compiled formulas)
    runs, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    timed.cpu = statistics.median(cpu)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parks", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    catalog, factors = load_catalog(), carbon.load_factors()

    park = load_park("demo-chem", ROOT / "params")
    prepared = fast.prepare(park, catalog, WINDOW, factors=factors)
    bands = uncertainty.load_bands()
    mc = timed(lambda: uncertainty.distribution(prepared, bands, uncertainty.KINDS, args.samples,
                                                np.random.default_rng(1)))
    full = timed(lambda: uncertainty.run(prepared, 85.9, "AAA", samples=args.samples, bands=bands), repeat=3)
    mc_cpu = timed.cpu
    print(f"Monte Carlo, {args.samples} samples, one park     {mc:8.3f} s   goal ≤ 1 s   (CPU {mc_cpu:.3f} s)")
    print(f"  all sources + each source alone (5 runs)  {full:8.3f} s")

    path = ROOT / "params" / "demo-chem.yaml"
    raw = yaml.safe_load(path.read_text("utf-8"))
    rng = random.Random(42)
    parks = [LoadedPark(id=f"synthetic-{n}", path=path, input=parse_park(synthetic(raw, rng, catalog.parts), str(path)))
             for n in range(args.parks)]
    t = time.perf_counter()
    prepared_parks = [fast.prepare(p, catalog, WINDOW, factors=factors) for p in parks]
    prepare_s = time.perf_counter() - t
    groups: dict[fast.Structure, list[fast.Rows]] = {}
    for p in prepared_parks:
        groups.setdefault(p.structure, []).append(p.rows)

    def numbers_only():
        return [fast.evaluate_rows(catalog, structure, fast.stack(rows)) for structure, rows in groups.items()]

    batch = timed(numbers_only)
    batch_cpu = timed.cpu
    grades: dict[str, int] = {}
    for result in numbers_only():
        for g in result.grade:
            grades[g] = grades.get(g, 0) + 1
    check = parks[:50]
    t, c = time.perf_counter(), time.process_time()
    traced = [evaluate(p, catalog, WINDOW, factors=factors) for p in check]
    traced_s = (time.perf_counter() - t) * args.parks / len(check)
    traced_cpu = (time.process_time() - c) * args.parks / len(check)
    same = all(fast.evaluate_prepared(p).grade[0] == r.grade and fast.evaluate_prepared(p).index[0] == r.index
               for p, r in zip(prepared_parks, traced))
    print(f"{args.parks} park-windows numbers-only           {batch:8.3f} s   goal ≤ 0.5 s   (CPU {batch_cpu:.3f} s; "
          f"{len(groups)} structure group(s)) grades {grades}")
    print(f"  preparing them (checks, carbon, variables) {prepare_s:8.2f} s   (the traced engine's own steps)")
    print(f"  traced engine, same parks (50 timed, ×{args.parks // len(check)}) {traced_s:8.2f} s   "
          f"(CPU {traced_cpu:.2f} s) ratio {traced_cpu / batch_cpu:,.0f}× in CPU; first 50 equal: {same}")

    kw = dict(symbol="x", name_zh="工业增加值", value=1.0, unit="万元", year=2021, source="统计年报")
    item = TraceInput(**kw)
    trace_kw = dict(formula_zh="a", formula="b", inputs=[item, item], substituted="x", result=1.0, unit="t", note=None)
    indicator = traced[0].yearly[2023].indicators[3]
    indicator_kw = {name: getattr(indicator, name) for name in IndicatorResult.model_fields}
    n = 20_000
    for name, cls, fields in (("TraceInput", TraceInput, kw), ("Trace", Trace, trace_kw),
                              ("IndicatorResult", IndicatorResult, indicator_kw)):
        validated = timeit.timeit(lambda: cls(**fields), number=n) / n * 1e6
        constructed = timeit.timeit(lambda: cls.model_construct(**fields), number=n) / n * 1e6
        print(f"pydantic {name:15} validated {validated:5.2f} µs   model_construct {constructed:5.2f} µs")


if __name__ == "__main__":
    main()
