"""Latency of ``twin explore``: from a change of a control to an updated page, default building, full year.

Run by hand (never in the test suite): ``python benchmarks/bench_explore.py [--changes N] [--no-browser]``.

It starts the app on a free port, evaluates the baseline once (which fills the weather, occupancy and
baseline caches, as the page does when it opens), then for each of N new control values measures:

- ``api``: one POST /api/evaluate, i.e. the re-simulated year (scenario load + ``twin.simulate``
  with the shared weather and occupancy) plus the figures and the JSON, in wall time and in this
  process's CPU time (the server runs in a thread here: its CPU time is the wall time the change
  would take on an idle core, whatever else loads a shared machine);
- ``page``: in headless Chromium (Debian's /usr/bin/chromium), from the slider's ``change`` event to
  the page showing the new numbers (``#status[data-idle='1']``), when a browser is installed, for the
  PV power (a new PV output: ~0.25 s more) and the heat recovery: measured in the page, in one
  round trip (``performance.now()`` from the change event to the answer rendered and two frames
  painted), and as Playwright's fill/dispatch/wait sees it (three round trips: ~0.35 s more);
- ``seeds``: with ``--seeds N`` (> 1), changes with N seeds: the first seed's answer and all of them,
  with two worker processes, one, and every seed in the server's process;
- the phases of one such run in-process: load_scenario, simulate, figures.

The machine's load average is printed at the start and the end: other work on the two cores
contaminates the wall times (the CPU times do not include it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

import twin
from twin.explore import Explorer, figures, serve

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


#: In the page: set a control, fire its change, wait for the answer to be rendered and painted (two frames).
CHANGE_TO_PAINT = """async ([key, value]) => {
  const status = document.getElementById("status"), before = status.dataset.done, field = document.getElementById("v-" + key);
  const t0 = performance.now();
  field.value = value;
  field.dispatchEvent(new Event("change"));
  while (!(status.dataset.idle === "1" && status.dataset.done !== before)) await new Promise(r => setTimeout(r, 2));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""


def _post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read())


