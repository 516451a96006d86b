"""The HTTP service for real: ``yzmaturity serve`` as a process on a loopback port, over a real
database (a SQLite file, and PostgreSQL when CI started one), spoken to over HTTP."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest
from databases import BACKENDS, database_url

import yzmaturity as yz

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("sqlalchemy")

from servers import Server  # noqa: E402  (needs httpx)

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = ["yangzhou-autoparts", "yangzhou-equipment", "yangzhou-toothbrush"]


def new_credit_code(rng: random.Random) -> str:
    body = "91321" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(12))
    return body + yz.credit_code_check_char(body)


def sheet_data(name: str = "yangzhou-autoparts", **enterprise: object) -> dict:
    data = yz.load_answers(yz.example_path(name)).dump()
    data["enterprise"].update(enterprise)
    return data


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    yield from database_url(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module")
def server(db, tmp_path_factory):
    with Server(db, tmp_path_factory.mktemp("serve"), token=TOKEN) as s:
        yield s


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.base, timeout=60) as c:
        yield c


@pytest.fixture
def rng():
    return random.Random()


def assert_error(response, status: int, code: str, loc: list | None = None) -> dict:
    """The one error shape: a title and ErrorDetail dicts (code, loc, message, expected, got)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["title"], str) and body["detail"]
    for d in body["detail"]:
        assert {"code", "loc", "message", "expected", "got", "severity"} <= set(d)
    codes = [(d["code"], d["loc"]) for d in body["detail"]]
    assert any(c == code and (loc is None or where == loc) for c, where in codes), codes
    return body


