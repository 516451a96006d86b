"""The ``yzmaturity`` command line.

Exit status: 0 success, 1 invalid input or a file that cannot be read or written
(the problems are listed, the path named), 2 wrong usage, 3 a bug in yzmaturity,
130 interrupted (Ctrl-C; no output is left half-written).
Set ``YZMATURITY_DEBUG=1`` to see a traceback for an unexpected error.

Outputs are written atomically and never over an input: ``batch t.csv -o t.csv``
or ``--errors`` naming the ``-o`` file is refused before any work.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO, cast

from pydantic import ValidationError

from ._answers import AnswerSheet
from ._api import assess, check_answers
from ._cli_forms import COMMANDS as FORM_COMMANDS
from ._cli_forms import add_parsers as add_form_parsers
from ._cli_forms import run as run_form_command
from ._codes import Code
from ._cohort_report import cohort_report
from ._compare import compare
from ._exceptions import ErrorDetail, FileLoadError, FileWriteError, YzMaturityError, details_from_pydantic
from ._files import read_data_file
from ._fs import check_distinct, check_writable, os_error_code, write_text
from ._lint import lint
from ._loading import (
    answers_from_data,
    catalog_from_data,
    default_catalog,
    is_catalog_data,
    is_questionnaire_data,
    list_questionnaires,
    load_questionnaire,
)
from ._model import Questionnaire
from ._render import build_progress_report, build_report, questionnaire_outline, recommendations_text
from ._render.text import answer_template
from ._schema import json_schema_text
from ._text import terminal_safe
from ._version import __version__

__all__ = ["main"]

DEFAULT_QUESTIONNAIRE = "yangzhou-2022"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yzmaturity",
        description="Digital-maturity self-assessment for 智改数转 (Yangzhou, GB/T 39116 levels).",
    )
    parser.add_argument("--version", action="version", version=f"yzmaturity {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("questionnaires", help="list the built-in questionnaires")

    show = sub.add_parser("show", help="outline a questionnaire: dimensions, questions, levels")
    show.add_argument("questionnaire", help="built-in id or path")
    show.add_argument("--lang", choices=("zh", "en"), default="zh")

    validate = sub.add_parser("validate", help="check a questionnaire or an answer sheet file")
    validate.add_argument("file")
    validate.add_argument("--questionnaire", "-q", help="questionnaire id or path (default: the sheet's)")
    validate.add_argument("--json", action="store_true", help="findings as JSON (always JSON on stdout)")

    assess_p = sub.add_parser("assess", help="score an answer sheet")
    assess_p.add_argument("file")
    assess_p.add_argument("--questionnaire", "-q", help="questionnaire id or path (default: the sheet's)")
    assess_p.add_argument("--json", action="store_true", help="full result as JSON")
    assess_p.add_argument("--lang", choices=("zh", "en"), default="zh")

    recommend = sub.add_parser("recommend", help="rank the funded support categories for an answer sheet")
    recommend.add_argument("file")
    recommend.add_argument("--catalog", "-c", help="policy catalog id or path (default: the questionnaire's)")
    recommend.add_argument("--questionnaire", "-q", help="questionnaire id or path (default: the sheet's)")
    recommend.add_argument("--json", action="store_true")
    recommend.add_argument("--lang", choices=("zh", "en"), default="zh")

    compare_p = sub.add_parser("compare", help="compare two assessments of one enterprise (T0 -> T1)")
    compare_p.add_argument("old")
    compare_p.add_argument("new")
    compare_p.add_argument("--questionnaire", "-q", help="questionnaire id or path (default: the sheets')")
    compare_p.add_argument("--json", action="store_true")
    compare_p.add_argument(
        "--force",
        action="store_true",
        help="compare even if the two sheets seem to be of different enterprises",
    )
    compare_p.add_argument("--lang", choices=("zh", "en"), default="zh")

    report_p = sub.add_parser(
        "report", help="write the diagnosis report (HTML or Markdown); with --compare, a progress report"
    )
    report_p.add_argument("file", help="answer sheet (the later one with --compare)")
    report_p.add_argument(
        "-o", "--output", help="file to write: .html/.htm or .md (default: Markdown to stdout)"
    )
    report_p.add_argument("--format", choices=("html", "md"), help="default: from the -o extension")
    report_p.add_argument(
        "--compare", metavar="OLD", help="an earlier answer sheet: progress report OLD -> FILE"
    )
    report_p.add_argument("--questionnaire", "-q", help="questionnaire id or path (default: the sheet's)")
    report_p.add_argument(
        "--force",
        action="store_true",
        help="with --compare: even if the sheets seem to be of different enterprises",
    )
    report_p.add_argument("--lang", choices=("zh", "en"), default="zh")
    report_p.add_argument(
        "--cohort",
        help="a scored-table input (CSV/XLSX/Parquet of enterprises): say where this one stands among its peers",
    )

    template = sub.add_parser("template", help="write an empty answer sheet with every question")
    template.add_argument(
        "questionnaire",
        nargs="?",
        default=DEFAULT_QUESTIONNAIRE,
        help=f"built-in id or path (default: {DEFAULT_QUESTIONNAIRE})",
    )
    template.add_argument("-o", "--output", help="file to write (default: standard output)")
    template.add_argument("--lang", choices=("zh", "en"), default="zh")
    template.add_argument(
        "--format",
        choices=("yaml", "csv", "xlsx"),
        default="yaml",
        help="yaml: an answer sheet (default); csv/xlsx: an empty wide table for `batch`",
    )

    batch = sub.add_parser("batch", help="score a table of enterprises (CSV, XLSX or Parquet), one row each")
    batch.add_argument("file", help="the wide table: .csv, .xlsx or .parquet, or a folder of .parquet files")
    batch.add_argument("-o", "--output", required=True, help="scored table to write: .csv, .xlsx or .parquet")
    batch.add_argument("--errors", help="write every problem (row, column, code, message ...) to this table")
    batch.add_argument(
        "--questionnaire", "-q", default=DEFAULT_QUESTIONNAIRE, help="questionnaire id or path"
    )
    batch.add_argument("--catalog", "-c", help="policy catalog id or path (default: the questionnaire's)")
    batch.add_argument(
        "--id-column", action="append", default=[], metavar="COLUMN", help="a column to keep (repeatable)"
    )
    batch.add_argument("--no-progress", action="store_true", help="no progress bar")
    batch.add_argument("--json", action="store_true", help="the summary as JSON")
    batch.add_argument("--lang", choices=("zh", "en"), default="zh")

    cohort = sub.add_parser(
        "cohort-report",
        help="write a cohort's report (HTML): levels by district and industry, funding demand, weakest dimensions",
    )
    cohort.add_argument("file", help="the wide table of enterprises: .csv, .xlsx or .parquet")
    cohort.add_argument("-o", "--output", required=True, help="the report to write: .html/.htm (or .md)")
    cohort.add_argument(
        "--questionnaire", "-q", default=DEFAULT_QUESTIONNAIRE, help="questionnaire id or path"
    )
    cohort.add_argument("--catalog", "-c", help="policy catalog id or path (default: the questionnaire's)")
    cohort.add_argument("--city", help="the cohort's name in the title (default: 扬州市 / Yangzhou)")
    cohort.add_argument("--lang", choices=("zh", "en"), default="zh")

    add_form_parsers(sub)

    serve = sub.add_parser(
        "serve", help="run the HTTP API (needs the serve extra): score, store and report assessments"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--db",
        default="sqlite:///assessments.db",
        help="database URL: sqlite:///FILE (default) or postgresql://...",
    )
    serve.add_argument(
        "--token", help="writes need 'Authorization: Bearer TOKEN' (default: $YZMATURITY_TOKEN; unset: none)"
    )

    schema = sub.add_parser("schema", help="print the JSON Schema of questionnaire or answer-sheet files")
    schema.add_argument("kind", choices=("questionnaire", "answers", "catalog", "assessment"))
    for command in sub.choices.values():
        if not any(a.dest == "lang" for a in command._actions):
            command.add_argument("--lang", choices=("zh", "en"), default="zh", help="output language")
        command.add_argument(
            "--ids", action="store_true", help="also show question, option and category ids and error codes"
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args, cast(TextIO, _Safe(sys.stdout)))
    except YzMaturityError as exc:
        if getattr(args, "json", False) and args.command == "validate":
            details = getattr(exc, "details", None) or [ErrorDetail(Code.INVALID, (), str(exc))]
            _print_findings(details, True, sys.stdout, args.lang, args.ids)
        else:
            print(terminal_safe(error_text(exc, args.lang, args.ids)), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("interrupted: every output file is whole or absent (none is half-written)", file=sys.stderr)
        return 130
    except OSError as exc:  # a file-system error that no reader or writer translated: still the user's
        code, reason = os_error_code(exc)
        where = exc.filename if exc.filename is not None else "a file"
        print(f"error: cannot use {terminal_safe(str(where))}: [{code}] {reason}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: say so plainly, without a traceback unless asked
        if os.environ.get("YZMATURITY_DEBUG"):
            raise
        print(
            terminal_safe(
                f"internal error: {type(exc).__name__}: {exc} (set YZMATURITY_DEBUG=1 for details)"
            ),
            file=sys.stderr,
        )
        return 3


def error_text(exc: YzMaturityError, lang: str = "zh", ids: bool = False) -> str:
    """An error for a person: one localised line per problem (codes and places with ``ids``)."""
    details: list[ErrorDetail] = list(getattr(exc, "details", []))
    if isinstance(exc, FileLoadError | FileWriteError):
        d = details[0]
        why = d.text(lang) if lang == "zh" else d.message
        if ids:
            why += f"  [{d.code}]"
        return f"错误：{exc.path}：{why}" if lang == "zh" else f"error: {exc.path}: {why}"
    if not details:
        return ("错误：" if lang == "zh" else "error: ") + str(exc)
    head = f"发现 {len(details)} 个问题：" if lang == "zh" else f"{len(details)} problem(s):"
    return "\n".join([head] + ["  - " + _finding_line(d, lang, ids) for d in details])


def _finding_line(d: ErrorDetail, lang: str, ids: bool) -> str:
    line = d.text(lang)
    if ids:
        line += f"  [{d.code}] {d.where}"
    return line


class _Safe:
    """Standard output that never carries a terminal escape from the data (see ``terminal_safe``)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_safe(text))

    def flush(self) -> None:
        self._stream.flush()


