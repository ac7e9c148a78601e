#!/usr/bin/env bash
# Lighthouse (npm lighthouse@12.2.3, Debian's Chromium, mobile emulation with
# Lighthouse's slow-4G throttling) against the real service on this machine:
# the home page, an article, the service directory and the tip form. Not
# part of the test command: it needs the npm registry once and takes a few
# minutes. Reports (JSON and HTML) go to $OUT (default: a temp folder).
# Lighthouse's scores vary from run to run, most on a small, busy machine:
# each page is measured $RUNS times (default 3) and the median run counts,
# as Lighthouse's documentation advises.
#
#   [RUNS=3] [OUT=dir] bash scripts/lighthouse.sh [path ...]
#
# Aim: 95 or more in performance, accessibility, best practices and SEO.
set -euo pipefail
cd "$(dirname "$0")/.."

LIGHTHOUSE_VERSION=12.2.3
RUNS="${RUNS:-3}"
LH_DIR="${LH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/phongchongmaidam/lighthouse-$LIGHTHOUSE_VERSION}"
WORK="$(mktemp -d)"
OUT="${OUT:-$WORK/reports}"
mkdir -p "$OUT"
PATHS=("$@")
if [ ${#PATHS[@]} -eq 0 ]; then
  PATHS=(/ /tuyen-truyen/cach-gui-tin-bao-an-toan/ /danh-ba/ /gui-tin-bao/)
fi

SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK/public" "$WORK/formsvc" "$WORK/db" "$WORK/key"
}
trap cleanup EXIT

# Lighthouse itself, outside the repository, pinned.
if [ ! -x "$LH_DIR/node_modules/.bin/lighthouse" ]; then
  echo "==> npm install lighthouse@$LIGHTHOUSE_VERSION into $LH_DIR"
  mkdir -p "$LH_DIR"
  npm install --prefix "$LH_DIR" --no-audit --no-fund --save-exact "lighthouse@$LIGHTHOUSE_VERSION" >/dev/null
fi

echo "==> build the site and the service"
go tool hugo --source site --destination "$WORK/public" --panicOnWarning --quiet
go build -o "$WORK/formsvc" ./formsvc/cmd/formsvc

echo "==> start the service"
"$WORK/formsvc" serve --addr 127.0.0.1:0 --db "$WORK/db" --key-file "$WORK/key" --site "$WORK/public" 2>"$WORK/server.log" &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 100); do
  BASE="$(grep -o 'url=http://127\.0\.0\.1:[0-9]*' "$WORK/server.log" | head -1 | cut -d= -f2 || true)"
  [ -n "$BASE" ] && break
  sleep 0.2
done
if [ -z "$BASE" ]; then echo "the service did not start:"; cat "$WORK/server.log"; exit 1; fi
echo "    $BASE"

status=0
printf '\n%-45s %6s %6s %6s %6s   (median of %s runs)\n' "page" "perf" "a11y" "bp" "seo" "$RUNS"
for p in "${PATHS[@]}"; do
  name="$(echo "$p" | tr '/' '_' | sed 's/^_*//; s/_*$//')"
  [ -z "$name" ] && name=home
  reports=()
  for run in $(seq 1 "$RUNS"); do
    CHROME_PATH=/usr/bin/chromium "$LH_DIR/node_modules/.bin/lighthouse" "$BASE$p" \
      --quiet --form-factor=mobile \
      --only-categories=performance,accessibility,best-practices,seo \
      --chrome-flags="--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
      --output=json --output=html --output-path="$OUT/$name-$run" >/dev/null 2>"$WORK/lh-$name-$run.log" || {
        echo "lighthouse failed on $p (run $run):"; tail -3 "$WORK/lh-$name-$run.log"; continue; }
    reports+=("$OUT/$name-$run.report.json")
  done
  if [ ${#reports[@]} -eq 0 ]; then status=1; continue; fi
  node -e '
    const [page, ...files] = process.argv.slice(1);
    const runs = files.map(f => require(f));
    const score = (r, k) => Math.round(r.categories[k].score * 100);
    // The median run by performance, the category that varies.
    runs.sort((a, b) => score(a, "performance") - score(b, "performance"));
    const r = runs[Math.floor((runs.length - 1) / 2)];
    const row = ["performance", "accessibility", "best-practices", "seo"].map(k => score(r, k));
    const all = runs.map(x => score(x, "performance")).join("/");
    console.log(page.padEnd(45) + row.map(v => String(v).padStart(7)).join("") + "   (performance runs: " + all + ")");
    const low = Object.values(r.audits).filter(a => a.score !== null && a.score < 0.9 && !["informative", "notApplicable", "manual"].includes(a.scoreDisplayMode));
    for (const a of low) console.log("    below 0.9: " + a.id + " (" + a.score + "): " + a.title);
    if (row.some(v => v < 95)) process.exitCode = 2;
  ' "$p" "${reports[@]}" || status=1
done
echo
echo "Reports: $OUT"
exit $status
