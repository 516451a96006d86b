"""One BLAS thread for the small matrix products of batch scoring and matching."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any

__all__ = ["ONE_THREAD_ROWS", "one_blas_thread"]

ONE_THREAD_ROWS = 8192  # batches larger than this run their matrix products on one BLAS thread


def one_blas_thread(n_rows: int) -> AbstractContextManager[Any]:
    """A context in which BLAS (the matrix products of scoring and matching) uses one thread.

    The products are small (a chunk of rows by the questions); BLAS threads on
    them cost more than they give, and on a busy machine (more runnable
    threads than cores) its spinning threads made scoring three times slower
    (measured in bench/).  The results are the same bit for bit: each row's
    sums are done by one thread either way.  Needs ``threadpoolctl``; without
    it, or for a few rows (one enterprise), nothing changes.  Safe to enter
    from several threads at once: the first in sets the limit, the last out
    restores what was there.
    """
    if n_rows <= ONE_THREAD_ROWS:
        return nullcontext()
    return _ONE_THREAD


class _OneBlasThread(AbstractContextManager[Any]):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.limits: Any = None

    def __enter__(self) -> None:
        with self.lock:
            if self.depth == 0:
                try:
                    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
                except ImportError:  # pragma: no cover - a dependency, but scoring works without it
                    self.limits = None
                else:
                    self.limits = threadpool_limits(1, user_api="blas")
            self.depth += 1

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.limits is not None:
                self.limits.restore_original_limits()
                self.limits = None


_ONE_THREAD = _OneBlasThread()
