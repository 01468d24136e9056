"""A sweep on a real cluster (issue 17): a `dask scheduler` and two `dask worker` processes on loopback.

The workers load a preload hook (written below) that lets a test make one worker read another
copy of the base scenario at the same path, or make one variant kill the worker running it. The
hook reads a control file at each call, so one cluster serves every test of the module.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

pytest.importorskip("distributed")
pytest.importorskip("SALib")

from twin import sweep as sw  # noqa: E402

from .conftest import BASELINE  # noqa: E402
from .test_sweep import TINY, _numbers, _write  # noqa: E402

pytestmark = pytest.mark.slow

HOOK = '''
import json, os
from pathlib import Path

import twin.sweep as sw

_CONTROL = Path(os.environ["TWIN_TEST_HOOK"])
_NAME = os.environ["TWIN_TEST_WORKER"]
# dask may execute a preload file more than once in one namespace: keep the originals of the first time.
_load, _run_variant = getattr(sw, "_test_originals", (sw._load, sw.run_variant))
sw._test_originals = (_load, _run_variant)


def _control():
    try:
        return json.loads(_CONTROL.read_text())
    except (OSError, ValueError):
        return {}


def _load_other_copy(base, overrides):
    # This worker "holds another copy" of the file: it reads swap.to whenever asked for swap.from.
    swap = _control().get("swap") or {}
    if _NAME in swap.get("workers", []) and str(base) == swap["from"]:
        base = Path(swap["to"])
    return _load(base, overrides)


def _run_or_die(task):
    if task["variant_id"] == _control().get("die_on"):
        os._exit(70)  # like the OOM killer: no exception, no goodbye
    return _run_variant(task)


sw._load = _load_other_copy
sw.run_variant = _run_or_die
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in reversed(procs):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    dask = Path(sys.executable).parent / "dask"
    if not dask.exists():
        pytest.skip("the dask command is not installed beside this Python")
    tmp = tmp_path_factory.mktemp("cluster")
    (tmp / "hook.py").write_text(HOOK)
    control = tmp / "control.json"
    control.write_text("{}")
    address = f"tcp://127.0.0.1:{_free_port()}"
    # One task per worker thread (no second task queued on a worker that dies), and a task
    # whose worker died twice is failed (a bystander retried once is not).
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
           "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0", "DASK_LOGGING__DISTRIBUTED": "error"}
    log = (tmp / "cluster.log").open("w")
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                               "--no-dashboard"], stdout=log, stderr=log, env=env, start_new_session=True)]
    try:
        for name in ("a", "b"):
            procs.append(subprocess.Popen(
                [str(dask), "worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1",
                 "--no-dashboard", "--local-directory", str(tmp / f"dask-{name}"), "--preload", str(tmp / "hook.py")],
                stdout=log, stderr=log, env={**env, "TWIN_TEST_HOOK": str(control), "TWIN_TEST_WORKER": name},
                start_new_session=True))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield SimpleNamespace(address=address, control=control, log=tmp / "cluster.log")
    finally:
        _stop(procs)
        log.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny sweep on a base that inherits the baseline, run serially: the expected rows."""
    tmp = tmp_path_factory.mktemp("ref")
    (tmp / "driver").mkdir()
    (tmp / "driver" / "base.toml").write_text(f'inherits = "{BASELINE.as_posix()}"\nname = "base"\n')
    path = _write(tmp, TINY.replace(f'base = "{BASELINE.as_posix()}"', 'base = "driver/base.toml"'))
    res = sw.run_sweep(path, tmp / "serial", serial=True, progress=False, analysis=False)
    assert len(res.rows) == 12 and not res.failed
    return SimpleNamespace(path=path, base=(tmp / "driver" / "base.toml").resolve(), rows=res.rows, tmp=tmp)


def _same_numbers(rows: pd.DataFrame, reference: pd.DataFrame) -> None:
    ref = reference[reference["variant_id"].isin(rows["variant_id"])]
    pd.testing.assert_frame_equal(_numbers(rows), _numbers(ref))


