"""Screenshot of ``twin explore`` for docs/explore.png: the default building over a full year.

``python scripts/explore_screenshot.py [--seeds 3] [--out docs/explore.png]``: starts the app on a free
port, opens it in Debian's headless Chromium (/usr/bin/chromium), moves a few controls (heat recovery
0.90, PV 120 kWp, tank 40 m³) and saves the page.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from twin.explore import Explorer, serve

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs" / "explore.png"))
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("explore_screenshot: no chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        explorer = Explorer(ROOT / "scenarios" / "baseline.toml", {}, seeds=args.seeds, out_dir=tmp)
        server, url = serve(explorer, 0, background=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            idle = "#status[data-idle='1']"
            page.wait_for_selector(idle, timeout=900_000)
            for key, value in (("hr", "0.9"), ("pv", "120"), ("tank", "40")):
                page.fill(f"#v-{key}", value)
                page.dispatch_event(f"#v-{key}", "change")
            page.wait_for_selector(idle, timeout=900_000)
            page.screenshot(path=args.out, full_page=True)
            browser.close()
        server.should_exit = True
        explorer.close()  # the seed workers
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
