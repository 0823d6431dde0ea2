"""Command line: `evalkit catalog | score | validate | template | export | render | verify | keygen | sign |
batch | compare | trend | statement | sensitivity | weights`.

A thin layer: parse arguments, call the package, print. Bad input is answered with every problem
at once (exit 2), never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from evalkit import __version__
from evalkit.core.problems import InputError, Problems
from evalkit.core.tables import printable, text_table

if TYPE_CHECKING:
    from evalkit import carbon
    from evalkit.catalog import Catalog
    from evalkit.evaluation.results import Result
    from evalkit.intake import LoadedPark

# Each command imports what it needs when it runs: `evalkit --help` stays instant, and `score`
# does not pay for papermill or matplotlib.

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 3
# 1: a render stage failed or verify found differences; for score and validate: the park cannot be
# rated (gate failed or deferred, coverage below the minimum, overall evaluation negative or undetermined)
EXIT_FAILED = EXIT_NOT_RATED = 1


def run() -> NoReturn:
    """The `evalkit` program: `main`, then exit."""
    code = main()
    # Every file is written and closed by now: spare the interpreter's last garbage collection over
    # every object of the run (~0.1 s after a render); the system frees the memory at exit anyway.
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_INPUT
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded in a report's manifest
    try:
        return args.run(args)
    except InputError as exc:
        print(f"evalkit {args.command}: input problems / 输入数据问题\n{exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly (Python docs recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13  # as a process killed by SIGPIPE
    except KeyboardInterrupt:
        print("evalkit: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: short message unless debugging
        if os.environ.get("EVALKIT_DEBUG"):
            raise
        print(f"evalkit {args.command}: internal error: {type(exc).__name__}: {printable(str(exc), 300)}\n"
              "(set EVALKIT_DEBUG=1 to see the traceback, and please report it)", file=sys.stderr)
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evalkit",
        description="Evaluate an industrial park under 《产业园区减污降碳协同增效绩效评价指南》 "
                    "and render an auditable report.")
    parser.add_argument("--version", action="version", version=f"evalkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, run, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        sub.add_argument("--catalog", type=Path,
                         help="custom indicator catalog / 指标目录 (YAML); default: the built-in one")
        return sub

    def park_args(sub: argparse.ArgumentParser, years: bool = True) -> None:
        sub.add_argument("--park", required=True, help="park / 园区 id: the name of params/<park>.yaml or .xlsx")
        if years:
            sub.add_argument("--years", required=True,
                             help="evaluation window / 评价窗口, e.g. 2021-2023 (at least 3 years; the last "
                                  "is the evaluation year / 评价年)")
        sub.add_argument("--params-dir", type=Path, default=Path("params"),
                         help="folder of park input files / 园区数据文件 (default: params)")
        sub.add_argument("--factors", type=Path, help="custom carbon emission factor table / 排放因子表 (YAML)")

    def overall_args(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--strict", action="store_true",
                         help="overall evaluation / 整体评价: every pollutant must fall")
        sub.add_argument("--base-year", type=int, help="base year / 基准年 of the overall evaluation (default: "
                                                       "the park's, else the first year of the window)")

    sub = command("catalog", cmd_catalog, "print the indicator system / 指标体系")
    sub.add_argument("--json", action="store_true", help="emit the catalog as JSON")
    sub.add_argument("--inputs", action="store_true",
                     help="list the input symbols / 输入数据项 and their units instead")

    sub = command("score", cmd_score, "evaluate a park and print the result (index / 绩效指数, grade / 等级)")
    park_args(sub)
    sub.add_argument("--json", action="store_true", help="emit the whole result with traces as JSON")
    overall_args(sub)

    sub = command("render", cmd_render, "evaluate a park and render its report / 评价报告 (html, docx, pdf) "
                                        "into an archive under outputs/")
    park_args(sub)
    sub.add_argument("--to", default="html,docx,pdf", help="formats, comma-separated (default: html,docx,pdf)")
    sub.add_argument("--engine", choices=["auto", "quarto", "pandoc"], default="auto",
                     help="renderer: Quarto when on PATH (auto), else pandoc from pypandoc_binary")
    sub.add_argument("--output-dir", type=Path, default=Path("outputs"), help="archive root (default: outputs)")
    sub.add_argument("--force", action="store_true", help="replace an archive made from different inputs")
    overall_args(sub)
    sub.add_argument("--template", type=Path, help="report template folder (default: the one installed with "
                                                   "evalkit, i.e. report_template/)")
    sub.add_argument("--final", action="store_true",
                     help="formal report (正式报告): refused (exit 2) unless every reference used is confirmed "
                          "(by the catalog or the park file's reference_confirmations: 文号 and clause), no "
                          "【待评价机构填写】 is left and the assessor's text agrees with the results")

    sub = commands.add_parser("verify", help="re-execute an archived report and check that results.json "
                                             "is reproduced exactly (exit 0) or list the differences (exit 1)")
    sub.set_defaults(run=cmd_verify)
    sub.add_argument("archive", type=Path, help="an archive folder, e.g. outputs/demo-chem/2021-2023")
    sub.add_argument("--trust", type=Path, action="append", default=[], metavar="PUBKEY",
                     help="a public key file (.pub) or a folder of them: a signature must be by one of "
                          "these keys (repeatable)")

    sub = commands.add_parser("keygen", help="make an assessor's Ed25519 signing key: KEY (private, 0600) "
                                             "and KEY.pub (public, with name and organisation)")
    sub.set_defaults(run=cmd_keygen)
    sub.add_argument("key", type=Path, help="private key file to create, e.g. ~/.evalkit/zhang.key")
    sub.add_argument("--name", required=True, help="the signer's name (签字人)")
    sub.add_argument("--organisation", required=True, help="the signer's organisation (评价机构)")

    sub = commands.add_parser("sign", help="sign an archive's manifest (and so every file it hashes) "
                                           "with an assessor's key; writes signature.json")
    sub.set_defaults(run=cmd_sign)
    sub.add_argument("archive", type=Path, help="an archive folder, e.g. outputs/demo-chem/2021-2023")
    sub.add_argument("--key", type=Path, required=True, help="private key file made by `evalkit keygen`")

    sub = command("validate", cmd_validate, "check a park's input file, list every problem and predict the "
                                            "outcome (exit 0 the park can be rated, 1 it cannot, 2 errors)")
    park_args(sub)

    sub = command("gaps", cmd_gaps, "write the request for missing data and evidence (资料补充清单) "
                                    "as an Excel workbook and a Word letter")
    park_args(sub)
    sub.add_argument("--output-dir", type=Path, default=Path("outputs"),
                     help="folder for <park>/资料补充清单-<years>.xlsx and .docx (default: outputs)")

    sub = command("template", cmd_template, "write a blank input file / 数据填报模板 for a park (YAML or Excel)")
    sub.add_argument("--park", required=True, help="park / 园区 id")
    sub.add_argument("--years", required=True, help="years of data to collect, e.g. 2020-2023 (the evaluation "
                                                    "window / 评价窗口 and the year before it)")
    sub.add_argument("--xlsx", action="store_true", help="write an Excel workbook instead of YAML")
    sub.add_argument("--output", type=Path, help="file to write (default: params/<park>.yaml or .xlsx)")
    sub.add_argument("--force", action="store_true", help="overwrite an existing file")

    sub = command("export", cmd_export, "write an existing park's data to an Excel workbook")
    park_args(sub, years=False)
    sub.add_argument("--xlsx", action="store_true",
                     help="Excel output: the default and only format (accepted for older scripts)")
    sub.add_argument("--output", type=Path, help="file to write (default: <park>.xlsx in the current folder)")
    sub.add_argument("--force", action="store_true", help="overwrite an existing file")

    sub = command("sensitivity", cmd_sensitivity, "how firm is the grade: margins to the neighbouring bands, "
                  "what the grade rests on, Monte Carlo uncertainty (grade probabilities), indicator removal "
                  "and optionally Sobol indices (不确定性与敏感性分析)")
    park_args(sub)
    sub.add_argument("--samples", type=int, default=10_000, help="Monte Carlo samples (default 10000)")
    sub.add_argument("--seed", type=int, default=20_231, help="random seed; the same seed gives the same figures")
    sub.add_argument("--bands", type=Path, help="uncertainty bands (YAML; default evalkit/analysis/data/uncertainty.yaml)")
    sub.add_argument("--sobol", type=int, default=0, metavar="N",
                     help="also compute Sobol indices with N base samples (a power of 2, e.g. 256); 0 = off")
    sub.add_argument("--json", action="store_true", help="emit everything as JSON")
    sub.add_argument("--strict", action="store_true", help="overall evaluation: every pollutant must fall")
    sub.add_argument("--base-year", type=int, help="base year of the overall evaluation")

    sub = command("weights", cmd_weights, "derive indicator weights by AHP from pairwise comparison matrices "
                                          "(层次分析法, 5.2.4); refuses a matrix with CR > 0.10")
    sub.add_argument("--ahp", type=Path, required=True, help="YAML file of pairwise comparison matrices")
    sub.add_argument("--json", action="store_true", help="emit weights, λmax, CI, RI and CR as JSON")
    sub.add_argument("--write-catalog", type=Path, metavar="OUT",
                     help="write the catalog with the derived weights and the AHP record (use it with --catalog)")
    sub.add_argument("--force", action="store_true", help="overwrite an existing OUT")
    _portfolio_parser(command, park_args)
    return parser


def _load(args) -> tuple[Catalog, carbon.FactorTable]:
    from evalkit import carbon
    from evalkit.catalog import load_catalog

    return load_catalog(args.catalog), carbon.load_factors(getattr(args, "factors", None))


def load_checked_park(park_id: str, params_dir: Path, catalog: Catalog, window: list[int],
                      factors: carbon.FactorTable, base_year: int | None = None) -> LoadedPark:
    """The park file read and checked against the catalog; every problem of both in one error."""
    from evalkit.intake import read_park
    from evalkit.intake.checks import check_park
    from evalkit.intake.models import without_consequences

    park, problems = read_park(park_id, params_dir)
    if park is not None:
        problems.extend(without_consequences(problems, check_park(park, catalog, window, factors, base_year)))
        years = park.input.years()
        if base_year is not None and (base_year not in years or base_year > window[-1]):
            problems.add("--base-year", "base_year", base_year,
                         f"a year with data, not after {window[-1]}; {park.path.name} has {years[0]}–{years[-1]}")
    problems.raise_if_errors()
    assert park is not None
    return park


def inert(text: object) -> str:
    """Text for the terminal, line by line without control characters (input text is never a command)."""
    return "\n".join(printable(line) for line in str(text).splitlines())


# --- catalog ---------------------------------------------------------------------------------

def cmd_catalog(args) -> int:
    from evalkit.catalog import load_catalog

    catalog = load_catalog(args.catalog)
    if args.inputs:
        rows = [{"symbol": k, "name_zh": v.name_zh, "unit": v.unit, "carbon": "yes" if v.carbon else ""}
                for k, v in catalog.inputs.items()]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            print(text_table(rows, ["symbol", "name_zh", "unit", "carbon"]))
        return EXIT_OK
    rows = [{
        "code": i.code, "name_zh": i.name_zh, "name_en": i.name_en, "target_level": i.target_level,
        "first_level": i.first_level, "second_level": i.second_level, "weight": i.weight,
        "unit": i.unit, "direction": i.direction, "method": i.method, "formula": i.formula,
        "reference": _reference_text(i.scoring),
    } for i in catalog.indicators]
    if args.json:
        print(json.dumps({"id": catalog.id, "version": catalog.version, "sha256": catalog.sha256,
                          "target_levels": [t.model_dump() for t in catalog.target_levels],
                          "indicators": rows, "bonus": catalog.bonus.model_dump(),
                          "warnings": catalog.warnings}, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(inert(f"{catalog.title_zh}\ncatalog {catalog.id} v{catalog.version}  sha256 {catalog.sha256[:16]}…") + "\n")
    table = [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]
    print(text_table(table, ["code", "target_level", "first_level", "second_level", "name_zh", "weight",
                             "direction", "method", "reference"]))
    print(f"\n{catalog.bonus.code} {catalog.bonus.name_zh}: ≤ {catalog.bonus.cap_points:g} points")
    for warning in catalog.warnings:
        print(f"warning: {inert(warning)}")
    return EXIT_OK


def _reference_text(scoring) -> str:
    if scoring.method == "tiered":
        return "/".join(f"{lv.id}={lv.score:g}" for lv in scoring.levels or [])
    parts = []
    if scoring.floor:
        parts.append(f"0 at {scoring.floor.value:g}")
    if scoring.reference:
        parts.append(f"1 at {scoring.reference.value:g} {scoring.reference.unit}")
    if scoring.driver:
        parts.append("vs " + scoring.driver.formula_zh)
    return ", ".join(parts)


# --- score -------------------------------------------------------------------------------------

def cmd_score(args) -> int:
    from evalkit.evaluation import evaluate
    from evalkit.intake.checks import parse_window

    catalog, factors = _load(args)
    window = parse_window(args.years, catalog)
    park = load_checked_park(args.park, args.params_dir, catalog, window, factors, args.base_year)
    result = evaluate(park, catalog, window, factors=factors, strict=True if args.strict else None,
                      base_year=args.base_year)
    print(result.to_json() if args.json else inert(summary(result)))
    if not result.rated:
        print(inert(f"evalkit score: {args.park}: {NO_GRADE_EN[result.grade]}: {result.grade_reason}"), file=sys.stderr)
        return EXIT_NOT_RATED
    return EXIT_OK


def summary(result: Result) -> str:
    """The result at a glance, for the terminal."""
    lines = [f"{result.park_name} ({result.park})  window {result.years[0]}–{result.years[-1]}, "
             f"evaluation year {result.evaluation_year}",
             f"catalog {result.catalog.id} v{result.catalog.version}"]
    lines += outlook(result)
    if result.yearly:
        levels = list(next(iter(result.yearly.values())).target_levels)
        rows = [{"year": str(y), **{lv: f"{yr.target_levels[lv]:.2f}" for lv in levels},
                 "bonus": f"{yr.bonus:g}", "index": f"{yr.index:.2f}", "in mean": "yes" if yr.in_index else ""}
                for y, yr in result.yearly.items()]
        lines += ["", text_table(rows, ["year", *levels, "bonus", "index", "in mean"]), ""]
        status = {"reference": "  REFERENCE VALUE ONLY / 参考值", "provisional": "  provisional / 暂定"}
        lines.append(f"index / 绩效指数: {result.index:.2f}  (mean of {', '.join(map(str, result.index_years))})"
                     + status.get(result.index_status or "", ""))
        rule = result.fifty_percent_rule
        assert rule is not None and result.overall is not None
        # Below the coverage minimum, missing data (scored 0) would decide the rule: no verdict then.
        verdict = ("not assessable, data coverage too low / 无法判定（数据覆盖不足）"
                   if result.index_status == "reference" and not rule.passed else
                   "passed" if rule.passed else "FAILED")
        lines.append("50 % rule / 50%规则: " + verdict + "  " + "; ".join(
            f"{name} {c.mean_points:.2f}/{c.max_points:g}" for name, c in rule.levels.items()))
        lines.append(f"overall / 整体评价 ({result.overall.base_year}→{result.overall.target_year}): "
                     f"{result.overall.verdict}")
        lines += [f"  · {reason}" for reason in result.overall.reasons]
    label = f" ({NO_GRADE_EN[result.grade]})" if result.grade in NO_GRADE_EN else ""
    lines.append(f"grade / 等级: {result.grade}{label}  {result.grade_reason}")
    flagged = {i.code: i.quality_flags for y in result.index_years if y in result.yearly
               for i in result.yearly[y].indicators if i.quality_flags}
    if flagged:
        lines.append("scored with data that is not measured / 非实测数据: " + ", ".join(
            f"{code} ({'/'.join(flags)})" for code, flags in flagged.items()))
    dep = result.bonus_dependence
    if dep is not None and any(result.yearly[y].bonus for y in result.index_years):
        lines.append(f"without bonus / 不计加分: index {dep.index_without_bonus:.2f}, grade {dep.grade_without_bonus}"
                     + ("  — the grade depends on the bonus / 等级依赖加分项" if dep.depends else ""))
    if result.references:
        unconfirmed = result.unverified_references
        lines.append(f"references / 参考值: {len(result.references)} used, {len(unconfirmed)} unconfirmed"
                     + (" — draft report (参考值未经核实); `render --final` refuses" if unconfirmed else ""))
    if result.input_gaps:
        lines.append(f"data gaps / 数据缺口: {len(result.data_gaps)} indicator-years, {len(result.input_gaps)} inputs "
                     "(evalkit gaps writes the request list): "
                     + ", ".join(g.symbol for g in result.input_gaps[:12]) + (" …" if len(result.input_gaps) > 12 else ""))
    if result.not_applicable:
        lines.append("not applicable / 不适用: " + ", ".join(n.code for n in result.not_applicable))
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def text_check_lines(result: Result) -> list[str]:
    """Where the report's free text (park file `report:`) disagrees with the result or is missing."""
    lines = []
    for finding in result.narrative:
        lines.append(f"warning: report text / 报告文字核对 ({finding.field}): {finding.text_zh}")
        lines += [f"  - {item}" for item in finding.must_address]
    return lines


