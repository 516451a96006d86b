"""Batch mode: one BLAS thread, no cyclic garbage collection, no huge-page advice while a large batch is scored."""

from __future__ import annotations

import functools
import gc
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

__all__ = [
    "AUTO_THREADS_MIN_CHUNKS",
    "BATCH_ROWS",
    "CACHE_CHUNK",
    "THREADED_CHUNK",
    "batch_mode",
    "chunk_plan",
    "chunk_threads",
    "run_alongside",
    "run_chunks",
]

T = TypeVar("T")
U = TypeVar("U")

BATCH_ROWS = 8192  # batches larger than this run in batch mode

AUTO_THREADS_MIN_CHUNKS = 8
"""From this many chunks ``workers=None`` runs on two threads (fewer: one): on the 2-core bench
machine, quiet, 1,000,000 pre-encoded rows took 0.81-0.85 s to score on two threads against
1.17-1.27 s on one (numpy releases the GIL in its kernels; the Python between them does not, so
more threads than two gain little)."""


CACHE_CHUNK = 4096
"""Rows per chunk on one thread: a chunk's temporaries stay in the core's cache (measured in bench/)."""

THREADED_CHUNK = 16384
"""The most rows per chunk when chunks are scored on several threads.  Between numpy's kernels
(which release the GIL) each thread runs Python that holds it; larger chunks make fewer such
stretches.  Two threads, 1,000,000 pre-encoded rows, five runs in alternation on the 2-core bench
machine: chunks of 4,096 rows 1.76-2.29 s, 8,192 1.45-1.70 s, 16,384 1.28-1.56 s, 65,536 about 2 s
(out of cache); on one thread 4,096 stays the best (2.1-2.5 s against 3.1 s for 16,384)."""


