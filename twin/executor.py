"""Run independent tasks in this process, on a local cluster of processes, or on a dask scheduler.

One place owns how the studies (:mod:`twin.sweep`, :mod:`twin.compare`, :mod:`twin.calibration`)
spread their independent years over processes: a task is plain picklable data handed to a
module-level function; results come back as they complete, with a tqdm progress bar.

- **serial**: in this process, in order; an exception raised by a task propagates as is.
- **local** (the default): a ``distributed.LocalCluster`` of worker processes (one thread each,
  one per core unless told, never more than tasks), bound to 127.0.0.1, without a dashboard, its
  scratch space in a folder of the caller's (removed at the end). Workers ignore SIGINT, so Ctrl-C
  stops the driver with one line; a task whose worker dies is retried once, then failed.
- **scheduler**: a running dask scheduler (``tcp://host:8786``), for a real cluster.

On dask, a task that raised or whose worker died comes back as a :class:`TaskFailed` (its message
on one line), never as an exception out of :meth:`Executor.map`: the caller decides whether one
failure ends the study (compare) or is recorded and the rest goes on (sweep). dask's own chatter
(closed comms, "worker process still alive") is silenced unless ``twin -v``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twin.errors import TwinError

__all__ = ["Executor", "TaskFailed", "check_workers", "failure_message", "progress_bar", "sigterm_as_interrupt"]

#: glibc's trim threshold in local worker processes [bytes]: freed memory up to this size stays in the
#: worker's heap for the next task's arrays instead of going back to the system (see Executor._start).
WORKER_MALLOC_TRIM_BYTES = 1 << 30


@dataclass(frozen=True)
class TaskFailed:
    """What came back from a task that did not return: one-line ``message`` and the ``exception``."""

    message: str
    exception: BaseException | None = None


def check_workers(workers: Any, option: str = "--workers") -> int | None:
    """``workers`` as a positive int (None stays None), else a one-line :class:`TwinError`.

    Accepts an int or its text (the command line passes text so that ``--workers two`` is one line
    and exit status 2, not argparse's usage block).
    """
    if workers is None:
        return None
    try:
        n = int(str(workers).strip()) if not isinstance(workers, bool) else None
    except ValueError:
        n = None
    if n is None:
        raise TwinError(f"{option} {workers}: expected a whole number of worker processes (at least 1)")
    if n < 1:
        raise TwinError(f"{option} {workers}: expected at least 1")
    return n


def progress_bar(total: int, enabled: bool, desc: str, unit: str):
    """A tqdm bar (stderr) of ``total`` tasks; disabled when not ``enabled`` or nothing to do."""
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled or total == 0, desc=desc, unit=unit, dynamic_ncols=True)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """``kill PID`` ends like Ctrl-C (one line, files flushed, cluster closed), in the main thread."""
    try:
        old = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def failure_message(exc: BaseException) -> str:
    """The message of a task that did not return (its worker died, or dask failed), on one line."""
    from distributed.scheduler import KilledWorker

    if isinstance(exc, KilledWorker):
        worker = getattr(exc.last_worker, "address", exc.last_worker)
        return (f"the worker running it died (last on {worker}, {exc.allowed_failures + 1} attempt(s)); "
                "see that worker's log (memory limit, crash)")
    return f"{type(exc).__name__}: {' '.join(str(exc).split())} [dask]"  # one line


class Executor:
    """Runs batches of independent tasks; a context manager that owns its cluster.

    Parameters
    ----------
    serial
        Run in this process, in order, without dask.
    scheduler
        Address of a running dask scheduler; None starts a local cluster (when not ``serial``).
    workers
        Local cluster: worker processes (default: one per core), never more than ``max_workers``
        nor than the tasks of the first batch.
    scratch
        Local cluster: dask's scratch folder (created, removed at the end); default a temporary one.
    max_workers
        Upper bound on the local cluster's size (e.g. the tasks that can ever run at once).

    The cluster starts at the first non-empty :meth:`map` and is closed when the ``with`` block
    ends, so several batches (the Jacobians of a calibration) share it.
    """

    def __init__(self, serial: bool = False, scheduler: str | None = None, workers: int | None = None,
                 scratch: str | Path | None = None, max_workers: int | None = None):
        if serial and scheduler:
            raise TwinError("--serial and --scheduler exclude each other")
        self.serial, self.scheduler, self.workers = serial, scheduler, workers
        self.scratch = Path(scratch) if scratch is not None else None
        self.max_workers = max_workers
        self.client = None
        self.cluster = None
        self._own_scratch: Path | None = None
        self._old_levels: dict[str, int] = {}

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            silence_dask()  # before the teardown, which logs every comm it closes; and it stays so
            self.close()
            return
        self.close()
        for name, level in self._old_levels.items():
            logging.getLogger(name).setLevel(level)
        self._old_levels = {}

    # ------------------------------------------------------------------ cluster

    def _start(self, n_tasks: int) -> None:
        from distributed import Client, LocalCluster

        self._old_levels = set_dask_log_level(logging.CRITICAL) if quiet() else {}
        if self.scheduler is None:
            n = self.workers or os.cpu_count() or 1
            n = max(1, min(n, n_tasks, self.max_workers or n))
            scratch = self.scratch
            if scratch is None:
                scratch = self._own_scratch = Path(tempfile.mkdtemp(prefix="twin-dask-"))
            # dashboard_address=None still starts an HTTP server on port 8787 (a warning when taken):
            # the scheduler's own keyword puts it on a free loopback port, without the dashboard.
            import dask

            # A task that kills its worker (out of memory, a crash) is failed after one retry,
            # not after dask's default three more dead workers.
            # dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536: glibc then hands every freed
            # block back to the system and each year's fresh arrays page-fault again. Keeping freed heap
            # (WORKER_MALLOC_TRIM_BYTES) made a variant 0.78 -> 0.57 s in a worker (median of 48, 2 workers).
            environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}),
                       "MALLOC_TRIM_THRESHOLD_": WORKER_MALLOC_TRIM_BYTES}
            with dask.config.set({"distributed.scheduler.allowed-failures": 1,
                                  "distributed.nanny.pre-spawn-environ": environ}):
                self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                            dashboard_address=None, local_directory=str(scratch),
                                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                            # worker processes log on their own (a cancelled task at Ctrl-C);
                                            # their failures come back as TaskFailed anyway
                                            silence_logs=logging.CRITICAL if quiet() else False)
            self.client = Client(self.cluster)
            self.client.run(ignore_sigint)  # Ctrl-C reaches the driver only: one line, no worker tracebacks
        else:
            try:
                self.client = Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise TwinError(f"--scheduler {self.scheduler}: cannot connect ({exc})") from None

    def close(self) -> None:
        """Close the client and the local cluster (and its scratch folder), if started."""
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
            scratch = self._own_scratch or self.scratch
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
        self._own_scratch = None

    # ------------------------------------------------------------------ running

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], on_result: Callable[[int, Any], None],
            keys: Sequence[str] | None = None, bar=None) -> None:
        """Run ``fn(task)`` for every task; call ``on_result(index, result)`` as each completes.

        ``fn`` must be a module-level function and tasks picklable data. On dask, a failed task's
        result is a :class:`TaskFailed`; an exception raised by ``on_result`` stops the batch
        (the cluster is closed by the ``with`` block). ``keys``: dask task keys (default random);
        ``bar``: a :func:`progress_bar`, advanced by one per task.
        """
        if not tasks:
            return
        if self.serial:
            for i, task in enumerate(tasks):
                on_result(i, fn(task))
                if bar is not None:
                    bar.update(1)
            return
        try:
            if self.client is None:
                self._start(len(tasks))
            self._map_dask(fn, tasks, on_result, keys, bar)
        except KeyboardInterrupt:
            silence_dask()  # before the teardown below, which logs every comm it closes
            raise

    def _map_dask(self, fn, tasks, on_result, keys, bar) -> None:
        from distributed import as_completed

        futures = {}
        for i, task in enumerate(tasks):
            kw = {"key": keys[i]} if keys is not None else {}
            futures[self.client.submit(fn, task, pure=False, **kw)] = i
        for fut in as_completed(futures):
            try:
                exc = fut.exception()
                result = fut.result() if exc is None else TaskFailed(failure_message(exc), exc)
            except (Exception, asyncio.CancelledError) as err:  # e.g. the scheduler went away
                result = TaskFailed(failure_message(err), err)
            on_result(futures[fut], result)
            if bar is not None:
                bar.update(1)
            fut.release()


def ignore_sigint() -> None:
    """Run in each local worker: Ctrl-C is the driver's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def quiet() -> bool:
    """True unless ``twin -v`` (root logger at INFO or below)."""
    return logging.getLogger().getEffectiveLevel() > logging.INFO


def set_dask_log_level(level: int) -> dict[str, int]:
    """Set ``level`` on distributed's loggers (dask's config gives some their own); return the old ones."""
    names = ["distributed", *(n for n, lg in logging.root.manager.loggerDict.items()
                              if n.startswith("distributed.") and isinstance(lg, logging.Logger)
                              and lg.level != logging.NOTSET)]
    old = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(level)
    return old


def silence_dask() -> None:
    """After Ctrl-C: nothing from distributed until exit (tearing down busy workers logs closed comms)."""
    if quiet():
        set_dask_log_level(logging.CRITICAL + 1)
