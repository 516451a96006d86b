"""A progress bar on standard error (tqdm) for long table runs, shown only when it helps."""

from __future__ import annotations

import sys
from typing import Any

from .._optional import require

__all__ = ["AUTO_PROGRESS_BYTES", "AUTO_PROGRESS_ROWS", "Progress", "file_bar"]

AUTO_PROGRESS_ROWS = 100_000
AUTO_PROGRESS_BYTES = 64 * 1024**2


class Progress:
    def __init__(self, enabled: bool | None, n_rows: int, total: int) -> None:
        if enabled is None:
            enabled = n_rows > AUTO_PROGRESS_ROWS and _stderr_is_terminal() and _has_tqdm()
        self.bar: Any = None
        if enabled:
            tqdm = require("tqdm.auto", "progress bars", "progress").tqdm
            self.bar = tqdm(total=total, desc="validate", unit="step", file=sys.stderr, leave=False)

    def step(self, stage: str, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.set_description(stage, refresh=False)
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def file_bar(enabled: bool | None, total_bytes: int, desc: str) -> Any:
    """A tqdm bar (``tqdm.auto``: a widget in a notebook) over the bytes of an input file, or None.

    ``enabled`` None: only for files over :data:`AUTO_PROGRESS_BYTES` when
    standard error is a terminal and tqdm is installed.
    """
    if enabled is None:
        enabled = total_bytes > AUTO_PROGRESS_BYTES and _stderr_is_terminal() and _has_tqdm()
    if not enabled:
        return None
    tqdm = require("tqdm.auto", "progress bars", "progress").tqdm
    return tqdm(
        total=total_bytes,
        desc=desc,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        leave=False,
    )


def _stderr_is_terminal() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


def _has_tqdm() -> bool:
    import importlib.util

    return importlib.util.find_spec("tqdm") is not None
