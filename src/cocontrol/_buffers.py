"""Buffers of large arrays kept for reuse (thread-safe).

Fresh memory costs a page fault per page on first touch, several times the arithmetic on it
on a busy virtual machine; a large array whose last view is gone goes back to a small pool
instead, and the next array of at most its size reuses it (already touched memory). A buffer
is free when only the pool refers to it: every array handed out is a view of it, so the
buffer stays taken as long as any such view (or a view of a view) is alive. The pool and the
hand-out are guarded by one lock: two threads never get the same buffer.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

POOL_BYTES = 1 << 31  # at most 2 GB kept
POOL_MIN = 1 << 24  # only arrays of 16 MB or more go through the pool

_POOL: list[np.ndarray] = []  # float64 buffers, least recently used first
_LOCK = threading.Lock()


def release() -> None:
    """Drop the kept buffers (their memory goes back to the system once unused)."""
    with _LOCK:
        _POOL.clear()


def empty(n: int) -> np.ndarray:
    """An uninitialised float64 array of n elements: a view of a kept buffer that no array
    uses any more (the smallest that fits), or new memory (kept for later when it fits)."""
    if n * 8 < POOL_MIN:
        return np.empty(n)
    with _LOCK:
        best = None
        for i in range(len(_POOL)):
            # referenced by the pool list and getrefcount's argument only: no view is alive
            if _POOL[i].size >= n and sys.getrefcount(_POOL[i]) <= 2 and \
                    (best is None or _POOL[i].size < _POOL[best].size):
                best = i
        if best is not None:
            b = _POOL.pop(best)
            _POOL.append(b)  # most recently used last
            return b[:n]
        b = np.empty(n)
        if b.nbytes <= POOL_BYTES:
            _POOL.append(b)
            while sum(x.nbytes for x in _POOL) > POOL_BYTES:
                _POOL.pop(0)  # least recently used first
        return b[:n]
