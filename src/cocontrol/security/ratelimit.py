"""Login rate limiting per client address and account lockout (OWASP ASVS 2.2.1).

Two independent brakes:

- :class:`AddressLimiter`: at most ``limit`` login attempts per client address in a sliding
  ``window`` (in memory, bounded in size so that many addresses cannot exhaust memory);
- :class:`LockoutPolicy`: after ``max_failures`` consecutive failed passwords within ``window``
  the account is locked for ``lock`` seconds (a soft lockout: it ends by itself, and an
  administrator can end it earlier). The state lives in the account row (``LockState``), so it
  holds across processes and restarts. A success resets it.

During a lockout even the right password is refused, so guessing cannot go on "in the dark".
All functions take ``now`` explicitly: tests move the clock instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class LockState:
    failures: int = 0
    first_failure: dt.datetime | None = None
    locked_until: dt.datetime | None = None


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)
    lock: dt.timedelta = dt.timedelta(minutes=15)

    def locked(self, state: LockState, now: dt.datetime) -> bool:
        return state.locked_until is not None and now < state.locked_until

    def minutes_left(self, state: LockState, now: dt.datetime) -> int:
        if not self.locked(state, now):
            return 0
        return max(1, math.ceil((state.locked_until - now).total_seconds() / 60))

    def failure(self, state: LockState, now: dt.datetime) -> LockState:
        """The state after one more failed password."""
        if self.locked(state, now):
            return state
        if state.first_failure is None or now - state.first_failure > self.window:
            state = LockState(failures=0, first_failure=now)
        n = state.failures + 1
        if n >= self.max_failures:
            return LockState(failures=n, first_failure=state.first_failure,
                             locked_until=now + self.lock)
        return replace(state, failures=n, locked_until=None)

    @staticmethod
    def success() -> LockState:
        return LockState()


class AddressLimiter:
    """Sliding-window counter of attempts per client address (thread-safe, bounded)."""

    def __init__(self, limit: int = 20, window: float = 60.0, max_addresses: int = 10000):
        self.limit = limit
        self.window = window
        self.max_addresses = max_addresses
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, address: str, now: float) -> float:
        """Record an attempt; 0.0 if allowed, else the seconds to wait (attempt not counted)."""
        with self._lock:
            q = self._hits.get(address)
            if q is None:
                q = self._hits[address] = deque()
                while len(self._hits) > self.max_addresses:
                    self._hits.popitem(last=False)
            else:
                self._hits.move_to_end(address)
            while q and now - q[0] >= self.window:
                q.popleft()
            if len(q) >= self.limit:
                return max(0.001, self.window - (now - q[0]))
            q.append(now)
            return 0.0

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()
