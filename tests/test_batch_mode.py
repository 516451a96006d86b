"""Batch mode: what it changes while a large batch runs, and that it puts everything back."""

from __future__ import annotations

import gc
import threading

import pytest

from yzmaturity._batch_mode import BATCH_ROWS, batch_mode

multiarray = pytest.importorskip("numpy._core.multiarray")


def _hugepages_advised() -> bool:
    previous = bool(multiarray._set_madvise_hugepage(True))
    multiarray._set_madvise_hugepage(previous)
    return previous


def test_small_batches_change_nothing():
    assert gc.isenabled()
    advised = _hugepages_advised()
    with batch_mode(BATCH_ROWS):
        assert gc.isenabled()
        assert _hugepages_advised() == advised


def test_large_batch_pauses_gc_and_huge_page_advice_then_restores_them():
    advised = _hugepages_advised()
    with batch_mode(BATCH_ROWS + 1):
        assert not gc.isenabled()
        assert not _hugepages_advised()
        with batch_mode(BATCH_ROWS + 1):  # nested: the inner exit restores nothing yet
            pass
        assert not gc.isenabled()
        assert not _hugepages_advised()
    assert gc.isenabled()
    assert _hugepages_advised() == advised


def test_a_setting_the_caller_made_stays():
    previous = bool(multiarray._set_madvise_hugepage(False))
    gc.disable()
    try:
        with batch_mode(BATCH_ROWS + 1):
            pass
        assert not gc.isenabled()
        assert not _hugepages_advised()
    finally:
        gc.enable()
        multiarray._set_madvise_hugepage(previous)


def test_threads_share_one_batch_mode():
    """Two threads in batch mode at once: the last one out restores."""
    inside = threading.Barrier(2)
    leave = threading.Event()
    seen: list[bool] = []

    def worker() -> None:
        with batch_mode(BATCH_ROWS + 1):
            inside.wait()
            leave.wait()
        seen.append(gc.isenabled())

    first = threading.Thread(target=worker)
    first.start()
    with batch_mode(BATCH_ROWS + 1):
        inside.wait()
        leave.set()
        first.join()
        assert not gc.isenabled()  # the other thread left; this one is still inside
    assert seen == [False]
    assert gc.isenabled()


def test_large_batch_runs_blas_on_one_thread_then_restores_it():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = threadpoolctl.threadpool_info()
    if not any(lib["user_api"] == "blas" for lib in blas):
        pytest.skip("no BLAS library found by threadpoolctl")

    def threads() -> list[int]:
        return [lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"]

    with threadpoolctl.threadpool_limits(2, user_api="blas"):  # a caller's setting, above one
        before = threads()
        for _ in range(2):  # the second time with the libraries found the first time
            with batch_mode(BATCH_ROWS + 1):
                assert threads() == [1] * len(before)
            assert threads() == before
