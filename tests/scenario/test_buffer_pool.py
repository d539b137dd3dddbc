"""The pool of large result buffers (cocontrol._buffers) used by the scenario engine and the
inventory: a buffer is handed to one array at a time, also under threads, and reused once
its last view is gone; runs in threads give the numbers of runs one after the other."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from cocontrol import _buffers

N = _buffers.POOL_MIN // 8 + 1  # just large enough to go through the pool


def test_a_buffer_is_reused_only_when_its_views_are_gone():
    _buffers.release()
    a = _buffers.empty(N).reshape(1, -1)
    b = _buffers.empty(N)
    assert not np.shares_memory(a, b)
    addr = a.__array_interface__["data"][0]
    assert _buffers.empty(N).__array_interface__["data"][0] != addr  # a is alive
    del a
    c = _buffers.empty(N)
    assert c.__array_interface__["data"][0] == addr  # the freed one, not b's
    assert not np.shares_memory(c, b)
    _buffers.release()


def _take_at_once(k: int) -> list[np.ndarray]:
    """k buffers taken by k threads at the same moment."""
    got: list[np.ndarray] = []
    lock = threading.Lock()
    start = threading.Barrier(k)

    def take():
        start.wait()
        x = _buffers.empty(N)
        x.fill(threading.get_ident())
        with lock:
            got.append(x)

    ts = [threading.Thread(target=take) for _ in range(k)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return got


def test_threads_never_share_a_buffer():
    _buffers.release()
    for _ in range(3):  # kept buffers, freed, then taken by threads at once
        held = [_buffers.empty(N) for _ in range(8)]
        del held
        got = _take_at_once(8)
        assert len(got) == 8
        for i in range(8):
            for j in range(i + 1, 8):
                assert not np.shares_memory(got[i], got[j])
        del got
    _buffers.release()


def test_runs_in_threads_equal_runs_one_after_the_other():
    from cocontrol.scenario import prepare, run

    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-city"
    base = prepare(demo)
    names = [n for n in base.scenarios][:3]
    want = {n: run(base, n).emissions.copy() for n in names}
    got: dict[tuple[str, int], np.ndarray] = {}

    def go(name, k):
        for _ in range(3):
            r = run(base, name)
            got[(name, k)] = r.emissions.copy()

    ts = [threading.Thread(target=go, args=(n, k)) for n in names for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for (name, _), e in got.items():
        np.testing.assert_array_equal(e, want[name])
