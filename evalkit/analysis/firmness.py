"""How firm is one park's grade: margins, Monte Carlo uncertainty, indicator removal and (optionally)
Sobol indices, computed together for `evalkit sensitivity` and the report's section."""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalkit import carbon
from evalkit.analysis import fast, uncertainty
from evalkit.analysis.margins import Margins, margins
from evalkit.analysis.sobol import RemovalAnalysis, Sobol, removal, sobol
from evalkit.catalog import Catalog
from evalkit.core.processes import child_environment
from evalkit.core.tables import text_table
from evalkit.evaluation.results import Result
from evalkit.intake import LoadedPark


@dataclass
class Firmness:
    park: str
    years: list[int]
    index: float | None
    grade: str
    margins: Margins
    uncertainty: uncertainty.Uncertainty | None
    removal: RemovalAnalysis | None
    sobol: Sobol | None
    # "reference" when the data coverage is below the catalog's minimum: the index is a 参考值, its
    # distance to the grade bands says nothing about performance
    index_status: str | None = None
    missing_points: float = 0.0  # index points of the indicator-years without data (scored 0)
    overall_verdict: str | None = None  # the traced result's overall evaluation: what a sample can change

    @property
    def reference_only(self) -> bool:
        return self.index_status == "reference"

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"park": self.park, "years": self.years, "index": self.index, "grade": self.grade,
                                 "index_status": self.index_status, "missing_points": self.missing_points,
                                 "margins": self.margins.as_json()}
        if self.uncertainty is not None:
            found |= self.uncertainty.as_json()
        else:  # not evaluated (gate failed): no index to vary, the grade does not depend on the figures
            found |= {"index_quantiles": {}, "grade_probabilities": {self.grade: 1.0},
                      "note": "basic requirements not met: not evaluated, no index"}
        if self.removal is not None:
            found["removal"] = self.removal.as_json()
        if self.sobol is not None:
            found["sobol"] = self.sobol.as_json()
        return found

    def text(self) -> str:
        m = self.margins
        lines = [f"{self.park} {self.years[0]}–{self.years[-1]}: index {_num(self.index)}, grade {self.grade}"]
        if self.index is None:
            lines.append("not evaluated (basic requirements not met): no margins or uncertainty to show")
            return "\n".join(lines)
        if self.reference_only:
            lines.append(f"reference value only (参考值): data coverage below the minimum, missing data scored 0; "
                         f"no distance to the grade bands. Supplying the missing data could add up to "
                         f"{self.missing_points:.2f} points (index {self.index:.2f}–{self.index + self.missing_points:.2f})")
        elif m.above:
            lines.append(f"band above / 距上一档: {m.above.grade} at {m.above.min:g}, {m.above.distance:.2f} points to gain")
        if m.below and not self.reference_only:
            lines.append(f"band reached / 距下一档: {m.below.grade} from {m.below.min:g}, "
                         f"{m.below.distance:.2f} points to lose before dropping below it")
        if m.scenarios:
            lines += ["", "the grade without … / 去掉以下事项后的等级:"]
            lines.append(text_table([{"without": s.kind + (f" {s.code}" if s.code else ""), "index": _num(s.index),
                                      "grade": s.grade} for s in m.scenarios], ["without", "index", "grade"]))
        changers = m.grade_changers()
        lines += ["", f"single indicators that change the grade / 单项指标变化改变等级: {len(changers)}"]
        if changers:
            lines.append(text_table([{"code": s.code, "change": s.change, "index": _num(s.index), "grade": s.grade}
                                     for s in changers], ["code", "change", "index", "grade"]))
        u = self.uncertainty
        if u is not None:
            settings = u.as_json()["settings"]
            lines += ["", f"Monte Carlo / 蒙特卡洛: {u.samples} samples, seed {u.seed}, bands {u.bands.id} "
                          f"(weights ±{u.bands.weights:.0%}, references ±{u.bands.references:.0%}, data by scope "
                          + ", ".join(f"{k} ±{v:.0%}" for k, v in u.bands.scopes.items())
                          + f", missing scored {u.bands.missing_range[0]:g}–{u.bands.missing_range[1]:g}; "
                          f"{settings['factors']} factors)"]
            lines.append("index quantiles / 指数分位数: " + "  ".join(
                f"{k} {v:.2f}" for k, v in u.all.quantiles().items()))
            lines.append("grade probabilities / 等级概率: " + "  ".join(
                f"{g} {p:.1%}" for g, p in u.all.probabilities(u.grades).items() if p))
            rows = [{"source": kind, "factors": str(d.factors),
                     **{k: f"{v:.2f}" for k, v in d.quantiles().items()},
                     f"P({u.grade})": f"{d.probabilities(u.grades).get(u.grade, 0):.1%}"}
                    for kind, d in u.by_kind.items()]
            if rows:
                lines.append(text_table(rows, list(rows[0])))
            if u.without_missing is not None:
                lines.append("without the missing-data source (the figures the park has) / 不含缺失数据: " + "  ".join(
                    f"{k} {v:.2f}" for k, v in u.without_missing.quantiles().items()))
        if self.removal is not None and self.removal.removals:
            lines += ["", "indicators removed one at a time (largest change first) / 逐项剔除指标:"]
            lines.append(text_table([{"code": r.code, "index": _num(r.index[self.park]),
                                      "change": f"{r.index[self.park] - self.index:+.2f}", "grade": r.grade[self.park]}
                                     for r in self.removal.removals[:10]], ["code", "index", "change", "grade"]))
        if self.sobol is not None:
            lines += ["", f"Sobol indices / Sobol 指数 ({self.sobol.evaluations} evaluations, top 10 by total effect):"]
            lines.append(text_table([{"factor": i.label, "S1": f"{i.s1:.3f}", "ST": f"{i.st:.3f}",
                                      "ST ±": f"{i.st_conf:.3f}"} for i in self.sobol.indices[:10]],
                                    ["factor", "S1", "ST", "ST ±"]))
        return "\n".join(lines)