def test_a_worker_reading_another_copy_fails_its_variants(cluster, reference, tmp_path):
    other = tmp_path / "other" / "base.toml"  # the same file name, another content: a dearer water
    other.parent.mkdir()
    other.write_text(f'inherits = "{BASELINE.as_posix()}"\nname = "base"\n[tariffs]\nwater_eur_m3 = 9.0\n')
    cluster.control.write_text(json.dumps({"swap": {"workers": ["a"], "from": str(reference.base), "to": str(other)}}))
    t0 = time.monotonic()
    res = sw.run_sweep(reference.path, tmp_path / "out", scheduler=cluster.address, progress=False, analysis=False)
    print(f"mixed-copy sweep: {time.monotonic() - t0:.1f} s, {len(res.failed)} failed")
    assert res.failed and len(res.rows) >= 1 and len(res.rows) + len(res.failed) == 12
    for msg in res.failed.values():
        assert "differ from the driver's" in msg and "[worker tcp://127.0.0.1:" in msg, msg
    _same_numbers(res.rows, reference.rows)  # no row from the other copy
    assert json.loads((tmp_path / "out" / "failed.json").read_text()) == res.failed
    # The files agree again: the next run completes the sweep.
    cluster.control.write_text("{}")
    res = sw.run_sweep(reference.path, tmp_path / "out", scheduler=cluster.address, progress=False, analysis=False)
    assert not res.failed and len(res.rows) == 12
    _same_numbers(res.rows, reference.rows)


def test_a_worker_dying_fails_its_variant_and_the_sweep_finishes(cluster, reference, tmp_path):
    victim = reference.rows["variant_id"].iloc[2]
    cluster.control.write_text(json.dumps({"die_on": victim}))
    t0 = time.monotonic()
    try:
        res = sw.run_sweep(reference.path, tmp_path / "out", scheduler=cluster.address, progress=False,
                           analysis=False)
    finally:
        cluster.control.write_text("{}")
    print(f"dying-worker sweep: {time.monotonic() - t0:.1f} s")
    assert list(res.failed) == [victim]
    assert "worker running it died" in res.failed[victim] and "tcp://127.0.0.1:" in res.failed[victim]
    assert len(res.rows) == 11 and victim not in set(res.rows["variant_id"])
    _same_numbers(res.rows, reference.rows)
    assert (tmp_path / "out" / "results.parquet").is_file()
    assert json.loads((tmp_path / "out" / "failed.json").read_text()) == res.failed


def test_cli_honours_dask_scheduler_address(cluster, reference, tmp_path, capsys, monkeypatch):
    from distributed import Client

    with Client(cluster.address, timeout="30s") as client:  # the nanny restarted the killed worker
        client.wait_for_workers(2, timeout=60)
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.address)
    parser = argparse.ArgumentParser()
    sw.register_cli(parser.add_subparsers(dest="command"))
    out = tmp_path / "remote"
    args = parser.parse_args(["sweep", str(reference.path), "--out", str(out), "--no-progress"])
    assert args.handler(args) == 0
    _same_numbers(pd.read_parquet(out / "results.parquet"), reference.rows)
    assert not (out / sw.SCRATCH_DIR).exists()  # no local cluster was started
    args = parser.parse_args(["sweep", "status", str(out)])
    assert args.handler(args) == 0
    assert "12/12 variants done" in capsys.readouterr().out


def _sigint_as_in_a_terminal() -> None:
    """A job started in the background of a non-interactive shell (``cmd &``, as CI runners may do)
    inherits SIGINT ignored, and Python keeps it so: the child gets the default back, as a terminal's."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_on_a_local_cluster_prints_one_line(reference, tmp_path):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) mid-sweep: one line."""
    twin = Path(sys.executable).parent / "twin"
    out = tmp_path / "out"
    proc = subprocess.Popen([str(twin), "sweep", str(reference.path), "--out", str(out), "--workers", "1",
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_sigint_as_in_a_terminal)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not list((out / "rows").glob("*.parquet")):
            time.sleep(0.1)
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert proc.returncode == 130 and stderr.strip() == "twin: interrupted", stderr
    assert not (out / sw.LOCK).exists() and 1 <= sw.status(out)["done"] < 12
