"""Time `evalkit render` stage by stage: kernel start, cell execution, each format.

    python benchmarks/bench_render.py [--engine pandoc|quarto|auto] [--runs 3]
        [--park-file params/X.yaml --catalog FILE --years 2021-2023]

Without a park file it renders a small built-in demo park. Renders into a temporary directory.
Goal: all three formats in under 30 s with the pandoc engine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from evalkit.render import FORMATS, render_report

GOAL_SECONDS = 30.0
DEMO_PARK = """\
profile:
  name_zh: 基准测试园区
data:
  industrial_value_added:
    unit: 亿元
    source: 统计年鉴
    values: {2020: 100, 2021: 110, 2022: 120, 2023: 130}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="pandoc")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--park-file", type=Path)
    parser.add_argument("--catalog", type=Path)
    parser.add_argument("--years", default="2021-2023")
    args = parser.parse_args()
    first, last = (int(y) for y in args.years.split("-"))

    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        park_file, catalog = args.park_file, args.catalog
        if park_file is None:
            park_file = Path(tmp) / "bench.yaml"
            park_file.write_text(DEMO_PARK, encoding="utf-8")
        if catalog is None:
            catalog = Path(tmp) / "catalog.yaml"
            catalog.write_text("indicators: []\n", encoding="utf-8")

        rows: dict[str, list[float]] = {}
        for run in range(args.runs):
            start = time.perf_counter()
            outcome = render_report(
                park_file.stem, range(first, last + 1), input_path=park_file, catalog_path=catalog,
                output_dir=Path(tmp) / "outputs", engine=args.engine, force=True,
                progress=lambda _: None,
            )
            split = {
                "kernel start + I/O": outcome.execution.kernel_seconds,
                "cell execution": outcome.execution.cells_seconds,
                **{fmt: outcome.stages[fmt] for fmt in FORMATS},
                "archive": outcome.stages["archive"],
                "total": time.perf_counter() - start,
            }
            for stage, seconds in split.items():
                rows.setdefault(stage, []).append(seconds)
            print(f"run {run + 1}: total {split['total']:.2f} s", file=sys.stderr)

    print(f"engine {outcome.engine}, {args.runs} run(s); seconds (median, min, max)")
    for stage, values in rows.items():
        print(f"  {stage:<20} {statistics.median(values):7.2f} {min(values):7.2f} {max(values):7.2f}")
    worst = max(rows["total"])
    verdict = "meets" if worst < GOAL_SECONDS else "MISSES"
    print(f"slowest run {worst:.2f} s {verdict} the {GOAL_SECONDS:.0f} s goal")
    return 0 if worst < GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
