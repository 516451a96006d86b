"""Benchmark: the HTTP service under load (issue #15, section 4).

Run:  python bench/bench_serve.py [--n 1000] [--clients 8] [--db URL] [--json bench/results/serve.json]

Starts ``yzmaturity serve`` as a process on a free loopback port (127.0.0.1
only) over a fresh SQLite file in a temporary folder (or ``--db``, e.g. an
empty PostgreSQL database), then ``--clients`` threads, each with its own
keep-alive connection, POST ``--n`` answer sheets between them (the three
bundled examples, spread over 50 enterprises).  Reports p50/p90/p99 latency,
throughput, and checks, after stopping the server, that every one of the
``--n`` assessments is in the database under the id the server returned.

Peers measured in the same run, on the same machine: the same work without
HTTP (``assess`` + ``Store.add`` in this process, one at a time, on a second
fresh database of the same kind) and the HTTP floor (``GET /openapi.json``,
a cached answer).  Bounded: at most 10,000 requests, 30 s per request, 600 s
in all.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yzmaturity as yz  # noqa: E402

MAX_N = 10_000
REQUEST_TIMEOUT = 30.0
DEADLINE = 600.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    env.pop("YZMATURITY_TOKEN", None)
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed with the process
    cmd = [
        sys.executable,
        "-m",
        "yzmaturity",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--db",
        db,
    ]
    proc = subprocess.Popen(cmd, cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {(folder / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def credit_code(i: int) -> str:
    body = f"913210{i:011d}"
    return body + yz.credit_code_check_char(body)


def sheets(n: int) -> list[dict]:
    base = [yz.load_answers(yz.example_path(name)).dump() for name in yz.list_examples()]
    out = []
    for i in range(n):
        data = json.loads(json.dumps(base[i % len(base)]))
        data["enterprise"]["credit_code"] = credit_code(i % 50)
        out.append(data)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def load(base: str, work: list[dict], clients: int) -> tuple[list[float], list[str], list[str], float]:
    latencies: list[float] = []
    ids: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    cursor = iter(range(len(work)))
    stop_at = time.monotonic() + DEADLINE

    def client() -> None:
        with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as c:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                try:
                    r = c.post("/api/assessments", json=work[i])
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                dt = time.perf_counter() - t0
                with lock:
                    if r.status_code == 201:
                        latencies.append(dt)
                        ids.append(r.json()["id"])
                    else:
                        errors.append(f"{r.status_code}: {r.text[:200]}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, ids, errors, time.perf_counter() - start


def http_floor(base: str, n: int = 200) -> float:
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as c:
        c.get("/openapi.json")
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            c.get("/openapi.json")
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def in_process(db: str, work: list[dict]) -> float:
    """Seconds per sheet for assess + Store.add without HTTP, one at a time."""
    with yz.Store(db) as store:
        store.add(yz.assess(work[0]))  # warm: questionnaire stored, catalog loaded
        t0 = time.perf_counter()
        for data in work:
            store.add(yz.assess(data))
        return (time.perf_counter() - t0) / len(work)


def _durability(store: yz.Store) -> str:
    """How commits reach the disk (PostgreSQL's fsync may be off on a throwaway test cluster)."""
    import sqlalchemy as sa

    with store._engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            fsync = conn.execute(sa.text("SHOW fsync")).scalar()
            sync = conn.execute(sa.text("SHOW synchronous_commit")).scalar()
            return f"fsync={fsync}, synchronous_commit={sync}"
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        level = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        return f"journal_mode={mode}, synchronous={ {0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA'}.get(level, level) }"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--db", help="an empty database URL (default: a fresh SQLite file)")
    parser.add_argument("--peer-db", help="another empty database for the in-process peer (default: SQLite)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    n = max(1, min(args.n, MAX_N))
    clients = max(1, min(args.clients, 64))
    work = sheets(n)
    with tempfile.TemporaryDirectory(prefix="yz-bench-serve-") as tmp:
        folder = Path(tmp)
        db = args.db or f"sqlite:///{folder / 'assessments.db'}"
        proc, base = start_server(db, folder)
        try:
            floor = http_floor(base)
            latencies, ids, errors, wall = load(base, work, clients)
        finally:
            stop_server(proc)
        with yz.Store(db) as store:  # after the server stopped: what is on disk
            stored = store.count()
            found = sum(1 for key in ids if store.record(key).id == key)
            durability = _durability(store)
        peer_db = args.peer_db or f"sqlite:///{folder / 'peer.db'}"
        per_sheet = in_process(peer_db, work[: min(200, n)])
    throughput = len(latencies) / wall
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}",
        "database": db.split(":", 1)[0],
        "durability": durability,
        "requests": n,
        "clients": clients,
        "ok": len(latencies),
        "errors": len(errors),
        "wall_s": round(wall, 3),
        "throughput_per_s": round(throughput, 1),
        "latency_p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "latency_p90_ms": round(percentile(latencies, 90) * 1000, 2),
        "latency_p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "latency_max_ms": round(max(latencies) * 1000, 2),
        "stored_after_stop": stored,
        "returned_ids_found": found,
        "all_stored": stored == n and found == n,
        "http_floor_p50_ms": round(floor * 1000, 3),
        "in_process_add_ms": round(per_sheet * 1000, 2),
        "in_process_per_s": round(1 / per_sheet, 1),
        "http_vs_in_process_throughput": round(throughput * per_sheet, 2),
    }
    if errors:
        result["first_errors"] = errors[:5]
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0 if result["all_stored"] and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
