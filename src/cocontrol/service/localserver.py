"""A ``cocontrol serve`` process on a free loopback port, for scripts, tests and benchmarks.

:func:`start` runs ``python -m cocontrol serve --host 127.0.0.1 --port 0 …`` in its own
process group: the server binds a port the system chooses (never a fixed one, so concurrent
runs never clash) and prints its address on its first line; :func:`start` reads it from the
server's log file and waits until ``GET /api/health`` answers. The one waiting helper of the
service's crash tests, executor tests and the load benchmark (bench/api.py).

>>> LocalServer.address_of("cocontrol serve: http://127.0.0.1:41234/api (database x)")
'http://127.0.0.1:41234'
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_ADDRESS = re.compile(r"cocontrol serve: (http://[0-9.]+:\d+)/api")


class ServerError(RuntimeError):
    """The server exited at start or did not answer in time (its log is in the message)."""


@dataclass
class LocalServer:
    proc: subprocess.Popen
    base: str
    log: Path

    @staticmethod
    def address_of(text: str) -> str | None:
        m = _ADDRESS.search(text)
        return m.group(1) if m else None

    def kill(self) -> None:
        """SIGKILL the server and its worker processes: no clean-up at all (crash tests)."""
        _signal_group(self.proc, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (a clean shutdown), SIGKILL of the group after ``timeout`` seconds."""
        if self.proc.poll() is None:
            _signal_group(self.proc, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        _signal_group(self.proc, signal.SIGKILL)  # pool workers left behind, if any
        self.proc.wait(timeout=30)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def start(args: list[str], log: Path, env: dict | None = None,
          timeout: float = 240.0) -> LocalServer:
    """Start ``cocontrol serve`` with ``args`` (e.g. ``--data-dir``, ``--database``) on a free
    loopback port, its output appended to ``log``; wait until it answers (``timeout``: generous,
    a loaded CI machine can take long to import and migrate)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    offset = log.stat().st_size if log.exists() else 0
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cocontrol", "serve", "--host", "127.0.0.1", "--port", "0",
             *args], env=dict(os.environ, **(env or {})), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    server = LocalServer(proc, "", log)
    try:
        server.base = wait_up(proc, log, offset, timeout)
    except BaseException:
        server.stop(timeout=5)
        raise
    return server


def wait_up(proc: subprocess.Popen, log: Path, offset: int = 0,
            timeout: float = 240.0) -> str:
    """The base URL of the server once its address is printed and ``/api/health`` answers 200;
    :class:`ServerError` if it exits first or does not answer within ``timeout`` seconds."""
    import httpx

    end = time.time() + timeout
    base = None
    while time.time() < end:
        if proc.poll() is not None:
            raise ServerError(f"the server exited at start (code {proc.returncode}):\n"
                              f"{_read(log, offset)[-4000:]}")
        if base is None:
            base = LocalServer.address_of(_read(log, offset))
        if base is not None:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    return base
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    raise ServerError(f"the server did not answer within {timeout:g} s:\n"
                      f"{_read(log, offset)[-4000:]}")


def _read(log: Path, offset: int) -> str:
    """What the server wrote to ``log`` since ``offset``."""
    try:
        with log.open("rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""