def _run(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "questionnaires":
        for qid in list_questionnaires():
            q = load_questionnaire(qid)
            count = f"{len(q.questions)} 道题" if args.lang == "zh" else f"{len(q.questions)} questions"
            print(f"{qid}\tv{q.version}\t{count}\t{q.title.of(args.lang)}", file=out)
        return 0
    if args.command == "show":
        print(questionnaire_outline(load_questionnaire(args.questionnaire), args.lang, args.ids), file=out)
        return 0
    if args.command == "validate":
        return _validate(args, out)
    if args.command == "serve":
        from ._serve import run

        run(args.host, args.port, args.db, args.token)
        return 0
    if args.command == "assess":
        a = assess(_load_sheet(args.file), args.questionnaire)
        if args.json:
            print(a.to_json(recommendations=True), file=out)
        else:
            print(a.summary(args.lang, ids=args.ids), file=out)
        return 0
    if args.command == "recommend":
        a = assess(_load_sheet(args.file), args.questionnaire)
        recs = a.recommend(args.catalog)
        if args.json:
            print(json.dumps([r.to_dict() for r in recs], ensure_ascii=False, indent=2), file=out)
        else:
            print(
                f"{a.enterprise.name}: L{a.level.number} {a.level.name.of(args.lang)}, {a.overall:.1f}",
                file=out,
            )
            print(
                recommendations_text(recs, args.lang, ids=args.ids, questionnaire=a.questionnaire), file=out
            )
        return 0
    if args.command == "compare":
        comparison = compare(
            assess(_load_sheet(args.old), args.questionnaire),
            assess(_load_sheet(args.new), args.questionnaire),
            force=args.force,
        )
        if args.json:
            print(json.dumps(comparison.to_dict(), ensure_ascii=False, indent=2), file=out)
        else:
            print(comparison.summary(args.lang, ids=args.ids), file=out)
        return 0
    if args.command == "report":
        return _report(args, out)
    if args.command == "batch":
        return _batch(args, out)
    if args.command == "cohort-report":
        return _cohort_report(args)
    if args.command == "template" and args.format != "yaml":
        return _table_template(args, out)
    if args.command == "template":
        check_distinct(_path_args(args.questionnaire), [("-o", args.output)])
        text = answer_template(load_questionnaire(args.questionnaire), args.lang)
        if args.output:
            write_text(args.output, text)
        else:
            print(text, file=out, end="")
        return 0
    if args.command in FORM_COMMANDS:
        return run_form_command(args, out)
    if args.command == "schema":
        print(json_schema_text(args.kind), file=out, end="")
        return 0
    raise AssertionError(args.command)


def _report(args: argparse.Namespace, out: TextIO) -> int:
    check_distinct(
        _path_args(args.file, args.compare, args.questionnaire, args.cohort), [("-o", args.output)]
    )
    after = assess(_load_sheet(args.file), args.questionnaire)
    if args.compare:
        report = build_progress_report(
            compare(assess(_load_sheet(args.compare), args.questionnaire), after, force=args.force),
            args.lang,
            catalog=default_catalog(after.questionnaire_id),
        )
    else:
        cohort = None
        if args.cohort:
            cohort = _score_table(after.questionnaire, args.cohort, None, match=False).scores
        report = build_report(after, args.lang, cohort, catalog=default_catalog(after.questionnaire_id))
    if args.output:
        path = report.save(args.output, format=args.format)
        print(terminal_safe(f"{path}: {report.title}"), file=sys.stderr)
    else:
        print(report.to_html() if args.format == "html" else report.to_markdown(), file=out, end="")
    return 0


def _score_table(questionnaire: Questionnaire | str, path: str, catalog: str | None, *, match: bool) -> Any:
    """A whole table scored in memory (:func:`score_table`, no progress bar): its TableResult."""
    from ._tables import score_table

    return score_table(questionnaire, path, catalog, match=match, progress=False)


def _cohort_report(args: argparse.Namespace) -> int:
    """Score a table of enterprises and write its cohort report; invalid rows are counted, not fatal."""
    check_distinct(_path_args(args.file, args.questionnaire, args.catalog), [("-o", args.output)])
    check_writable(args.output)
    result = _score_table(args.questionnaire, args.file, args.catalog, match=True)
    report = cohort_report(result.scores, match=result.match, lang=args.lang, city=args.city)
    path = report.save(args.output)
    print(terminal_safe(f"{path}: {report.title}"), file=sys.stderr)
    return 0


def _path_args(*values: str | None) -> list[str]:
    """The arguments that name files (an id such as ``yangzhou-2022`` names none)."""
    return [v for v in values if v and (os.path.exists(v) or os.sep in v or "." in v)]


def _load_sheet(path: str) -> AnswerSheet:
    return answers_from_data(read_data_file(path), source=path)


def _print_findings(findings: list[ErrorDetail], as_json: bool, out: TextIO, lang: str, ids: bool) -> None:
    if as_json:
        data = [f.to_dict() | {"text": f.text(lang)} for f in findings]
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return
    words = {"error": "错误", "warning": "警告"} if lang == "zh" else {"error": "error", "warning": "warning"}
    for f in findings:
        print(f"{words.get(f.severity, f.severity)}: {_finding_line(f, lang, ids)}", file=out)


def _counts(findings: list[ErrorDetail], lang: str) -> str:
    n_err = sum(f.severity == "error" for f in findings)
    n_warn = len(findings) - n_err
    return f"{n_err} 个错误，{n_warn} 个警告" if lang == "zh" else f"{n_err} error(s), {n_warn} warning(s)"


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    data = read_data_file(args.file)
    lang = args.lang
    if is_catalog_data(data):
        catalog = catalog_from_data(data, source=args.file)
        if args.json:
            _print_findings([], True, out, lang, args.ids)
        else:
            print(
                f"{args.file}: policy catalog {catalog.id} v{catalog.version} for {catalog.questionnaire}, "
                f"{_counts([], lang)}",
                file=out,
            )
        return 0
    findings: list[ErrorDetail]
    if is_questionnaire_data(data):
        try:
            q = Questionnaire.model_validate({k: v for k, v in data.items() if k != "$schema"})
        except ValidationError as exc:
            findings = details_from_pydantic(exc)
        else:
            findings = lint(q)
        # Questionnaire authors work with ids: lint findings keep them.
        _print_findings(findings, args.json, out, lang, True)
        if not args.json:
            print(f"{args.file}: questionnaire, {_counts(findings, lang)}", file=out)
        return 1 if any(f.severity == "error" for f in findings) else 0
    findings = check_answers(
        {k: v for k, v in data.items() if k != "$schema"} if isinstance(data, dict) else data,
        args.questionnaire,
    )
    _print_findings(findings, args.json, out, lang, args.ids)
    if not args.json:
        what = "答卷" if lang == "zh" else "answer sheet"
        print(f"{args.file}: {what}, {_counts(findings, lang)}", file=out)
    return 1 if any(f.severity == "error" for f in findings) else 0


def _batch(args: argparse.Namespace, out: TextIO) -> int:
    """Score a wide table: exit 0 even with invalid rows (they are in the output), 1 if the table is unusable.

    File to file in row batches (:func:`score_file`): memory bounded by the
    batch, not the table; the outputs appear, whole, at the end.
    """
    from ._tables import check_table_path, score_file

    check_distinct(
        _path_args(args.file, args.questionnaire, args.catalog),
        [("-o", args.output), ("--errors", args.errors)],
    )
    for output in (args.output, args.errors):
        if output:
            check_writable(output)
    check_table_path(args.file, source=True)
    check_table_path(args.output)
    if args.errors:
        check_table_path(args.errors)
    result = score_file(
        args.questionnaire,
        args.file,
        args.output,
        args.catalog,
        errors=args.errors,
        id_columns=args.id_column,
        progress=False if args.no_progress else None,
        lang=args.lang,
    )
    if args.json:
        print(json.dumps(result.summary(), ensure_ascii=False, indent=2), file=out)
    else:
        zh = args.lang != "en"
        print(result.summary_text(args.lang), file=out)
        print(
            f"已写入 {args.output}（{len(result)} 行）"
            if zh
            else f"wrote {args.output} ({len(result)} rows)",
            file=out,
        )
        if args.errors:
            n = result.problems
            print(
                f"已写入 {args.errors}（{n} 个问题）" if zh else f"wrote {args.errors} ({n} problems)",
                file=out,
            )
        elif result.n_invalid:
            print(
                f"{result.n_invalid} 行无效：用 --errors FILE 列出每个问题"
                if zh
                else f"{result.n_invalid} invalid row(s): list every problem with --errors FILE",
                file=sys.stderr,
            )
    return 0


def _table_template(args: argparse.Namespace, out: TextIO) -> int:
    from ._tables import table_template

    check_distinct(_path_args(args.questionnaire), [("-o", args.output)])
    q = load_questionnaire(args.questionnaire)
    if args.output:
        table_template(q, args.output, fmt=args.format, lang=args.lang)
        return 0
    if args.format == "xlsx":
        print("error: an XLSX template needs -o FILE", file=sys.stderr)
        return 2
    data = table_template(q, fmt="csv", lang=args.lang)
    print(data.decode("utf-8-sig"), file=out, end="")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
