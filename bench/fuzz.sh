#!/usr/bin/env bash
# Runs every Go fuzz target of the repository for a while each and prints a
# table (Markdown) of executions and crashes per target, for
# docs/BENCHMARKS.md. The seed corpora already run in the normal test run.
#
#   bash bench/fuzz.sh            # 60 s per target
#   FUZZTIME=5m bash bench/fuzz.sh
#
# Targets are found, not listed here: every package with a `func Fuzz…` in
# a _test.go file, and `go test -list` for its names. A crash stops that
# target, writes the failing input under the package's testdata/fuzz/ (keep
# it: it becomes a seed that runs in every test run) and makes the script
# exit 1 once all targets have run.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-60s}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

mapfile -t pkgs < <(grep -rl --include='*_test.go' -E '^func Fuzz[A-Z0-9_]' . |
  xargs -n1 dirname | sort -u | sed 's|^\./|./|')

echo "Fuzzing each target for $FUZZTIME on $(nproc) CPU(s), $(go version | cut -d' ' -f3); $(date -u +%Y-%m-%d)."
echo
echo "| package | target | time | executions | new interesting | crashes |"
echo "|---|---|---:|---:|---:|---:|"
failed=0
for pkg in "${pkgs[@]}"; do
  mapfile -t targets < <(go test -list '^Fuzz' "$pkg" | grep -E '^Fuzz' || true)
  for t in "${targets[@]}"; do
    log="$logs/$(echo "$pkg" | tr '/.' '__')_$t.log"
    status=0
    go test -run '^$' -fuzz "^${t}\$" -fuzztime "$FUZZTIME" "$pkg" >"$log" 2>&1 || status=$?
    # The last progress line: "fuzz: elapsed: 1m0s, execs: 123456 (2057/sec), new interesting: 3 (total: 12)"
    last=$(grep -E 'fuzz: elapsed: .*execs: ' "$log" | tail -1 || true)
    execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
    newi=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
    crashes=0
    if [ "$status" -ne 0 ]; then
      crashes=1
      failed=1
    fi
    printf '| %s | %s | %s | %s | %s | %s |\n' "${pkg#./}" "$t" "$FUZZTIME" "${execs:-?}" "${newi:-?}" "$crashes"
    if [ "$status" -ne 0 ]; then
      echo
      echo "$t failed:"
      grep -E 'Failing input written to|--- FAIL|panic:|Error' "$log" | head -20 | sed 's/^/    /'
      echo
    fi
  done
done
exit "$failed"