# the reason of a deferred result opens with 评价暂缓 itself
NO_GRADE_EN = {"deferred": "evaluation deferred", "not_rated": "not rated / 不予定级"}
GATE_EN = {"passed": "met 全部满足", "failed": "NOT met 不满足", "deferred": "deferred 评价暂缓"}
GATE_MARK = {"failed": "✗", "unknown": "?", "unverified": "!"}
GATE_ITEM_EN = {"unknown": " (evidence pending 待补证)",
                "unverified": " (answered met, contradicted by the park's data 园区答复满足，数据不一致，待核实)"}


def outlook(result: Result) -> list[str]:
    """Gate, coverage and whether a grade is possible: what `validate` predicts and `score` reports."""
    lines = [f"basic requirements / 基本要求: {GATE_EN[result.gate.outcome]}"]
    for item in result.gate.items:
        if item.status != "met":
            lines.append(f"  {GATE_MARK[item.status]} {item.id}: {item.finding_zh or item.text_zh}"
                         + GATE_ITEM_EN.get(item.status, ""))
            lines += [f"      data / 数据: {conflict}" for conflict in item.data_conflicts]
    cov = result.coverage
    if cov is not None:
        years = ", ".join(f"{y} {c.share:.0%}" for y, c in cov.by_year.items() if c.share is not None
                          and y in result.index_years)
        levels = ", ".join(f"{name} {c.share:.0%}" for name, c in cov.by_level.items() if c.share is not None)
        lines.append(f"data coverage / 数据覆盖率 (minimum {cov.min_share:.0%}): {years}; {levels}"
                     + ("" if cov.sufficient else "  → insufficient / 数据覆盖不足"))
    lines.append("grade possible / 能否定级: " + ("yes" if result.rated else "no"))
    lines += [f"  - {b.text_zh}" for b in result.blockers]
    return lines


