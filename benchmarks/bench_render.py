"""Time `evalkit render` against its floor, measured side by side in the same run.

    python benchmarks/bench_render.py [--runs 3] [--park demo-chem] [--years 2021-2023]

Every figure is the wall time of processes, as a user would run them (median of `--runs`):

* render: `python -m evalkit render --park demo-chem --years 2021-2023 --engine pandoc`
  (all formats), into a temporary directory;
* floor: what the same report costs with the tools alone — the papermill CLI executing a
  one-cell notebook on the same kernel, then pandoc converting the executed notebook of that
  render into html (`--embed-resources`), docx and typst (each with the Lua filter that turns
  its Markdown outputs into content), and Typst compiling the PDF, one after the other;
* `evalkit --help` and `evalkit score` (the demo park) as processes.

evalkit is this checkout's (on PYTHONPATH), its bytecode compiled first as pip does on install.

Goals: render ≤ 1.3 × floor; `evalkit --help` ≤ 0.1 s; `evalkit score` ≤ 0.3 s. Exit 1 if any is
missed. The machine may be shared: the ratio is measured in one run so load affects both sides.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pypandoc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the evalkit measured is this checkout's
TEMPLATE = ROOT / "report_template"
RATIO_GOAL, HELP_GOAL, SCORE_GOAL = 1.3, 0.1, 0.3
COMPILE = "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], font_paths=sys.argv[3:])"


# The evalkit of this checkout, in every process (also where it is not installed).
ENV = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr}")
    return seconds


def floor(executed: Path, work: Path) -> dict[str, float]:
    """Seconds of each step of the floor: the tools alone making the same three files."""
    from evalkit.render.typst_worker import find_typst_cjk_font

    trivial = work / "trivial.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, trivial)
    pandoc = [pypandoc.get_pandoc_path(), str(executed), "--from", "ipynb", "--toc",
              "--lua-filter", str(TEMPLATE / "pandoc" / "notebook.lua")]
    font = find_typst_cjk_font()
    return {
        "papermill (trivial notebook)": timed([sys.executable, "-m", "papermill", "--no-progress-bar",
                                               str(trivial), str(work / "trivial-out.ipynb")], work),
        "pandoc html": timed([*pandoc, "--to", "html5", "--standalone", "--embed-resources",
                              "--output", "floor.html"], work),
        "pandoc docx": timed([*pandoc, "--to", "docx", "--output", "floor.docx"], work),
        "pandoc typst": timed([*pandoc, "--to", "typst", "--standalone", "--extract-media", "media",
                               "--variable", f"mainfont={font.family}", "--output", "floor.typ"], work),
        "typst pdf": timed([sys.executable, "-c", COMPILE, "floor.typ", "floor.pdf", *font.font_paths], work),
    }


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--park", default="demo-chem")
    parser.add_argument("--years", default="2021-2023")
    args = parser.parse_args()
    evalkit = [sys.executable, "-m", "evalkit"]
    # Bytecode as pip writes it on install (the floor's packages have theirs), also where
    # PYTHONDONTWRITEBYTECODE would have every process compile evalkit from source.
    compileall.compile_dir(ROOT / "evalkit", quiet=1)

    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        work = Path(tmp)
        output = work / "outputs"
        render = [*evalkit, "render", "--park", args.park, "--years", args.years, "--engine", "pandoc",
                  "--params-dir", str(ROOT / "params"), "--output-dir", str(output), "--force"]
        renders, floors = [], []
        for run in range(args.runs):
            renders.append(timed(render, work))
            executed = output / args.park / args.years / "report.ipynb"
            floors.append(floor(executed, work))
            print(f"run {run + 1}: render {renders[-1]:.2f} s, floor {sum(floors[-1].values()):.2f} s",
                  file=sys.stderr)
        score = [*evalkit, "score", "--park", args.park, "--years", args.years,
                 "--params-dir", str(ROOT / "params")]
        help_seconds = median_of(max(args.runs, 5), lambda: timed([*evalkit, "--help"], work))
        # What the machine gives any Python process now: the --help and score goals assume ~0.02 s.
        python_seconds = median_of(max(args.runs, 5), lambda: timed([sys.executable, "-c", "pass"], work))
        score_seconds = median_of(max(args.runs, 5), lambda: timed(score, work))

    render_seconds = statistics.median(renders)
    floor_steps = {step: statistics.median(f[step] for f in floors) for step in floors[0]}
    floor_seconds = statistics.median(sum(f.values()) for f in floors)
    ratio = render_seconds / floor_seconds
    print(f"evalkit render ({args.park} {args.years}, pandoc, html+docx+pdf), {args.runs} run(s), median seconds")
    print(f"  render                        {render_seconds:6.2f}")
    print(f"  floor                         {floor_seconds:6.2f}")
    for step, seconds in floor_steps.items():
        print(f"    {step:<28}{seconds:6.2f}")
    checks = [
        (f"render / floor = {ratio:.2f}", ratio <= RATIO_GOAL, f"≤ {RATIO_GOAL}"),
        (f"evalkit --help {help_seconds:.3f} s", help_seconds <= HELP_GOAL, f"≤ {HELP_GOAL} s"),
        (f"evalkit score {score_seconds:.3f} s", score_seconds <= SCORE_GOAL, f"≤ {SCORE_GOAL} s"),
    ]
    for text, met, goal in checks:
        print(f"{text:<34} {'meets' if met else 'MISSES'} the goal {goal}")
    print(f"(python: {sys.executable}, starts in {python_seconds:.3f} s; cores: {os.cpu_count()}; "
          f"load: {os.getloadavg()[0]:.2f})")
    return 0 if all(met for _, met, _ in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
