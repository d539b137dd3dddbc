"""Batches of draws on Dask (an in-process LocalCluster by default, or ``tcp://host:port``).

The whole sample (uniforms, n × p) is drawn once from the seed, then cut into chunks of
``chunk`` draws; chunk c is evaluated by the same pure function whether it runs in this
process or on a worker, and the chunks are put back in order, so the same seed gives
identical results serially and distributed. Each chunk is a task with a deterministic key and
``retries``: the tasks of a worker that dies are run again by the scheduler; results are
written to ``<out>/part-<c>.parquet`` as they arrive (atomically, one file per chunk, so a
chunk computed twice overwrites itself and nothing is counted twice).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cocontrol.i18n import Msg as M
from cocontrol.uncertainty.ensemble import EnsembleResult, UncertaintyModel
from cocontrol.uncertainty.sampling import sample

Progress = Callable[[str, int, int, str], None]


def _evaluate_chunk(model: UncertaintyModel, u: np.ndarray) -> EnsembleResult:
    return model.evaluate(u)


def write_part(res: EnsembleResult, out: Path, c: int, offset: int) -> Path:
    """Write chunk ``c`` (draws from ``offset``) as ``out/part-<c>.parquet``, atomically
    (:func:`cocontrol.parquet.write`: a temporary file of its own, then renamed)."""
    from cocontrol import parquet

    df = res.to_frame(draw_offset=offset)
    df["variable"] = df["variable"].astype(object)
    df["unit"] = df["unit"].astype(object)
    return parquet.write(df, Path(out) / f"part-{c:05d}.parquet")


def run_draws(model: UncertaintyModel, n: int, *, method: str = "lhs", seed: int = 0,
              chunk: int = 500, client=None, out: str | Path | None = None,
              progress: Progress | None = None, retries: int = 3) -> EnsembleResult:
    """Evaluate n draws of ``model`` in chunks, serially (``client=None``) or on a Dask
    ``client``; identical numbers either way for the same seed."""
    U = sample(model.names, n, method=method, seed=seed)
    bounds = [(s, min(s + chunk, n)) for s in range(0, n, chunk)]
    outp = Path(out) if out is not None else None
    parts: dict[int, EnsembleResult] = {}
    if client is None:
        for c, (a, b) in enumerate(bounds):
            parts[c] = _evaluate_chunk(model, U[a:b])
            if outp is not None:
                write_part(parts[c], outp, c, a)
            if progress:
                progress("uncertainty", b, n, M("msg.prog_draws", done=f"{b:,}", n=f"{n:,}"))
    else:
        from dask.distributed import as_completed

        token = hashlib.sha1(f"{id(model)}-{n}-{method}-{seed}-{chunk}".encode()).hexdigest()[:12]
        m_f = client.scatter(model, broadcast=True)
        futs = {client.submit(_evaluate_chunk, m_f, U[a:b], key=f"draws-{token}-{c}",
                              retries=retries, pure=False): c
                for c, (a, b) in enumerate(bounds)}
        done = 0
        for f in as_completed(list(futs)):
            c = futs[f]
            parts[c] = f.result()
            if outp is not None:
                write_part(parts[c], outp, c, bounds[c][0])
            done += bounds[c][1] - bounds[c][0]
            if progress:
                progress("uncertainty", done, n, M("msg.prog_draws", done=f"{done:,}", n=f"{n:,}"))
    res = parts[0]
    for c in range(1, len(bounds)):
        res = res.concat(parts[c])
    return res


def local_client(n_workers: int = 2, threads_per_worker: int = 1, processes: bool = True):
    """An in-process Dask LocalCluster client bound to loopback (close it when done)."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                           processes=processes, host="127.0.0.1", dashboard_address=":0")
    return Client(cluster)
