"""The routes of the service (FastAPI) and :func:`run` (uvicorn).

Every error answer has one shape, ``{"title": ..., "detail": [...]}``, whose
details are the library's :class:`ErrorDetail` dicts (``code``, ``loc``,
``message``, ``expected``, ``got``, ``severity``): ``422`` for input that does
not fit, ``404`` for an unknown id, ``401`` for a write without the token,
``413`` for a body over its limit, ``503`` when the database fails.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, File, Form, Request, Security, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._api import assess
from .._codes import Code
from .._compare import compare
from .._exceptions import (
    AnswerValidationError,
    ErrorDetail,
    FileLoadError,
    NotFoundError,
    ReportError,
    YzMaturityError,
)
from .._files import parse_text
from .._forms.importing import PAGE_FORMAT, answers_from_surveyjs
from .._forms.surveyjs import to_surveyjs
from .._loading import answers_from_data, list_questionnaires, load_questionnaire
from .._model import Questionnaire
from .._optional import require
from .._profile import check_credit_code
from .._render import questionnaire_outline
from .._store import Store, StoredAssessment, StoreError
from .._tables import escape_formulas, score_table
from .._version import __version__
from ._errors import ServiceError, details_from_request_errors, error_body
from ._form import service_form_html
from ._guards import BodyLimit, TokenGuard

__all__ = ["Limits", "create_app", "run"]

TOKEN_ENV = "YZMATURITY_TOKEN"
Lang = Literal["zh", "en"]
# The report is self-contained: inline CSS and SVG, no script, nothing from the network.
# The form inlines SurveyJS and its own script; it talks to this service only.
FORM_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
)
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
)
BATCH_FORMATS = (".csv", ".xlsx")
BATCH_CHUNK_ROWS = 2000
MAX_CONNECTIONS = 200  # beyond: 503 at once, rather than memory and latency without bound


@dataclass(frozen=True)
class Limits:
    """Request-body limits in bytes: an answer sheet, a batch upload, anything else."""

    sheet_bytes: int = 1_000_000
    upload_bytes: int = 20_000_000
    other_bytes: int = 64_000

    def for_path(self, path: str) -> int:
        if path == "/api/batch":
            return self.upload_bytes
        if path == "/api/assessments":
            return self.sheet_bytes
        return self.other_bytes


def _builtin(questionnaire_id: str, loc: tuple[str | int, ...]) -> Questionnaire:
    """A built-in questionnaire (never a path: the service reads no file a client names)."""
    known = list_questionnaires()
    if questionnaire_id not in known:
        raise ServiceError(
            422 if loc[0] != "path" else 404,
            "unknown questionnaire",
            [
                ErrorDetail(
                    Code.UNKNOWN_QUESTIONNAIRE,
                    loc,
                    "no built-in questionnaire has this id",
                    expected="one of " + ", ".join(known),
                    got=questionnaire_id,
                )
            ],
        )
    return load_questionnaire(questionnaire_id)


def _summary(record: StoredAssessment) -> dict[str, Any]:
    results = record.results
    return {
        "id": record.id,
        "assessed_on": record.assessed_on.isoformat(),
        "created_at": record.created_at.isoformat(),
        "questionnaire": results.get("questionnaire"),
        "enterprise": record.enterprise_name,
        "assessor": results.get("assessor"),
        "overall": results.get("overall"),
        "level": results.get("level"),
        "dimensions": {k: v.get("score") for k, v in results.get("dimensions", {}).items()},
    }


def create_app(
    db: str | Store = "sqlite:///assessments.db",
    *,
    token: str | None = None,
    limits: Limits | None = None,
) -> FastAPI:
    """The ASGI app: the JSON API over a :class:`Store` (opened now; migrated if needed).

    ``token``: writes need ``Authorization: Bearer <token>``; None reads the
    ``YZMATURITY_TOKEN`` environment variable (empty or unset: no token).
    """
    store = db if isinstance(db, Store) else Store(db)
    limits = limits or Limits()
    if token is None:
        token = os.environ.get(TOKEN_ENV) or None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if not isinstance(db, Store):
            store.close()

    app = FastAPI(
        title="yzmaturity",
        version=__version__,
        summary="Digital-maturity self-assessment (智改数转): score answer sheets, keep each enterprise's history.",
        lifespan=lifespan,
    )
    app.state.store = store
    bearer = HTTPBearer(auto_error=False, description="Needed for writes when the service has a token.")
    _handlers(app)

    @app.get("/api/questionnaires", tags=["questionnaires"])
    def questionnaires() -> list[dict[str, Any]]:
        """The built-in questionnaires: id, version, content hash, titles, counts."""
        out = []
        for qid in list_questionnaires():
            q = load_questionnaire(qid)
            out.append(
                {
                    "id": q.id,
                    "version": q.version,
                    "hash": q.content_hash,
                    "title": q.title.model_dump(exclude_none=True),
                    "questions": len(q.questions),
                    "dimensions": len(q.dimensions),
                    "levels": len(q.levels.levels) - 1,
                }
            )
        return out

    @app.get("/api/questionnaires/{questionnaire_id}", tags=["questionnaires"])
    def questionnaire(questionnaire_id: str, lang: Lang = "zh") -> dict[str, Any]:
        """A questionnaire: its whole definition (dimensions, questions, options, levels) and a text outline."""
        q = _builtin(questionnaire_id, ("path", "questionnaire_id"))
        return {
            "hash": q.content_hash,
            "outline": questionnaire_outline(q, lang),
            "definition": q.model_dump(mode="json", by_alias=True, exclude_none=True),
        }

    @app.get("/api/questionnaires/{questionnaire_id}/form", tags=["questionnaires"])
    def survey(questionnaire_id: str) -> dict[str, Any]:
        """The questionnaire as a SurveyJS survey (JSON): conditions as ``visibleIf``, both languages."""
        return to_surveyjs(_builtin(questionnaire_id, ("path", "questionnaire_id")))

    @app.get("/", response_class=HTMLResponse, tags=["form"])
    def form(questionnaire: str | None = None, lang: Lang = "zh") -> HTMLResponse:
        """The fill-in form: answer in the browser, submit, read the report."""
        known = list_questionnaires()
        qid = questionnaire or ("yangzhou-2022" if "yangzhou-2022" in known else known[0])
        _builtin(qid, ("query", "questionnaire"))
        return HTMLResponse(service_form_html(qid, lang), headers={"Content-Security-Policy": FORM_CSP})

    @app.post(
        "/api/assessments",
        status_code=201,
        tags=["assessments"],
        dependencies=[Security(bearer)],
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "An answer sheet as JSON (the format of `yzmaturity schema answers`), "
                "or what the fill-in form saves (`format: yzmaturity-surveyjs`).",
                "content": {
                    "application/json": {
                        "schema": {"type": "object"},
                        "example": {
                            "questionnaire": "yangzhou-2022",
                            "enterprise": {
                                "name": "扬州示例机械有限公司",
                                "credit_code": "91321012743925186E",
                            },
                            "answers": {"strat_plan": "written"},
                        },
                    }
                },
            }
        },
    )
    async def add_assessment(request: Request) -> JSONResponse:
        """Score an answer sheet and store it: `201` with the id and the results."""
        body = await request.body()
        out = await run_in_threadpool(_assess_and_store, store, body)
        return JSONResponse(out, status_code=201, headers={"Location": f"/api/assessments/{out['id']}"})

    @app.get("/api/assessments/{assessment_id}", tags=["assessments"])
    def get_assessment(assessment_id: str) -> dict[str, Any]:
        """A stored assessment as it was computed: scores, level, dimensions, recommendations."""
        return _record(store, assessment_id).to_dict()

    @app.get("/api/assessments/{assessment_id}/report", response_class=HTMLResponse, tags=["assessments"])
    def report(assessment_id: str, lang: Lang = "zh") -> HTMLResponse:
        """The diagnosis report of a stored assessment, as one self-contained HTML page."""
        record = _record(store, assessment_id)
        html = store.assessment_of(record).report(lang).to_html()
        return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP})

    @app.get("/api/enterprises/{credit_code}/assessments", tags=["enterprises"])
    def history(credit_code: str) -> dict[str, Any]:
        """An enterprise's assessments, oldest first, and the comparison of the last two."""
        code = _credit_code(credit_code)
        records = store.records(code)
        comparison = note = None
        if len(records) >= 2:
            before, after = (store.assessment_of(r) for r in records[-2:])
            try:
                comparison = compare(before, after).to_dict()
            except YzMaturityError as exc:
                note = ErrorDetail(
                    Code.NOT_COMPARABLE, ("assessments",), str(exc), severity="warning"
                ).to_dict()
        return {
            "credit_code": code,
            "count": len(records),
            "assessments": [_summary(r) for r in records],
            "comparison": comparison,
            "comparison_note": note,
        }

    @app.get(
        "/api/enterprises/{credit_code}/progress-report", response_class=HTMLResponse, tags=["enterprises"]
    )
    def progress_report(credit_code: str, lang: Lang = "zh") -> HTMLResponse:
        """The progress report (T0 -> T1) of the enterprise's last two assessments, as one HTML page."""
        code = _credit_code(credit_code)
        records = store.records(code)
        if len(records) < 2:
            raise ServiceError(
                404,
                "no progress to report",
                [
                    ErrorDetail(
                        Code.NOT_FOUND,
                        ("path", "credit_code"),
                        "a progress report needs two stored assessments of the enterprise",
                        expected="at least 2",
                        got=len(records),
                    )
                ],
            )
        before, after = (store.assessment_of(r) for r in records[-2:])
        try:
            comparison = compare(before, after)
        except YzMaturityError as exc:
            detail = ErrorDetail(Code.NOT_COMPARABLE, ("path", "credit_code"), str(exc))
            raise ServiceError(422, "the last two assessments cannot be compared", [detail]) from None
        html = comparison.report(lang).to_html()
        return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP})

    @app.post(
        "/api/batch",
        tags=["batch"],
        dependencies=[Security(bearer)],
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}}, "description": "The scored table (CSV, UTF-8)."}},
    )
    def batch(
        file: Annotated[UploadFile, File(description="The wide table: .csv or .xlsx, one enterprise a row.")],
        questionnaire: Annotated[str, Form()] = "yangzhou-2022",
        lang: Annotated[Lang, Form()] = "zh",
    ) -> StreamingResponse:
        """Score a CSV/XLSX table of enterprises: the scored table back as CSV, streamed.

        Every input row comes back, in order: a bad row is marked (``valid``,
        ``errors``, ``error_summary``) and does not sink the others.  Nothing is stored.
        """
        return _batch(file, questionnaire, lang)

    app.add_middleware(BodyLimit, limit_for=limits.for_path)
    app.add_middleware(TokenGuard, token=token)
    return app


