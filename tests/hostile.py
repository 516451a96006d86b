"""Helpers of the hostile corpus (tests/test_hostile_*.py): fixtures built at test time, a hang guard."""

from __future__ import annotations

import contextlib
import copy
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from conftest import DATA

MINI = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))


def mini_data() -> dict[str, Any]:
    """A deep copy of tests/data/mini.yaml as plain data, to break."""
    return copy.deepcopy(MINI)


def question(data: dict[str, Any], qid: str) -> dict[str, Any]:
    """The question ``qid`` inside questionnaire data (to change it in place)."""
    stack = list(data["dimensions"])
    while stack:
        dim = stack.pop()
        stack.extend(dim.get("dimensions", []))
        for q in dim.get("questions", []):
            if q["id"] == qid:
                return q
    raise KeyError(qid)


def dimension(data: dict[str, Any], did: str) -> dict[str, Any]:
    stack = list(data["dimensions"])
    while stack:
        dim = stack.pop()
        if dim["id"] == did:
            return dim
        stack.extend(dim.get("dimensions", []))
    raise KeyError(did)


@contextlib.contextmanager
def no_hang(seconds: int = 60) -> Iterator[None]:
    """Fail instead of hanging (a FIFO read, /dev/zero): SIGALRM in the main thread."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"hung for more than {seconds} s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def write_yaml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
