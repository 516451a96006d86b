"""Batch mode: what it changes while a large batch runs, and that it puts everything back."""

from __future__ import annotations

import gc
import os
import threading
from typing import Any

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


def test_chunks_run_once_each_on_the_caller_and_the_helpers():
    from yzmaturity._batch_mode import run_chunks

    seen: list[tuple[int, str]] = []
    lock = threading.Lock()

    def work(start: int) -> None:
        with lock:
            seen.append((start, threading.current_thread().name))

    run_chunks(work, range(0, 1000, 10), threads=2)
    assert sorted(start for start, _ in seen) == list(range(0, 1000, 10))
    run_chunks(work, [], threads=2)  # nothing to do: returns


@pytest.mark.parametrize("failing", [0, 3, 7])
def test_a_failed_chunk_is_raised_and_no_chunk_runs_after(failing):
    import time

    from yzmaturity._batch_mode import run_chunks

    done: list[int] = []

    def work(start: int) -> None:
        time.sleep(0.001)
        if start == failing:
            raise ValueError(f"chunk {start}")
        done.append(start)

    with pytest.raises(ValueError, match=f"chunk {failing}"):
        run_chunks(work, range(8), threads=2)
    after = list(done)
    time.sleep(0.05)
    assert done == after  # nothing writes once the call is over
    assert len(set(done)) == len(done) and failing not in done


def test_a_busy_helper_pool_does_not_hold_a_call_up():
    """The caller scores every chunk itself when the helpers are busy with another call's work."""
    from yzmaturity._batch_mode import _helper_pool, run_chunks

    release = threading.Event()
    blockers = [_helper_pool().submit(release.wait) for _ in range(_helper_pool()._max_workers)]
    try:
        seen: list[int] = []
        finished = threading.Event()
        caller = threading.Thread(
            target=lambda: (run_chunks(seen.append, range(5), threads=2), finished.set())
        )
        caller.start()
        assert finished.wait(timeout=10), "run_chunks waited for a busy helper"
        assert sorted(seen) == list(range(5))
    finally:
        release.set()
        for blocker in blockers:
            blocker.result()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_scores_on_threads_of_its_own():
    """A child forked after the parent scored on helper threads has none of them: it makes its own."""
    import multiprocessing

    import yzmaturity as yz

    q = yz.load_questionnaire("yangzhou-2022")
    best = yz.example_answers(q, "best")
    yz.score_batch(q, [best] * 20, chunk_size=5, workers=2)  # the parent's helpers exist now
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        overall, threads = pool.apply_async(_score_on_two_threads).get(timeout=60)
    assert overall == [100.0] * 20
    assert threads > 1  # a helper of the child's own took chunks, not the caller alone


def _score_on_two_threads() -> tuple[list[float], int]:
    import time

    import yzmaturity as yz
    from yzmaturity._batch_mode import run_chunks

    q = yz.load_questionnaire("yangzhou-2022")
    best = yz.example_answers(q, "best")
    overall = yz.score_batch(q, [best] * 20, chunk_size=5, workers=2).overall.tolist()
    names: set[str] = set()
    run_chunks(lambda _: (names.add(threading.current_thread().name), time.sleep(0.002)), range(100), 2)
    return overall, len(names)


def test_two_stages_run_alongside_and_both_results_are_returned():
    from yzmaturity._batch_mode import run_alongside

    both = threading.Barrier(2, timeout=10)  # each stage waits for the other: they run at once
    ran: list[str] = []

    def background() -> str:
        both.wait()
        ran.append(threading.current_thread().name)
        return "profile"

    profile, waited = run_alongside(background, both.wait)
    assert profile == "profile" and waited in (0, 1)  # Barrier.wait's arrival index
    assert ran and ran[0] != threading.current_thread().name


def test_a_busy_pool_runs_the_background_stage_on_the_caller():
    from yzmaturity._batch_mode import _helper_pool, run_alongside

    release = threading.Event()
    blockers = [_helper_pool().submit(release.wait) for _ in range(_helper_pool()._max_workers)]
    try:
        order: list[str] = []
        result = run_alongside(
            lambda: order.append("background") or 7, lambda: order.append("foreground") or 8
        )
        assert result == (7, 8)
        assert order == ["foreground", "background"]  # not waited for a helper: run here, after
    finally:
        release.set()
        for blocker in blockers:
            blocker.result()


@pytest.mark.parametrize("failing", ["background", "foreground", "both"])
def test_a_failed_stage_is_raised_once_both_have_ended(failing):
    import time

    from yzmaturity._batch_mode import run_alongside

    ended: list[str] = []

    def background() -> None:
        time.sleep(0.05)  # still running when the foreground fails
        ended.append("background")
        if failing in ("background", "both"):
            raise ValueError("background")

    def foreground() -> None:
        ended.append("foreground")
        if failing in ("foreground", "both"):
            raise ValueError("foreground")

    with pytest.raises(ValueError, match="foreground" if failing != "background" else "background"):
        run_alongside(background, foreground)
    after = list(ended)
    time.sleep(0.1)
    assert ended == after  # a started helper ended before the call returned; one not started never runs
    assert "foreground" in ended
    if failing == "background":
        assert "background" in ended


def test_stages_not_together_run_on_the_caller_one_after_the_other():
    from yzmaturity._batch_mode import run_alongside

    order: list[tuple[str, str]] = []
    here = threading.current_thread().name

    def stage(name: str, result: int) -> Any:
        return lambda: order.append((name, threading.current_thread().name)) or result

    assert run_alongside(stage("background", 1), stage("foreground", 2), together=False) == (1, 2)
    assert order == [("foreground", here), ("background", here)]
