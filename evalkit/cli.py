"""Command line: `evalkit catalog | score | validate | template | export | render | verify | keygen | sign`.

A thin layer: parse arguments, call the package, print. Bad input is answered with every problem
at once (exit 2), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

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
EXIT_FAILED = EXIT_WARNINGS = 1  # a stage failed or results differ; for validate: warnings only


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
                     help="formal report (正式报告): refused (exit 2) unless every reference used is confirmed, "
                          "by the catalog or by the park file's reference_confirmations (文号 and clause)")

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

    sub = command("validate", cmd_validate, "check a park's input file and list every problem "
                                            "(exit 0 clean, 1 warnings only, 2 errors)")
    park_args(sub)

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

    park, problems = read_park(park_id, params_dir)
    if park is not None:
        problems.extend(check_park(park, catalog, window, factors))
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
    return EXIT_OK


def summary(result: Result) -> str:
    """The result at a glance, for the terminal."""
    lines = [f"{result.park_name} ({result.park})  window {result.years[0]}–{result.years[-1]}, "
             f"evaluation year {result.evaluation_year}",
             f"catalog {result.catalog.id} v{result.catalog.version}",
             f"basic requirements / 基本要求: {'met 达标' if result.gate.passed else 'NOT met 不达标'}"]
    for item in result.gate.items:
        if not item.met:
            lines.append(f"  ✗ {item.id}: {item.text_zh}")
    if result.yearly:
        levels = list(next(iter(result.yearly.values())).target_levels)
        rows = [{"year": str(y), **{lv: f"{yr.target_levels[lv]:.2f}" for lv in levels},
                 "bonus": f"{yr.bonus:g}", "index": f"{yr.index:.2f}", "in mean": "yes" if yr.in_index else ""}
                for y, yr in result.yearly.items()]
        lines += ["", text_table(rows, ["year", *levels, "bonus", "index", "in mean"]), ""]
        lines.append(f"index / 绩效指数: {result.index:.2f}  (mean of {', '.join(map(str, result.index_years))})")
        rule = result.fifty_percent_rule
        assert rule is not None and result.overall is not None
        lines.append("50 % rule / 50%规则: " + ("passed" if rule.passed else "FAILED") + "  " + "; ".join(
            f"{name} {c.mean_points:.2f}/{c.max_points:g}" for name, c in rule.levels.items()))
        lines.append(f"overall / 整体评价 ({result.overall.base_year}→{result.overall.target_year}): "
                     f"{result.overall.verdict}")
        lines += [f"  · {reason}" for reason in result.overall.reasons]
    lines.append(f"grade / 等级: {result.grade}  {result.grade_reason}")
    dep = result.bonus_dependence
    if dep is not None and any(result.yearly[y].bonus for y in result.index_years):
        lines.append(f"without bonus / 不计加分: index {dep.index_without_bonus:.2f}, grade {dep.grade_without_bonus}"
                     + ("  — the grade depends on the bonus / 等级依赖加分项" if dep.depends else ""))
    if result.references:
        unconfirmed = result.unverified_references
        lines.append(f"references / 参考值: {len(result.references)} used, {len(unconfirmed)} unconfirmed"
                     + (" — draft report (参考值未经核实); `render --final` refuses" if unconfirmed else ""))
    if result.data_gaps:
        lines.append("data gaps / 数据缺口: " + ", ".join(f"{g.code}@{g.year}" for g in result.data_gaps))
    if result.not_applicable:
        lines.append("not applicable / 不适用: " + ", ".join(n.code for n in result.not_applicable))
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


# --- render and verify -----------------------------------------------------------------------

def cmd_render(args) -> int:
    from evalkit import carbon
    from evalkit.catalog import default_catalog_path, referenced_files
    from evalkit.intake import find_park_file
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
    catalog_path = args.catalog or default_catalog_path()
    options = {"strict": True} if args.strict else {}
    if args.final:
        _refuse_unconfirmed(result, park, catalog_path)
        options["final"] = True
    try:
        outcome = render_report(
            args.park, window, input_path=find_park_file(args.park, args.params_dir),
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


def _refuse_unconfirmed(result: Result, park: LoadedPark, catalog_path: Path) -> None:
    """`render --final`: every reference the evaluation uses must be confirmed (issue 12)."""
    problems = Problems()
    for ref in result.unverified_references:
        problems.add(str(catalog_path), f"indicators[{ref.code}].scoring.{ref.field}", f"{ref.value:g} {ref.unit}",
                     f"a confirmed reference for a formal report (正式报告): `verified: true` with a `citation` in "
                     f"the catalog, or reference_confirmations.{ref.code} (document_no 文号, clause 条款, "
                     f"confirmed_by) in {park.path.name}; now: {ref.source}",
                     year=ref.years[-1])
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
    return EXIT_WARNINGS if problems.warnings else EXIT_OK


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


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        problems = Problems()
        problems.add(str(path), "--output", str(path), "a file that does not exist yet (or pass --force)")
        problems.raise_if_errors()