# --- render and verify -----------------------------------------------------------------------

def cmd_render(args) -> int:
    from evalkit import carbon
    from evalkit.catalog import default_catalog_path, referenced_files
    from evalkit.intake.checks import parse_window
    from evalkit.render import FORMATS, TEMPLATE_DIR, RenderError, render_report

    catalog, factors = _load(args)
    window = parse_window(args.years, catalog)
    formats = [f.strip() for f in args.to.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    template = args.template or TEMPLATE_DIR
    problems = Problems()
    if unknown or not formats:
        problems.add("--to", "to", args.to, f"a comma-separated list of {', '.join(FORMATS)}")
    if not (template / "report.ipynb").is_file():
        problems.add("--template", "template", str(template), "a folder with report.ipynb and _quarto.yml")
    blocking = next((p for p in [args.output_dir, *args.output_dir.parents] if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        problems.add("--output-dir", "output_dir", str(args.output_dir),
                     f"a folder for the archives ({blocking} is a file)")
    problems.raise_if_errors()
    # Check the input before starting a kernel: bad data gets the same problem table as `score`
    # (evaluating takes milliseconds and finds what only the formulas reveal, e.g. a base of 0).
    from evalkit.evaluation import evaluate

    park = load_checked_park(args.park, args.params_dir, catalog, window, factors, args.base_year)
    result = evaluate(park, catalog, window, factors=factors, strict=True if args.strict else None,
                      base_year=args.base_year)
    for late in result.factors_after_report_date:  # the report notes it beside the factor too
        print(f"[evalkit] warning: {inert(late.text_zh)}", file=sys.stderr)
    for line in text_check_lines(result):
        print(f"[evalkit] {inert(line)}", file=sys.stderr)
    catalog_path = args.catalog or default_catalog_path()
    options = {"strict": True} if args.strict else {}
    if args.final:
        _refuse_draft(result, park, catalog_path)
        options["final"] = True
    try:
        outcome = render_report(
            args.park, window, input_path=park.path,
            catalog_path=catalog_path, catalog_files=referenced_files(catalog_path),
            factor_paths=[args.factors or carbon.DEFAULT_TABLE], base_year=args.base_year, options=options,
            output_dir=args.output_dir, formats=formats, engine=args.engine, force=args.force,
            command=["evalkit", *args.argv], template_dir=template)
    except RenderError as exc:
        print(f"[evalkit] error: {inert(exc)}", file=sys.stderr)
        return EXIT_INPUT if exc.stage == "final" else EXIT_FAILED
    for warning in outcome.warnings:
        print(f"[evalkit] warning: {inert(warning)}", file=sys.stderr)
    print(f"report archived in {outcome.archive} (engine: {outcome.engine})")
    for name, path in outcome.files.items():
        print(f"  {name:9} {path}")
    return EXIT_OK


def _refuse_draft(result: Result, park: LoadedPark, catalog_path: Path) -> None:
    """`render --final`: every reference the evaluation uses must be confirmed (issue 12), nothing
    left for the assessor to fill in (no 【待评价机构填写】 in the report) and no assessor's text that
    the evaluation contradicts (evalkit.evaluation.narrative)."""
    from evalkit.report.unfilled import unfilled_fields

    problems = Problems()
    for ref in result.unverified_references:
        problems.add(str(catalog_path), f"indicators[{ref.code}].scoring.{ref.field}", f"{ref.value:g} {ref.unit}",
                     f"a confirmed reference for a formal report (正式报告): `verified: true` with a `citation` in "
                     f"the catalog, or reference_confirmations.{ref.code} (document_no 文号, clause 条款, "
                     f"confirmed_by) in {park.path.name}; now: {ref.source}",
                     year=ref.years[-1])
    for place in unfilled_fields(park.input):
        problems.add(str(park.path), place.field, "—",
                     f"filled in for a formal report (正式报告): the report shows 【待评价机构填写】 at {place.place_zh}")
    for finding in result.narrative:  # the assessor's text contradicts the result, or omits what it must say
        problems.add(str(park.path), finding.field, finding.claimed or "—",
                     f"text that agrees with the evaluation for a formal report (正式报告): {finding.text_zh}")
    problems.raise_if_errors()


def cmd_verify(args) -> int:
    from evalkit.archive.signing import SigningError, trusted_keys
    from evalkit.render import RenderError, verify_archive

    try:
        trusted = trusted_keys(args.trust)
        outcome = verify_archive(args.archive, trusted=trusted)
    except (RenderError, SigningError) as exc:
        print(f"[evalkit] error: {inert(exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(inert(outcome.report()))
    return EXIT_OK if outcome.ok else EXIT_FAILED


def cmd_keygen(args) -> int:
    from evalkit.archive.signing import SigningError, generate_key, public_key_path

    try:
        public = generate_key(args.key, args.name, args.organisation)
    except (SigningError, OSError) as exc:
        print(f"[evalkit] error: {inert(exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"private key {args.key} (keep it secret; permissions 0600)\n"
          f"public key  {public_key_path(args.key)} (give it to whoever checks your reports)\n"
          f"signer {inert(public.signer)}（{inert(public.organisation)}）, key id {public.key_id}")
    return EXIT_OK


def cmd_sign(args) -> int:
    from evalkit.archive.signing import SIGNATURE, SigningError, sign_archive

    try:
        public = sign_archive(args.archive, args.key)
    except (SigningError, OSError) as exc:
        print(f"[evalkit] error: {inert(exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"signed {args.archive / SIGNATURE} as {inert(public.signer)}（{inert(public.organisation)}）, "
          f"key id {public.key_id}")
    return EXIT_OK


# --- data intake -------------------------------------------------------------------------------

def cmd_validate(args) -> int:
    from evalkit.intake.checks import parse_window
    from evalkit.intake.validate import validate_park

    catalog, factors = _load(args)
    window = parse_window(args.years, catalog)
    problems = validate_park(args.park, args.params_dir, catalog, window, factors)
    print(f"evalkit validate {args.park} {args.years}: {problems.table()}")
    if problems.errors:
        return EXIT_INPUT
    from evalkit.evaluation import evaluate

    park = load_checked_park(args.park, args.params_dir, catalog, window, factors)
    result = evaluate(park, catalog, window, factors=factors)
    print("\noutcome / 评价结果预判:\n" + inert("\n".join(outlook(result))))
    for line in text_check_lines(result):
        print(inert(line))
    return EXIT_OK if result.rated else EXIT_NOT_RATED


def cmd_gaps(args) -> int:
    from evalkit.evaluation import evaluate
    from evalkit.intake.checks import parse_window
    from evalkit.render.request import write_request

    catalog, factors = _load(args)
    window = parse_window(args.years, catalog)
    park = load_checked_park(args.park, args.params_dir, catalog, window, factors)
    result = evaluate(park, catalog, window, factors=factors)
    files = write_request(result, catalog, args.output_dir / args.park,
                          f"资料补充清单-{window[0]}-{window[-1]}")
    print(f"request for missing data and evidence / 资料补充清单 ({len(result.input_gaps)} inputs, "
          f"{len(result.gate.unknown)} basic requirements pending):")
    for path in files:
        print(f"  {path}")
    return EXIT_OK


def cmd_template(args) -> int:
    from evalkit.catalog import load_catalog
    from evalkit.intake.checks import parse_span
    from evalkit.intake.template import write_template

    catalog = load_catalog(args.catalog)
    years = parse_span(args.years)
    output = args.output or Path("params") / f"{args.park}.{'xlsx' if args.xlsx else 'yaml'}"
    _refuse_overwrite(output, args.force)
    write_template(catalog, args.park, years, output, xlsx=args.xlsx)
    print(f"wrote {output}")
    return EXIT_OK


def cmd_export(args) -> int:
    from evalkit.catalog import load_catalog
    from evalkit.intake import load_park
    from evalkit.intake.workbook import export_park

    catalog = load_catalog(args.catalog)
    park = load_park(args.park, args.params_dir)
    output = args.output or Path(f"{args.park}.xlsx")
    _refuse_overwrite(output, args.force)
    export_park(park, catalog, output)
    print(f"wrote {output}")
    return EXIT_OK


def _refuse_overwrite(path: Path, force: bool, option: str = "--output") -> None:
    if path.exists() and not force:
        problems = Problems()
        problems.add(str(path), option, str(path), "a file that does not exist yet (or pass --force)")
        problems.raise_if_errors()


# --- many parks and many years: batch, compare, trend, statement --------------------------------

def _portfolio_parser(command, park_args) -> None:
    """The subcommands of part 7's uses (batch runs, 横向比较, 纵向比较, 持续符合性声明)."""
    def output_args(sub: argparse.ArgumentParser, formats_flag: str = "--to") -> None:
        sub.add_argument(formats_flag, dest="formats", default="html,docx,pdf",
                         help="formats, comma-separated (default: html,docx,pdf)")
        sub.add_argument("--engine", choices=["auto", "quarto", "pandoc"], default="auto",
                         help="renderer: Quarto when on PATH (auto), else pandoc from pypandoc_binary")
        sub.add_argument("--output-dir", type=Path, default=Path("outputs"), help="archive root (default: outputs)")
        sub.add_argument("--force", action="store_true", help="replace an archive made from different inputs")

    def many_args(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--years", required=True, help="evaluation window, e.g. 2021-2023")
        sub.add_argument("--params-dir", type=Path, default=Path("params"), help="folder of park input files")
        sub.add_argument("--factors", type=Path, help="custom carbon factor table (YAML)")

    sub = command("batch", cmd_batch, "render the reports of many parks in parallel; summary in "
                                      "outputs/batch-<window>.csv and .xlsx (exit 0 only if every park succeeded)")
    many_args(sub)
    sub.add_argument("--parks", help="comma-separated park ids (default: every park file in --params-dir)")
    sub.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel processes (default: CPU count)")
    output_args(sub)

    sub = command("compare", cmd_compare, "comparison report of parks (横向比较): ranking, heatmap, leading values, "
                                          "common weak areas")
    many_args(sub)
    chosen = sub.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--parks", help="comma-separated park ids")
    chosen.add_argument("--all", action="store_true", help="every park file in --params-dir")
    sub.add_argument("--by", choices=["park_type"], help="also compare parks within each park type")
    output_args(sub)

    sub = command("trend", cmd_trend, "one park over every three-year window its data allow (纵向比较)")
    park_args(sub, years=False)
    sub.add_argument("--from", dest="start", type=int, required=True, help="first year, e.g. 2019")
    sub.add_argument("--to", dest="end", type=int, required=True, help="last year, e.g. 2023")
    output_args(sub, "--formats")

    sub = command("statement", cmd_statement, "annual statement of continued compliance (持续符合性声明, 7.1.2) "
                                              "against the park's last rated archive")
    park_args(sub, years=False)
    sub.add_argument("--year", type=int, required=True, help="the statement year, e.g. 2024")
    output_args(sub)


def _formats(text: str) -> list[str]:
    from evalkit.render import FORMATS

    formats = [f.strip() for f in text.split(",") if f.strip()]
    if not formats or any(f not in FORMATS for f in formats):
        problems = Problems()
        problems.add("--to", "formats", text, f"a comma-separated list of {', '.join(FORMATS)}")
        problems.raise_if_errors()
    return formats


def _portfolio_inputs(args) -> dict:
    from evalkit import carbon
    from evalkit.catalog import default_catalog_path

    catalog, factors = _load(args)
    return dict(params_dir=args.params_dir, catalog=catalog, catalog_path=args.catalog or default_catalog_path(),
                factors=factors, factor_path=args.factors or carbon.DEFAULT_TABLE, output_dir=args.output_dir)


def _chosen_parks(args) -> list[str]:
    from evalkit.intake import find_park_file
    from evalkit.runs.collect import park_ids

    parks = park_ids(args.params_dir) if getattr(args, "all", False) or not args.parks else \
        list(dict.fromkeys(p.strip() for p in args.parks.split(",") if p.strip()))
    problems = Problems()
    for park in parks:
        try:
            find_park_file(park, args.params_dir)
        except InputError as exc:
            problems.extend(exc.problems)
    if not parks:
        problems.add(str(args.params_dir), "parks", "", "at least one park input file")
    problems.raise_if_errors()
    return parks


def _print_document(outcome, what: str) -> None:
    for warning in outcome.warnings:
        print(f"[evalkit] warning: {warning}", file=sys.stderr)
    print(f"{what} archived in {outcome.archive} (engine: {outcome.engine})")
    for name, path in outcome.files.items():
        print(f"  {name:9} {path}")


def cmd_batch(args) -> int:
    import time

    from tqdm import tqdm

    from evalkit.intake.checks import parse_window
    from evalkit.runs.batch import BatchInterrupted, BatchJob, run_batch, write_summary

    context = _portfolio_inputs(args)
    window = parse_window(args.years, context["catalog"])
    formats = _formats(args.formats)
    parks = _chosen_parks(args)
    label = f"{window[0]}-{window[-1]}"
    levels = [t.name for t in context["catalog"].target_levels]
    jobs = [BatchJob(park=p, years=window, params_dir=str(args.params_dir), catalog_path=str(context["catalog_path"]),
                     factor_path=str(context["factor_path"]), output_dir=str(args.output_dir), formats=formats,
                     engine=args.engine, force=args.force, command=["evalkit", *args.argv]) for p in parks]
    bar = tqdm(total=len(jobs), unit="park", desc=f"batch {label}", file=sys.stderr, dynamic_ncols=True)

    def report(done: int, running: int, failed: int, total: int) -> None:
        bar.n = done
        bar.set_postfix_str(f"done {done - failed}, running {running}, failed {failed}", refresh=True)

    start = time.perf_counter()
    try:
        rows = run_batch(jobs, workers=args.jobs, report=report)
    except BatchInterrupted as exc:
        bar.close()
        files = write_summary(exc.rows, args.output_dir, label, levels)
        print(f"evalkit batch: interrupted; finished archives are intact; summary so far in {files[0]}", file=sys.stderr)
        return 130
    bar.close()
    seconds = time.perf_counter() - start
    files = write_summary(rows, args.output_dir, label, levels)
    table = [{"park": r.park, "status": r.status, "grade": r.grade, "index": "" if r.index is None else f"{r.index:.2f}",
              "overall": r.verdict, "seconds": f"{r.seconds:.1f}", "archive": r.archive} for r in rows]
    print(text_table(table, ["park", "status", "grade", "index", "overall", "seconds", "archive"]))
    failed = [r for r in rows if r.status != "rendered" and r.status != "unchanged"]
    for row in failed:
        print(f"FAILED {row.park}: {row.error}", file=sys.stderr)
    print(f"{len(rows) - len(failed)} of {len(rows)} parks succeeded in {seconds:.1f} s "
          f"({args.jobs} process(es)); summary: {', '.join(map(str, files))}")
    return EXIT_OK if not failed else EXIT_FAILED


def cmd_compare(args) -> int:
    from evalkit.intake.checks import parse_window
    from evalkit.render import RenderError
    from evalkit.runs.reports import compare_report

    context = _portfolio_inputs(args)
    window = parse_window(args.years, context["catalog"])
    formats = _formats(args.formats)
    parks = _chosen_parks(args)
    try:
        outcome, sources = compare_report(parks, window, by=args.by, formats=formats, engine=args.engine,
                                          force=args.force, command=["evalkit", *args.argv], **context)
    except RenderError as exc:
        print(f"[evalkit] error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for park, source in zip(parks, sources):
        print(f"  {park:16} result from {source}")
    _print_document(outcome, "comparison report")
    return EXIT_OK


def cmd_trend(args) -> int:
    from evalkit.render import RenderError
    from evalkit.runs.reports import trend_report

    context = _portfolio_inputs(args)
    formats = _formats(args.formats)
    try:
        outcome = trend_report(args.park, args.start, args.end, formats=formats, engine=args.engine,
                               force=args.force, command=["evalkit", *args.argv], **context)
    except RenderError as exc:
        print(f"[evalkit] error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    _print_document(outcome, "trend")
    return EXIT_OK


def cmd_statement(args) -> int:
    from evalkit.render import RenderError
    from evalkit.runs.reports import statement_report

    context = _portfolio_inputs(args)
    formats = _formats(args.formats)
    try:
        outcome = statement_report(args.park, args.year, formats=formats, engine=args.engine, force=args.force,
                                   command=["evalkit", *args.argv], **context)
    except RenderError as exc:
        print(f"[evalkit] error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    verdict = json.loads(outcome.files["results"].read_text("utf-8"))["verdict"]
    _print_document(outcome, f"statement ({verdict})")
    return EXIT_OK


# --- analysis: AHP weights and how firm a grade is -------------------------------------------------

def cmd_weights(args) -> int:
    from evalkit.analysis import ahp
    from evalkit.catalog import load_catalog

    result = ahp.compute(args.ahp)
    indicator_weights = None
    if args.write_catalog or args.catalog:  # the hierarchy must then cover the catalog's indicators
        catalog = load_catalog(args.catalog)
        if args.write_catalog:
            _refuse_overwrite(args.write_catalog, args.force, "--write-catalog")
            indicator_weights = ahp.write_catalog(result, catalog, args.write_catalog)
        else:
            indicator_weights = ahp.indicator_weights(result, catalog)
    if args.json:
        print(json.dumps({"matrices": [m.as_json() for m in result.matrices], "experts": result.experts,
                          "cr_limit": result.ri.cr_limit, "ri_source": result.ri.source,
                          **({"indicator_weights": indicator_weights} if indicator_weights else {})},
                         ensure_ascii=False, indent=2))
    else:
        print(inert(f"AHP {args.ahp}: {len(result.experts)} expert(s)"
                    + (" combined by element-wise geometric mean" if len(result.experts) > 1 else "")))
        print(f"RI (Saaty): {result.ri.source.split(';')[0].strip()}; CR limit {result.ri.cr_limit:g}\n")
        for m in result.matrices:
            print(inert(f"{m.name}: λmax {m.lambda_max:.4f}  CI {m.ci:.4f}  RI {m.ri:g}  CR {m.cr:.4f}"))
            print(inert(text_table([{"item": item, "weight": f"{w:.4f}"} for item, w in m.weights.items()],
                                   ["item", "weight"])))
            print()
        if indicator_weights:
            print("indicator weights / 三级指标权重 (product of the local weights from the top):")
            print(text_table([{"code": code, "weight": f"{w:.4f}"} for code, w in indicator_weights.items()],
                             ["code", "weight"]))
    if args.write_catalog:
        print(inert(f"wrote {args.write_catalog} (use: --catalog {args.write_catalog})"),
              file=sys.stderr if args.json else sys.stdout)
    return EXIT_OK


def cmd_sensitivity(args) -> int:
    from evalkit.analysis import firmness
    from evalkit.evaluation import evaluate
    from evalkit.intake.checks import parse_window

    catalog, factors = _load(args)
    window = parse_window(args.years, catalog)
    problems = Problems()
    if args.samples < 100 or args.samples > 1_000_000:
        problems.add("--samples", "samples", args.samples, "between 100 and 1,000,000")
    if args.sobol and (args.sobol < 16 or args.sobol & (args.sobol - 1)):
        problems.add("--sobol", "sobol", args.sobol, "a power of 2, at least 16 (e.g. 256)")
    problems.raise_if_errors()
    park = load_checked_park(args.park, args.params_dir, catalog, window, factors, args.base_year)
    strict = True if args.strict else None
    result = evaluate(park, catalog, window, factors=factors, strict=strict, base_year=args.base_year)
    report = firmness.analyse(park, catalog, window, result, factors=factors, strict=strict,
                              base_year=args.base_year, samples=args.samples, seed=args.seed,
                              bands_path=args.bands, sobol_samples=args.sobol)
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if args.json else inert(report.text()))
    return EXIT_OK
