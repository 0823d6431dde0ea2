"""Time `evalkit render` stage by stage: kernel start, cell execution, each format.

    python benchmarks/bench_render.py [--engine pandoc|quarto|auto] [--runs 3]
        [--park-file params/X.yaml --catalog FILE --years 2021-2023]

Defaults: the demo chemical park, the built-in catalog and carbon factor table. Renders into a
temporary directory.
Goal: all three formats in under 30 s with the pandoc engine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from evalkit import carbon
from evalkit.catalog import default_catalog_path, referenced_files
from evalkit.render import FORMATS, render_report

GOAL_SECONDS = 30.0
DEMO_PARK = Path(__file__).resolve().parents[1] / "params" / "demo-chem.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="pandoc")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--park-file", type=Path, default=DEMO_PARK)
    parser.add_argument("--catalog", type=Path, default=default_catalog_path())
    parser.add_argument("--years", default="2021-2023")
    args = parser.parse_args()
    first, last = (int(y) for y in args.years.split("-"))

    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        park_file, catalog = args.park_file, args.catalog

        rows: dict[str, list[float]] = {}
        for run in range(args.runs):
            start = time.perf_counter()
            outcome = render_report(
                park_file.stem, range(first, last + 1), input_path=park_file, catalog_path=catalog,
                catalog_files=referenced_files(catalog), factor_paths=[carbon.DEFAULT_TABLE],
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
