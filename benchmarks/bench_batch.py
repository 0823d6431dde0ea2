"""`evalkit batch` on this machine: 4 demo parks rendered sequentially (--jobs 1) and in parallel
(--jobs 2), all formats, into fresh output folders (nothing skipped); prints the times, the
speed-up, parks per hour, and the peak memory of the largest process for 2 and for 4 parks
(it should not grow with the number of parks). Goal: parallel ≤ 0.6 × sequential on 2 cores.

    python benchmarks/bench_batch.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARKS = ["demo-chem", "demo-hitech", "demo-heavy", "demo-textile"]
CHILD = """
import json, resource, sys
from evalkit.cli import main
code = main(sys.argv[1:])
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"code": code, "peak_mib": peak / 1024}))
"""


def run(parks: list[str], jobs: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-batch-") as out:
        argv = ["batch", "--params-dir", str(ROOT / "params"), "--years", "2021-2023", "--parks", ",".join(parks),
                "--jobs", str(jobs), "--output-dir", out]
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if lines else {"code": None}
    if report["code"] != 0:
        raise SystemExit(f"batch failed:\n{done.stdout}\n{done.stderr}")
    return seconds, report["peak_mib"]


def main() -> None:
    # The speed-up needs idle cores: on a shared machine, say how busy it was.
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    sequential, _ = run(PARKS, 1)
    print(f"4 parks, --jobs 1: {sequential:6.1f} s")
    parallel, peak4 = run(PARKS, 2)
    print(f"4 parks, --jobs 2: {parallel:6.1f} s   ratio {parallel / sequential:.2f} (goal ≤ 0.60), "
          f"speed-up {sequential / parallel:.2f}×")
    print(f"throughput with --jobs 2: {4 / parallel * 3600:.0f} parks per hour (html, docx, pdf each)")
    _, peak2 = run(PARKS[:2], 2)
    print(f"peak memory of the largest process, --jobs 2: 2 parks {peak2:.0f} MiB, 4 parks {peak4:.0f} MiB "
          f"(ratio {peak4 / peak2:.2f}; flat means ≈ 1)")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
