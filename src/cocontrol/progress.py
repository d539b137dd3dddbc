"""Progress of long computations, reported through an optional callback.

Every library step that can take more than a couple of seconds (optimisation iterations,
Pareto sweeps, CGE policy combinations, marginal effects of measures, runs of many scenarios,
evaluations) takes a ``progress`` argument: any callable

    progress(stage: str, done: int, total: int | None, message: str) -> None

``stage`` is a short dotted id (``"optimize.slp"``, ``"scenario.marginal"`` ...), ``done`` the
number of units finished, ``total`` their number (``None`` when not known in advance, e.g. SLP
iterations until convergence) and ``message`` a short English text. The default is
:func:`noop`. The library never prints: the command line renders the calls with rich
(``cocontrol.cli.common.progress_bar``), a server turns them into job progress.

A callback may raise to cancel the computation: the exception propagates unchanged.
Callbacks are called from the thread running the computation; the library keeps no global
progress state, so concurrent computations each report to their own callback.

>>> seen = Collector()
>>> for x in track(range(3), seen, "demo.loop", message="item"):
...     pass
>>> [(e.stage, e.done, e.total) for e in seen.events]
[('demo.loop', 0, 3), ('demo.loop', 1, 3), ('demo.loop', 2, 3), ('demo.loop', 3, 3)]
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

T = TypeVar("T")

__all__ = ["Collector", "Event", "Progress", "ProgressCallback", "noop", "report", "scoped",
           "track"]


@runtime_checkable
class Progress(Protocol):
    """The progress callback protocol (see the module docstring)."""

    def __call__(self, stage: str, done: int, total: int | None, message: str = "") -> None:
        ...


#: Any callable with the signature of :class:`Progress`.
ProgressCallback = Callable[[str, int, "int | None", str], None]


def noop(stage: str, done: int, total: int | None, message: str = "") -> None:
    """The default callback: does nothing."""


def report(progress: ProgressCallback | None, stage: str, done: int, total: int | None,
           message: str = "") -> None:
    """Call ``progress`` if one is given (``None`` means :func:`noop`)."""
    if progress is not None:
        progress(stage, int(done), None if total is None else int(total), message)


def track(items: Iterable[T], progress: ProgressCallback | None, stage: str,
          total: int | None = None, message: str | Callable[[T], str] = "") -> Iterator[T]:
    """Iterate over ``items`` reporting ``done`` = number of items finished.

    Reports ``(stage, 0, total)`` before the first item and once after each item. ``message``
    is a fixed text or a function of the item just finished.
    """
    if progress is None:
        yield from items
        return
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    report(progress, stage, 0, total, message if isinstance(message, str) else "")
    for i, x in enumerate(items, start=1):
        yield x
        report(progress, stage, i, total, message(x) if callable(message) else message)


def scoped(progress: ProgressCallback | None, prefix: str) -> ProgressCallback | None:
    """A callback that prefixes the stage of every call (for nested steps), e.g.
    ``scoped(cb, "optimize.pareto")`` turns stage ``"slp"`` into ``"optimize.pareto.slp"``."""
    if progress is None:
        return None

    def _cb(stage: str, done: int, total: int | None, message: str = "") -> None:
        progress(f"{prefix}.{stage}", done, total, message)

    return _cb


@dataclass(frozen=True)
class Event:
    stage: str
    done: int
    total: int | None
    message: str


class Collector:
    """A thread-safe callback that records every call (for tests and job logs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[Event] = []

    def __call__(self, stage: str, done: int, total: int | None, message: str = "") -> None:
        with self._lock:
            self._events.append(Event(stage, done, total, message))

    @property
    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def stages(self) -> list[str]:
        """Stages in order of first appearance."""
        return list(dict.fromkeys(e.stage for e in self.events))

    def last(self, stage: str) -> Event | None:
        ev = [e for e in self.events if e.stage == stage]
        return ev[-1] if ev else None