def _num(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def analyse(park: LoadedPark, catalog: Catalog, window: list[int], result: Result, *,
            factors: carbon.FactorTable | None = None, strict: bool | None = None, base_year: int | None = None,
            samples: int = uncertainty.DEFAULT_SAMPLES, seed: int = uncertainty.DEFAULT_SEED,
            bands_path: Path | None = None, sobol_samples: int = 0) -> Firmness:
    """Every analysis of one park-window; `result` is its traced evaluation (the reference point)."""
    factors = factors or carbon.load_factors()
    prepared = fast.prepare(park, catalog, window, factors=factors, strict=strict, base_year=base_year)
    found = margins(park, catalog, window, result, prepared, factors=factors, strict=strict, base_year=base_year)
    if result.index is None:
        return Firmness(park.id, window, None, result.grade, found, None, None, None)
    bands = uncertainty.load_bands(bands_path)
    mc = uncertainty.run(prepared, result.index, result.grade, samples=samples, seed=seed, bands=bands)
    return Firmness(park.id, window, result.index, result.grade, found, mc, removal([prepared]),
                    sobol(prepared, base_samples=sobol_samples, seed=seed, bands=bands) if sobol_samples else None,
                    index_status=result.index_status, missing_points=sum(result.gap_points_by_level.values()),
                    overall_verdict=result.overall.verdict if result.overall else None)


def analyse_beside(park: LoadedPark, catalog: Catalog, window: list[int], result: Result, **options: Any
                   ) -> Future[Firmness]:
    """`analyse` in a Python process of its own, so the caller goes on meanwhile (the report notebook
    builds its other chapters on the second core): same arguments, same `Firmness`, from `.result()`.

    A new interpreter running this evalkit, not a fork (the notebook's kernel runs threads, and a
    forked copy of a threaded process may deadlock on a lock one of them held) nor multiprocessing's
    spawn (which runs the caller's main script again). Arguments and result travel pickled through
    the child's stdin and stdout; an exception in the child is raised by `.result()`.
    """
    child = subprocess.Popen([sys.executable, "-c", f"from {__name__} import serve; serve()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=child_environment())
    future: Future[Firmness] = Future()

    def collect() -> None:
        try:
            out, _ = child.communicate(pickle.dumps((park, catalog, window, result, options)))
            failed, value = pickle.loads(out)
        except Exception:  # the child died before answering; its traceback went to stderr
            future.set_exception(RuntimeError(f"the firmness analysis process exited with {child.returncode}"))
            return
        if failed:
            future.set_exception(value)
        else:
            future.set_result(value)

    threading.Thread(target=collect, name="firmness-analysis", daemon=True).start()
    return future


def serve() -> None:
    """The child of `analyse_beside`: read the arguments from stdin, write (failed, value) to stdout."""
    try:
        park, catalog, window, result, options = pickle.load(sys.stdin.buffer)
    except EOFError:  # the caller is gone (a killed run): nothing to do
        return
    try:
        answer = pickle.dumps((False, analyse(park, catalog, window, result, **options)))
    except Exception as exc:
        answer = pickle.dumps((True, exc))
        try:
            pickle.loads(answer)
        except Exception:  # an exception that does not survive pickling: pass on its text
            answer = pickle.dumps((True, RuntimeError(f"{type(exc).__name__}: {exc}")))
    try:
        sys.stdout.buffer.write(answer)
        sys.stdout.flush()
    except BrokenPipeError:  # the caller is gone
        pass