def _phases(explorer: Explorer, hr: float) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of each phase of one change, in this thread."""
    overrides = {"ahu.heat_recovery.effectiveness": hr}
    clock = [(time.perf_counter(), time.thread_time())]

    def lap() -> None:
        clock.append((time.perf_counter(), time.thread_time()))

    scenario = explorer.load(overrides, explorer.base.seed)
    lap()
    weather, occupancy, site = explorer._inputs(scenario, overrides)
    lap()
    results = twin.simulate(scenario, weather=weather, occupancy=occupancy, site=site, detail=False)
    lap()
    figures(results)
    lap()
    twin.simulate(scenario)  # no shared inputs: what a change would cost without them
    lap()
    names = ("load_scenario", "shared inputs (cached)", "simulate (shared inputs, no advice)", "figures",
             "simulate (own weather + occupancy)")
    return {name: (b[0] - a[0], b[1] - a[1]) for name, a, b in zip(names, clock[:-1], clock[1:], strict=True)}


def _seeds(explorer: Explorer, n: int, tmp: str, changes: int) -> None:
    """Changes with ``n`` seeds: the first seed and all seeds with 2 and 1 workers, and without workers
    (the three set-ups take turns at each change, so that a load from elsewhere hits them alike)."""
    explorers = {w: explorer if w == explorer.workers else Explorer(BASELINE, {}, seeds=1, out_dir=tmp, workers=w)
                 for w in (2, 1, 0)}
    for ex in explorers.values():
        ex.evaluate({}, n)  # the baselines, weather years and people of every seed, as after the page opened
    first: dict[int, list[float]] = {w: [] for w in explorers}
    every: dict[int, list[float]] = {w: [] for w in explorers}
    for i in range(changes):
        values = {"hr": str(round(0.50 + 0.01 * i, 2))}
        for workers, ex in explorers.items():
            t = time.perf_counter()
            generation = ex.supersede()
            ex.evaluate(values, n, generation, wait=False)
            first[workers].append(time.perf_counter() - t)
            ex.evaluate(values, n, generation)
            every[workers].append(time.perf_counter() - t)
    for workers in explorers:
        f, e = first[workers], every[workers]
        print(f"seeds {n}, {workers} workers ({changes} changes): first seed median {statistics.median(f):.2f} s "
              f"(min {min(f):.2f}, max {max(f):.2f}); every seed median {statistics.median(e):.2f} s "
              f"(min {min(e):.2f}, max {max(e):.2f})")
    for ex in explorers.values():
        if ex is not explorer:
            ex.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=5, help="control changes to time (default 5)")
    parser.add_argument("--no-browser", action="store_true", help="skip the headless-Chromium measurement")
    parser.add_argument("--seeds", type=int, default=0, help="also time changes with N seeds (workers vs none)")
    parser.add_argument("--seeds-only", action="store_true", help="only the --seeds measurement")
    args = parser.parse_args()
    print("load average at start (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))

    with tempfile.TemporaryDirectory() as tmp:
        explorer = Explorer(BASELINE, {}, seeds=1, out_dir=tmp)
        if args.seeds_only:
            _seeds(explorer, args.seeds, tmp, args.changes)
            explorer.close()
            return
        server, url = serve(explorer, 0, background=True)
        t0 = time.perf_counter()
        _post(url + "api/evaluate", {"values": {}})
        print(f"first page (baseline year, weather, occupancy, numba cache load): {time.perf_counter() - t0:.2f} s")

        values = [round(0.70 + 0.01 * i, 2) for i in range(args.changes)]
        api, cpu = [], []
        for hr in values:
            t, c = time.perf_counter(), time.process_time()
            _post(url + "api/evaluate", {"values": {"hr": str(hr)}})
            api.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)  # the server thread's work: the wall time on an idle core
        print(f"api, change -> answer, full year ({len(api)} changes): median {statistics.median(api):.2f} s, "
              f"min {min(api):.2f}, max {max(api):.2f}; CPU {statistics.median(cpu):.2f} s (median)")
        t = time.perf_counter()
        _post(url + "api/evaluate", {"values": {"hr": str(values[0])}})
        print(f"api, a value seen before (cache): {time.perf_counter() - t:.3f} s")

        chromium = shutil.which("chromium")
        if chromium and not args.no_browser:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
                page = browser.new_page()
                page.goto(url)
                page.wait_for_selector("#status[data-idle='1']", timeout=600_000)
                for key, make in (("pv", lambda i: 100 + 10 * i), ("hr", lambda i: round(0.60 + 0.01 * i, 2))):
                    lat, in_page, painted, server_s = [], [], [], []
                    for i in range(args.changes):
                        t = time.perf_counter()
                        page.fill(f"#v-{key}", str(make(i)))
                        page.dispatch_event(f"#v-{key}", "change")
                        page.wait_for_selector("#status[data-idle='1']", timeout=600_000)
                        lat.append(time.perf_counter() - t)
                        in_page.append(float(page.get_attribute("#status", "data-page-ms")) / 1e3)
                        server_s.append(float(page.text_content("#status").split(" s")[0].split()[-1]))
                    for i in range(args.changes):  # the same in one round trip: no Playwright overhead
                        painted.append(page.evaluate(CHANGE_TO_PAINT, [key, str(make(i) + (5 if key == "pv" else 0.005))]))
                    print(f"page, {key} change -> updated page in Chromium ({len(lat)} changes): in the page, "
                          f"change -> painted {statistics.median(painted) / 1e3:.2f} s (min {min(painted) / 1e3:.2f}, "
                          f"max {max(painted) / 1e3:.2f}); change -> rendered {statistics.median(in_page):.2f} s "
                          f"(min {min(in_page):.2f}, max {max(in_page):.2f}); Playwright's fill/dispatch/wait "
                          f"{statistics.median(lat):.2f} s (min {min(lat):.2f}, max {max(lat):.2f}); the server's "
                          f"evaluation {statistics.median(server_s):.2f} s (median)")
                browser.close()
        server.should_exit = True
        if args.seeds > 1:
            _seeds(explorer, args.seeds, tmp, args.changes)
        explorer.close()

        print("phases of one change, in-process (wall / CPU):")
        for name, (wall, cpu) in _phases(explorer, 0.77).items():
            print(f"  {name:38s} {wall:6.2f} s / {cpu:5.2f} s")
    print("load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
