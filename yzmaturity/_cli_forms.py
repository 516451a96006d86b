"""The form commands of the CLI: ``export``, ``import`` and ``form``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from ._codes import Code
from ._exceptions import FileLoadError
from ._files import dump_text, format_of, read_data_file
from ._forms import form_html, to_surveyjs
from ._forms.common import write_atomic
from ._forms.importing import FormImport, importers, register_importer
from ._forms.xlsform import xlsform_bytes
from ._loading import load_questionnaire
from ._model import Questionnaire
from ._platform import import_platform_response

__all__ = ["COMMANDS", "add_parsers", "run"]

COMMANDS = ("export", "import", "form")
# Formats whose answers belong to one questionnaire by default.
DEFAULT_QUESTIONNAIRE = {"miit": "miit-sme-2024"}


def _miit(q: Questionnaire, path: str, enterprise: object) -> FormImport:
    """The MIIT evaluation platform's response (option and scene UUIDs): one sheet."""
    return FormImport(sheets=[import_platform_response(path, q)])


register_importer(
    "miit", "the MIIT evaluation platform's response (option and scene UUIDs), JSON or YAML", _miit
)


def add_parsers(sub: Any) -> None:
    export = sub.add_parser("export", help="export a questionnaire as a SurveyJS survey or an XLSForm")
    export.add_argument("questionnaire", help="built-in id or path")
    export.add_argument("--format", choices=("surveyjs", "xlsform"), required=True)
    export.add_argument("-o", "--output", help="file to write (.json or .xlsx); SurveyJS may go to stdout")

    formats = importers()
    imp = sub.add_parser(
        "import",
        help="read answers collected by a form tool as answer sheets",
        description="Formats: " + "; ".join(f"{k}: {v[0]}" for k, v in sorted(formats.items())),
    )
    imp.add_argument("file", help="the results file")
    imp.add_argument("--format", choices=sorted(formats), required=True)
    imp.add_argument(
        "--questionnaire",
        "-q",
        help="questionnaire id or path (needed for surveyjs and odk; miit: miit-sme-2024 by default)",
    )
    imp.add_argument(
        "-o",
        "--output",
        help="answer sheet to write (.yaml/.json; default: YAML to stdout); "
        "for several submissions a folder (one sheet each)",
    )
    imp.add_argument(
        "--enterprise", help="a YAML/JSON profile, or an answer sheet whose profile fills the blanks"
    )

    form = sub.add_parser("form", help="write an offline fill-in page (one HTML file, SurveyJS inlined)")
    form.add_argument("questionnaire", help="built-in id or path")
    form.add_argument("-o", "--output", required=True, help="the .html file to write")
    form.add_argument("--lang", choices=("zh", "en"), default="zh", help="the language it opens in")


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "export":
        q = load_questionnaire(args.questionnaire)
        if args.format == "surveyjs":
            text = json.dumps(to_surveyjs(q), ensure_ascii=False, indent=2) + "\n"
            if not args.output:
                print(text, file=out, end="")
                return 0
            write_atomic(args.output, text.encode("utf-8"), inputs=[args.questionnaire])
        else:
            if not args.output:
                print("error: an XLSForm export needs -o FILE.xlsx", file=sys.stderr)
                return 2
            write_atomic(args.output, xlsform_bytes(q), inputs=[args.questionnaire])
        print(f"{args.output}: {q.id} v{q.version} as {args.format}", file=sys.stderr)
        return 0
    if args.command == "form":
        q = load_questionnaire(args.questionnaire)
        write_atomic(args.output, form_html(q, args.lang).encode("utf-8"), inputs=[args.questionnaire])
        print(f"{args.output}: fill-in page for {q.id} v{q.version}", file=sys.stderr)
        return 0
    return _import(args, out)


def _import(args: argparse.Namespace, out: TextIO) -> int:
    questionnaire = args.questionnaire or DEFAULT_QUESTIONNAIRE.get(args.format)
    if questionnaire is None:
        print(f"error: importing {args.format} needs -q QUESTIONNAIRE", file=sys.stderr)
        return 2
    q = load_questionnaire(questionnaire)
    enterprise = read_data_file(args.enterprise) if args.enterprise else None
    if enterprise is not None and not isinstance(enterprise, dict):
        raise FileLoadError(
            args.enterprise, Code.WRONG_TYPE, "expected a mapping (a profile or an answer sheet)"
        )
    _, reader = importers()[args.format]
    result = reader(q, args.file, enterprise)
    inputs = [args.file, *([args.enterprise] if args.enterprise else [])]
    sheets = result.sheets
    for row in result.problems.rows():
        for detail in result.problems[row]:
            print(f"row {row}: {detail}", file=sys.stderr)
    written = 0
    if len(sheets) == 1 and args.output is None:
        if sheets[0] is not None:
            print(dump_text(sheets[0].dump(), fmt="yaml"), file=out, end="")
        return 0 if sheets[0] is not None else 1
    if args.output is None:
        print("error: several submissions need -o FOLDER", file=sys.stderr)
        return 2
    if len(sheets) == 1:
        if sheets[0] is not None:
            fmt = format_of(args.output)
            write_atomic(args.output, dump_text(sheets[0].dump(), fmt=fmt).encode("utf-8"), inputs=inputs)
            written = 1
    else:
        folder = Path(args.output)
        folder.mkdir(parents=True, exist_ok=True)
        for i, sheet in enumerate(sheets):
            if sheet is None:
                continue
            write_atomic(
                folder / f"submission-{i:04d}.yaml",
                dump_text(sheet.dump(), fmt="yaml").encode("utf-8"),
                inputs=inputs,
            )
            written += 1
    print(f"{written} of {len(sheets)} submission(s) written to {args.output}", file=sys.stderr)
    return 0 if written == len(sheets) else 1