# --------------------------------------------------------------------------- reading the catalogue
def test_questionnaires_list_and_outline(client):
    listing = client.get("/api/questionnaires").json()
    q = yz.load_questionnaire("yangzhou-2022")
    entry = next(x for x in listing if x["id"] == "yangzhou-2022")
    assert entry["hash"] == q.content_hash and entry["questions"] == len(q.questions)
    outline = client.get("/api/questionnaires/yangzhou-2022", params={"lang": "en"}).json()
    assert outline["hash"] == q.content_hash
    assert [d["id"] for d in outline["definition"]["dimensions"]] == [d.id for d in q.dimensions]
    assert q.title.en in outline["outline"]
    assert_error(
        client.get("/api/questionnaires/nope"), 404, "unknown_questionnaire", ["path", "questionnaire_id"]
    )


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    assert {
        "/api/assessments",
        "/api/assessments/{assessment_id}",
        "/api/assessments/{assessment_id}/report",
        "/api/enterprises/{credit_code}/assessments",
        "/api/batch",
        "/api/questionnaires",
    } <= set(spec["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


# --------------------------------------------------------------------------- writing and reading back
def test_post_fetch_report(client, rng):
    data = sheet_data(credit_code=new_credit_code(rng))
    expected = yz.assess(data)
    r = client.post("/api/assessments", json=data, headers=AUTH)
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == f"/api/assessments/{body['id']}"
    assert body["overall"] == round(expected.overall, 2)
    assert body["level"]["number"] == expected.level.number
    assert set(body["dimensions"]) == set(expected.dimensions)
    assert [c["category"] for c in body["recommendations"]] == [c.category for c in expected.recommendations]
    assert body["questionnaire"]["hash"] == expected.questionnaire_hash

    fetched = client.get(f"/api/assessments/{body['id']}")
    assert fetched.status_code == 200 and fetched.json() == body

    for lang in ("zh", "en"):
        page = client.get(f"/api/assessments/{body['id']}/report", params={"lang": lang})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert f'<html lang="{lang}' in page.text and data["enterprise"]["name"] in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]


def test_the_official_result_comes_with_ours(client, rng):
    """A questionnaire with an official instrument (yangzhou-2024 links MIIT 2024): both results."""
    data = sheet_data("yangzhou-2024-example", credit_code=new_credit_code(rng))
    expected = yz.assess(data)
    assert expected.official is not None
    r = client.post("/api/assessments", json=data, headers=AUTH)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["official"] == expected.to_dict()["official"]
    assert body["official"]["overall"] == 74.4 and body["official"]["level"]["number"] == 3  # docs/miit.md
    assert client.get(f"/api/assessments/{body['id']}").json()["official"] == body["official"]


def test_history_oldest_first_with_comparison(client, rng):
    code = new_credit_code(rng)
    t0 = sheet_data(credit_code=code) | {"date": "2024-04-01"}
    t1 = sheet_data(credit_code=code) | {"date": "2025-04-01"}
    t1["answers"] = sheet_data("yangzhou-equipment")["answers"]
    ids = {}
    for sheet in (t1, t0):  # posted newest first: the history still runs oldest first
        r = client.post("/api/assessments", json=sheet, headers=AUTH)
        assert r.status_code == 201, r.text
        ids[sheet["date"]] = r.json()["id"]
    history = client.get(f"/api/enterprises/{code.lower()}/assessments").json()
    assert history["credit_code"] == code and history["count"] == 2
    assert [a["id"] for a in history["assessments"]] == [ids["2024-04-01"], ids["2025-04-01"]]
    expected = yz.compare(yz.assess(t0), yz.assess(t1))
    assert history["comparison"]["overall"] == expected.overall.to_dict()
    assert history["comparison"]["level"]["change"] == expected.level_change
    assert set(history["comparison"]["answers_changed"]) == set(expected.answers_changed)

    page = client.get(f"/api/enterprises/{code}/progress-report", params={"lang": "en"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="en' in page.text and t0["enterprise"]["name"] in page.text
    assert "2024-04-01" in page.text and "2025-04-01" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]

    empty = client.get(f"/api/enterprises/{new_credit_code(rng)}/assessments").json()
    assert empty["count"] == 0 and empty["comparison"] is None
    assert_error(
        client.get("/api/enterprises/12345/assessments"), 422, "bad_credit_code", ["path", "credit_code"]
    )
    assert_error(client.get(f"/api/enterprises/{new_credit_code(rng)}/progress-report"), 404, "not_found")
    wrong_check = code[:17] + ("0" if code[17] != "0" else "1")
    assert_error(client.get(f"/api/enterprises/{wrong_check}/assessments"), 422, "bad_credit_code")


# --------------------------------------------------------------------------- bad input
def test_bad_sheets_are_422_with_the_library_details(client):
    bad_option = sheet_data()
    first = next(iter(bad_option["answers"]))
    bad_option["answers"][first] = "no-such-option"
    body = assert_error(client.post("/api/assessments", json=bad_option, headers=AUTH), 422, "unknown_option")
    detail = next(d for d in body["detail"] if d["code"] == "unknown_option")
    assert detail["loc"] == ["answers", first] and detail["got"] == "no-such-option"
    assert detail["expected"].startswith("one of")

    no_name = sheet_data()
    del no_name["enterprise"]["name"]
    assert_error(
        client.post("/api/assessments", json=no_name, headers=AUTH), 422, "missing", ["enterprise", "name"]
    )

    post = lambda content: client.post("/api/assessments", content=content, headers=AUTH)  # noqa: E731
    assert_error(post(b"{not json"), 422, "bad_json", ["body"])
    assert_error(post(b"\xff\xfe"), 422, "bad_encoding", ["body"])
    assert_error(post(b"[" * 5000 + b"]" * 5000), 422, "too_deep", ["body"])
    assert_error(post(b'{"a": 1, "a": 2}'), 422, "duplicate_key", ["body"])
    assert_error(post(b"[1, 2]"), 422, "wrong_type")
    path_like = sheet_data() | {"questionnaire": "../../etc/passwd.yaml"}
    assert_error(
        client.post("/api/assessments", json=path_like, headers=AUTH),
        422,
        "unknown_questionnaire",
        ["body", "questionnaire"],
    )
    assert_error(client.get("/api/assessments/" + "0" * 32), 404, "not_found", ["path", "assessment_id"])
    assert_error(
        client.get("/api/assessments/x/report", params={"lang": "fr"}),
        422,
        "literal_error",
        ["query", "lang"],
    )
    # and the server keeps serving
    assert client.get("/api/questionnaires").status_code == 200


def test_writes_need_the_token_reads_do_not(client):
    data = sheet_data()
    assert_error(client.post("/api/assessments", json=data), 401, "unauthorized", ["header", "authorization"])
    r = client.post("/api/assessments", json=data, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert_error(client.post("/api/batch", files={"file": ("t.csv", b"name\nx\n")}), 401, "unauthorized")
    assert client.get("/api/questionnaires").status_code == 200


def test_request_size_limits(client):
    big = sheet_data() | {"note": "x" * 1_100_000}
    assert_error(client.post("/api/assessments", json=big, headers=AUTH), 413, "body_too_large", ["body"])

    def chunked():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b" " * 50_000

    assert_error(client.post("/api/assessments", content=chunked(), headers=AUTH), 413, "body_too_large")
    assert client.get("/api/questionnaires").status_code == 200


# --------------------------------------------------------------------------- batch
PROFILE_FIELDS = (
    "name",
    "credit_code",
    "region",
    "industry",
    "employees",
    "revenue_yuan",
    "rnd",
    "diagnosed",
    "planned_investment_yuan",
    "years_operating",
)


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return str(value)


def wide_row(sheet: yz.AnswerSheet) -> dict[str, str]:
    """A sheet as a row of the wide table (every cell as text, as a CSV holds it)."""
    e = sheet.enterprise
    row = {field: cell(getattr(e, field)) for field in PROFILE_FIELDS}
    row["roles"] = ";".join(str(r) for r in e.roles)
    row["certifications"] = ";".join(e.certifications)
    for qid, a in sheet.answers.items():
        row[qid] = "n/a" if a.not_applicable else cell(a.value)
    return row


def test_batch_csv_and_xlsx_are_scored_and_streamed(client):
    pd = pytest.importorskip("pandas")
    sheets = [yz.load_answers(yz.example_path(n)) for n in EXAMPLES]
    rows = [wide_row(s) for s in sheets]
    bad = dict(rows[0], name="坏行", **{next(iter(sheets[0].answers)): "no-such-option"})
    frame = pd.DataFrame([*rows, bad], dtype=object).fillna("")
    frame.loc[len(frame)] = ["@SUM(A1)"] + [""] * (frame.shape[1] - 1)  # a formula, and no answers
    expected = [round(yz.assess(s).overall, 2) for s in sheets]

    csv = frame.to_csv(index=False).encode()
    xlsx = io.BytesIO()
    frame.to_excel(xlsx, index=False)
    for name, content in (("enterprises.csv", csv), ("enterprises.xlsx", xlsx.getvalue())):
        r = client.post(
            "/api/batch",
            files={"file": (name, content)},
            data={"questionnaire": "yangzhou-2022"},
            headers=AUTH,
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/csv") and r.headers["x-rows"] == "5"
        assert r.headers["x-invalid-rows"] == "2"
        out = pd.read_csv(io.StringIO(r.content.decode("utf-8-sig")), dtype=str, keep_default_na=False)
        assert len(out) == 5
        assert [round(float(x), 2) for x in out["overall"][:3]] == expected
        assert list(out["valid"]) == ["True", "True", "True", "False", "False"]
        assert "unknown_option" in out["error_summary"][3]
        assert out["name"][4] == "'@SUM(A1)"  # formula-guarded

    assert_error(
        client.post("/api/batch", files={"file": ("t.txt", b"x")}, headers=AUTH),
        422,
        "bad_extension",
        ["body", "file"],
    )
    assert_error(
        client.post("/api/batch", data={"questionnaire": "yangzhou-2022"}, headers=AUTH), 422, "missing"
    )
    wrong_columns = b"name,no_such_column\nx,1\n"
    r = client.post("/api/batch", files={"file": ("t.csv", wrong_columns)}, headers=AUTH)
    assert_error(r, 422, "unknown_column")


# --------------------------------------------------------------------------- concurrency and restarts
def test_concurrent_posts_are_all_stored(client, server, rng):
    code = new_credit_code(rng)
    data = sheet_data(credit_code=code)

    def post(i: int) -> str:
        with httpx.Client(base_url=server.base, timeout=60) as c:
            r = c.post("/api/assessments", json=data, headers=AUTH)
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

    with ThreadPoolExecutor(6) as pool:
        ids = list(pool.map(post, range(24)))
    assert len(set(ids)) == 24
    history = client.get(f"/api/enterprises/{code}/assessments").json()
    assert history["count"] == 24 and {a["id"] for a in history["assessments"]} == set(ids)


def test_nothing_lost_across_a_restart(db, tmp_path, rng):
    code = new_credit_code(rng)
    data = sheet_data(credit_code=code)
    server = Server(db, tmp_path, token=TOKEN)
    with server, httpx.Client(base_url=server.base, timeout=60) as c:
        r = c.post("/api/assessments", json=data, headers=AUTH)
        assert r.status_code == 201
        first = r.json()
    assert server.stop() is None  # stopped by the with block
    with server, httpx.Client(base_url=server.base, timeout=60) as c:
        again = c.get(f"/api/assessments/{first['id']}")
        assert again.status_code == 200 and again.json() == first
        assert c.get(f"/api/enterprises/{code}/assessments").json()["count"] == 1
        report = c.get(f"/api/assessments/{first['id']}/report")
        assert report.status_code == 200 and data["enterprise"]["name"] in report.text


def test_default_database_is_a_wal_sqlite_file_in_the_working_folder(tmp_path):
    server = Server("sqlite:///assessments.db", tmp_path, token=None)
    with server, httpx.Client(base_url=server.base, timeout=60) as c:
        r = c.post("/api/assessments", json=sheet_data())  # no token set: writes are open
        assert r.status_code == 201
        key = r.json()["id"]
    path = tmp_path / "assessments.db"
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        row = con.execute("SELECT id, questionnaire_id, created_at FROM yz_assessments").fetchone()
    finally:
        con.close()
    assert row[0] == key and row[1] == "yangzhou-2022"
    created = dt.datetime.fromisoformat(row[2])
    assert abs(created.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)
    assert "127.0.0.1" in (tmp_path / "server.log").read_text()


def test_token_from_the_environment(tmp_path):
    server = Server(f"sqlite:///{tmp_path / 'a.db'}", tmp_path, env={"YZMATURITY_TOKEN": "from-env"})
    with server, httpx.Client(base_url=server.base, timeout=60) as c:
        assert_error(c.post("/api/assessments", json=sheet_data()), 401, "unauthorized")
        ok = c.post("/api/assessments", json=sheet_data(), headers={"Authorization": "Bearer from-env"})
        assert ok.status_code == 201
        assert json.loads(c.get(f"/api/assessments/{ok.json()['id']}").text)["id"] == ok.json()["id"]
