#!/usr/bin/env bash
# Render a twin report in headless Chromium and save a screenshot, to look at its layout.
#
#   scripts/check_report_browser.sh REPORT.html OUT.png [WIDTHxHEIGHT]
#
# Default window 1280x2400 (a laptop width, tall enough for the key figures and first figures).
# Network access is off in practice: the report must be self-contained (docs/report.md).
# Needs Debian's chromium (apt-get install -y chromium); exits 2 on usage errors, 3 without chromium.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2
    exit 2
fi
report=$1
out=$2
size=${3:-1280x2400}
if [[ ! -f "$report" ]]; then
    echo "$report: no such file; expected a report.html written by 'twin report'" >&2
    exit 2
fi
if [[ ! "$size" =~ ^[0-9]+x[0-9]+$ ]]; then
    echo "$size: expected WIDTHxHEIGHT, e.g. 1280x2400" >&2
    exit 2
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z "$browser" ]]; then
    echo "chromium not found; install it (Debian: apt-get install -y chromium)" >&2
    exit 3
fi

abs_report=$(realpath "$report")
mkdir -p "$(dirname "$out")"
abs_out=$(realpath "$out")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# --user-data-dir keeps the run away from any existing profile; timeout guards a hung browser.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$profile" --screenshot="$abs_out" --window-size="${size/x/,}" \
    "file://$abs_report" >/dev/null 2>"$profile/stderr.log" || {
    cat "$profile/stderr.log" >&2
    echo "chromium failed on $report" >&2
    exit 1
}
if [[ ! -s "$abs_out" ]]; then
    cat "$profile/stderr.log" >&2
    echo "chromium wrote no screenshot to $out" >&2
    exit 1
fi
echo "$out"
