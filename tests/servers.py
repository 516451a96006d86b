"""A real ``yzmaturity serve`` process on a free loopback port, for the service tests and the bench."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``python -m yzmaturity serve`` in ``folder`` (its working folder), started and stopped for real."""

    def __init__(
        self,
        db: str,
        folder: Path,
        token: str | None = None,
        extra: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.db, self.folder, self.token, self.extra = db, folder, token, extra
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log = folder / "server.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> Server:
        self.port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "yzmaturity",
            "serve",
            "--port",
            str(self.port),
            "--db",
            self.db,
            *self.extra,
        ]
        if self.token is not None:
            cmd += ["--token", self.token]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env.pop("YZMATURITY_TOKEN", None)
        env.update(self.env)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(self.base + "/api/questionnaires", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGINT (as Ctrl+C), then wait; killed if it hangs."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        return proc.returncode

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