def _record(store: Store, assessment_id: str) -> StoredAssessment:
    try:
        return store.record(assessment_id)
    except NotFoundError:
        raise ServiceError(
            404,
            "unknown assessment",
            [
                ErrorDetail(
                    Code.NOT_FOUND,
                    ("path", "assessment_id"),
                    "no stored assessment has this id",
                    got=assessment_id,
                )
            ],
        ) from None


def _credit_code(code: str) -> str:
    try:
        return check_credit_code(code)
    except ValueError as exc:
        raise ServiceError(
            422,
            "invalid credit code",
            [
                ErrorDetail(
                    Code.BAD_CREDIT_CODE,
                    ("path", "credit_code"),
                    str(exc),
                    expected="a unified social credit code (GB 32100-2015, 18 characters)",
                    got=code[:40],
                )
            ],
        ) from None


def _assess_and_store(store: Store, body: bytes) -> dict[str, Any]:
    """Parse (guarded), validate, score and store one answer sheet."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ServiceError(
            422,
            "the body is not UTF-8",
            [ErrorDetail(Code.BAD_ENCODING, ("body",), str(exc), expected="UTF-8 JSON", got=None)],
        ) from None
    try:
        data = parse_text(text, fmt="json", source="request body")
    except FileLoadError as exc:
        raise ServiceError(
            422, "the body is not a JSON answer sheet", _located(exc.details, ("body",))
        ) from None
    if isinstance(data, dict) and data.get("format") == PAGE_FORMAT:  # what the fill-in form sends
        q = _builtin(str(data.get("questionnaire")), ("body", "questionnaire"))
        sheet = answers_from_surveyjs(q, data)
    else:
        sheet = answers_from_data(data, source="request body")
        q = _builtin(sheet.questionnaire, ("body", "questionnaire"))
    assessment = assess(sheet, q)
    return store.add_record(assessment).to_dict()


def _located(details: list[ErrorDetail], prefix: tuple[str | int, ...]) -> list[ErrorDetail]:
    return [ErrorDetail(d.code, prefix + d.loc, d.message, d.expected, d.got, d.severity) for d in details]


def _batch(file: UploadFile, questionnaire: str, lang: str) -> StreamingResponse:
    q = _builtin(questionnaire, ("body", "questionnaire"))
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in BATCH_FORMATS:
        raise ServiceError(
            422,
            "unsupported table format",
            [
                ErrorDetail(
                    Code.BAD_EXTENSION,
                    ("body", "file"),
                    "the upload's file name says what it is",
                    expected="a .csv or .xlsx file",
                    got=file.filename,
                )
            ],
        )
    folder = tempfile.mkdtemp(prefix="yz-batch-")
    try:
        path = Path(folder) / f"upload{suffix}"
        with open(path, "wb") as handle:
            shutil.copyfileobj(file.file, handle)
        try:
            result = score_table(q, path, lang=lang, progress=False)
        except (FileLoadError, AnswerValidationError) as exc:
            raise ServiceError(
                422, "the table cannot be scored", _located(exc.details, ("body", "file"))
            ) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    frame = escape_formulas(result.frame)

    def chunks() -> Iterator[bytes]:
        yield "\ufeff".encode()
        for start in range(0, max(len(frame), 1), BATCH_CHUNK_ROWS):
            part = frame.iloc[start : start + BATCH_CHUNK_ROWS]
            text = part.to_csv(index=False, header=start == 0, lineterminator="\n")
            yield text.encode("utf-8")

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="scored.csv"',
            "X-Rows": str(len(result)),
            "X-Invalid-Rows": str(result.n_invalid),
        },
    )


def _json_error(
    status: int, title: str, details: list[ErrorDetail], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(title, details), status_code=status, headers=headers)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(_request: Request, exc: ServiceError) -> JSONResponse:
        return _json_error(exc.status, exc.title, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _json_error(422, "invalid request", details_from_request_errors(exc.errors()))

    @app.exception_handler(YzMaturityError)
    async def _library(_request: Request, exc: YzMaturityError) -> JSONResponse:
        if isinstance(exc, StoreError):
            return _json_error(503, "the store failed", [ErrorDetail(Code.STORE_ERROR, (), str(exc))])
        if isinstance(exc, NotFoundError):
            return _json_error(404, str(exc), [ErrorDetail(Code.NOT_FOUND, (), str(exc), got=exc.name)])
        details = list(getattr(exc, "details", []))
        if isinstance(exc, ReportError) or not details:
            details = details or [ErrorDetail(Code.INVALID, (), str(exc))]
        return _json_error(422, getattr(exc, "title", str(exc)), details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: Code.NOT_FOUND, 405: Code.METHOD_NOT_ALLOWED}.get(
            exc.status_code, f"http_{exc.status_code}"
        )
        return _json_error(
            exc.status_code,
            str(exc.detail),
            [ErrorDetail(code, (), str(exc.detail))],
            dict(exc.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _internal(_request: Request, exc: Exception) -> JSONResponse:
        return _json_error(
            500,
            "internal error",
            [ErrorDetail(Code.INTERNAL_ERROR, (), f"{type(exc).__name__} (see the server log)")],
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(
    host: str = "127.0.0.1",
    port: int = 8000,
    db: str = "sqlite:///assessments.db",
    token: str | None = None,
    *,
    limits: Limits | None = None,
    log_level: str = "info",
) -> None:
    """Serve the app with uvicorn until interrupted (``yzmaturity serve``)."""
    uvicorn = require("uvicorn", "yzmaturity serve", "serve")
    if token is None:
        token = os.environ.get(TOKEN_ENV) or None
    if not _is_loopback(host) and not token:
        print(
            f"warning: serving on {host} without a token: anyone who can reach it can write "
            f"(set --token or {TOKEN_ENV})",
            file=sys.stderr,
        )
    app = create_app(db, token=token or "", limits=limits)
    print(
        f"yzmaturity {__version__}: store {app.state.store.url}; API docs at http://{host}:{port}/docs",
        file=sys.stderr,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        server_header=False,
        proxy_headers=False,
        timeout_keep_alive=5,
        limit_concurrency=MAX_CONNECTIONS,
    )