def chunk_plan(n_rows: int, chunk_size: int | None, workers: int | None) -> tuple[int, int]:
    """(rows per chunk, threads) to score ``n_rows`` rows.

    ``chunk_size`` given: that, on :func:`chunk_threads` threads.  Otherwise
    ``workers`` threads (None: two), as many as the cores and each with at
    least :data:`CACHE_CHUNK` rows; on one thread chunks of ``CACHE_CHUNK``,
    on more the rows split evenly into a multiple of the threads' count, each
    chunk at most :data:`THREADED_CHUNK` rows.
    """
    if chunk_size is not None:
        return chunk_size, chunk_threads(workers, -(-n_rows // chunk_size))
    wanted = 2 if workers is None else workers
    threads = max(1, min(wanted, os.cpu_count() or 1, n_rows // CACHE_CHUNK))
    if threads == 1:
        return CACHE_CHUNK, 1
    rounds = -(-n_rows // (THREADED_CHUNK * threads))
    return -(-n_rows // (rounds * threads)), threads


def chunk_threads(workers: int | None, n_chunks: int, auto_from: int = AUTO_THREADS_MIN_CHUNKS) -> int:
    """Threads for ``n_chunks`` independent chunks of a batch: ``workers`` (None: two from ``auto_from``
    chunks on, else one), never more than the cores or the chunks."""
    if workers is None:
        workers = 2 if n_chunks >= auto_from else 1
    if n_chunks < 2:
        return 1
    return max(1, min(workers, os.cpu_count() or 1, n_chunks))


def run_chunks(work: Callable[[int], None], starts: Iterable[int], threads: int) -> None:
    """``work(start)`` for every chunk start, on the calling thread and ``threads - 1`` helpers.

    The helpers are the threads of one pool kept for the process: starting a
    thread took about 3 ms on the bench VM, a third of the time to score
    10,000 rows on two fresh threads.  The calling thread takes chunks too,
    so a call never waits for a helper busy with another call's chunks.
    Returns once every chunk is done.  If a chunk raises, the chunks not yet
    taken are dropped and, once those running have ended (nothing writes
    after the call), the error is raised.
    """
    if threads <= 1:
        for start in starts:
            work(start)
        return
    pending = iter(starts)
    lock = threading.Lock()

    def take_chunks() -> None:
        while True:
            with lock:
                start = next(pending, None)
            if start is None:
                return
            work(start)

    helpers = [_helper_pool().submit(take_chunks) for _ in range(threads - 1)]
    try:
        take_chunks()
    finally:
        # A helper not started yet (the pool busy elsewhere) is not waited for; a started one is,
        # so that no helper writes after we return.
        errors = [None if f.cancel() else f.exception() for f in helpers]
    for error in errors:
        if error is not None:
            raise error


def run_alongside(
    background: Callable[[], T], foreground: Callable[[], U], *, together: bool = True
) -> tuple[T, U]:
    """``foreground()`` on the calling thread while a helper runs ``background()``; both results.

    Two independent stages of one call (the profile columns and the answers
    of a table; its error table and its matching) overlap where their work
    releases the GIL (pyarrow, numpy, page faults).  A helper busy elsewhere
    is not waited for: ``background`` then runs here after ``foreground``,
    as it always does with ``together`` False.  Either stage's error is
    raised once both have ended (nothing runs after the call returns),
    ``foreground``'s first.
    """
    if not together:
        done = foreground()
        return background(), done
    future = _helper_pool().submit(background)
    try:
        done = foreground()
    finally:
        started = not future.cancel()
        if started:
            wait([future])
    return (future.result() if started else background()), done


@functools.cache
def _helper_pool() -> ThreadPoolExecutor:
    """The helper threads of :func:`run_chunks` and :func:`run_alongside`, made when first needed (one fewer
    than the cores)."""
    return ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 1) - 1), thread_name_prefix="yz-chunks")


if hasattr(os, "register_at_fork"):  # a forked child has none of the parent's threads: a new pool there
    os.register_at_fork(after_in_child=_helper_pool.cache_clear)


def batch_mode(n_rows: int) -> AbstractContextManager[Any]:
    """A context for scoring a large batch: one BLAS thread, the cyclic garbage collector paused.

    * BLAS: the matrix products of scoring and matching are small (a chunk of
      rows by the questions); BLAS threads on them cost more than they give,
      and on a busy machine (more runnable threads than cores) its spinning
      threads made scoring three times slower (measured in bench/).  The
      results are the same bit for bit: each row's sums are done by one thread
      either way.  Needs ``threadpoolctl``; without it nothing changes there.
    * Garbage collection: a batch creates hundreds of thousands of small
      objects (one per problem found) that hold no reference cycles, and every
      few hundred of them Python's collector would walk every live object
      again: 10-25 % of the time of a batch (bench/bench_city.py).  Reference
      counting still frees everything as usual; only the cycle search waits
      until the batch is done.
    * Huge pages: numpy advises the kernel to back each large array with huge
      pages.  Where the kernel compacts memory on such a fault (Linux THP with
      ``defrag`` set to ``madvise``, a common default), the first touch of a
      batch's matrices stalls: 1.0 s against 0.17 s for a 550 MB matrix, and
      a dict of columns scored 15 % faster without the advice (measured in
      bench/).  The advice is off while batches run and restored after; without
      numpy's switch (an older or newer numpy) nothing changes there.

    For a few rows (one enterprise) nothing changes.  Safe to enter from
    several threads at once: the first in sets both, the last out restores
    what was there (a collector already disabled by the caller stays so).
    """
    if n_rows <= BATCH_ROWS:
        return nullcontext()
    return _BATCH_MODE


class _BatchMode(AbstractContextManager[Any]):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.limits: Any = None
        self.gc_was_enabled = False
        self.hugepages_were_advised: bool | None = None

    def __enter__(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.gc_was_enabled = gc.isenabled()
                gc.disable()
                controller = _blas_controller()
                self.limits = None if controller is None else controller.limit(limits=1, user_api="blas")
                self.hugepages_were_advised = _advise_hugepages(False)
            self.depth += 1

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0:
                if self.limits is not None:
                    self.limits.restore_original_limits()
                    self.limits = None
                if self.gc_was_enabled:
                    gc.enable()
                if self.hugepages_were_advised is not None:
                    _advise_hugepages(self.hugepages_were_advised)
                    self.hugepages_were_advised = None


@functools.cache
def _blas_controller() -> Any:
    """threadpoolctl's view of the BLAS libraries loaded, found once: finding them takes 0.2-0.7 ms,
    5 % of the time to score 10,000 rows (measured); None without threadpoolctl.

    The BLAS that scoring uses is numpy's, loaded with numpy, before any batch.
    """
    try:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a dependency, but scoring works without it
        return None
    return ThreadpoolController()


def _advise_hugepages(enabled: bool) -> bool | None:
    """Set numpy's huge-page advice for new arrays; the previous setting, or None without the switch."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - a numpy without it: the kernel's default stays
        return None
    return bool(_set_madvise_hugepage(enabled))


_BATCH_MODE = _BatchMode()
