#!/usr/bin/env bash
# Side-by-side throughput: `keytrail eval --bench` against the peer evaluator
# @cloud-copilot/iam-simulate (../shared/tools/iam-simulate-peer), on the same cases, both warm,
# in one run. Prints decisions/s for each and the ratios.
#
#   bench/eval-vs-peer.sh [SECONDS] [CASE_FILE...]
#
# SECONDS (default 10) is the measuring time per mode. Without CASE_FILEs it merges
# fixtures/cases/*.json into one file (the peer reads one). Needs node and npm; the peer is
# installed into a temporary directory with `npm ci` (exact versions from its lock file).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
shift || true
peer_src=../shared/tools/iam-simulate-peer
if [ ! -d "$peer_src" ]; then
  echo "bench: $peer_src is absent; the peer comparison needs ../shared" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cases"
ln -s "$PWD/fixtures/policies" "$work/policies"
if [ $# -eq 0 ]; then set -- fixtures/cases/*.json; fi
# One merged case file; relative policy paths still resolve (cases/ sits beside policies/).
jq -s '{cases: [.[] | if type == "array" then .[] else .cases[] end]}' "$@" > "$work/cases/all.json"

cp -r "$peer_src" "$work/peer"
(cd "$work/peer" && npm ci --silent --no-audit --no-fund >/dev/null 2>&1) || {
  echo "bench: npm ci failed for the peer" >&2; exit 1; }
go build -o "$work/keytrail" ./cmd/keytrail

echo "cases: $(jq '.cases | length' "$work/cases/all.json") from $# file(s); ${secs}s per measurement; $(nproc) cores" >&2
"$work/keytrail" eval --bench "$secs" "$work/cases/all.json" 2> "$work/keytrail.json"
(cd "$work/peer" && node peer-eval.mjs "$work/cases/all.json" --bench "$secs" 2> "$work/peer.json" >/dev/null)

jq -n --slurpfile k "$work/keytrail.json" --slurpfile p "$work/peer.json" '
  ($k[0]) as $k | ($p[0]) as $p |
  "keytrail compiled  \($k.compiled.decisionsPerSecond | floor) decisions/s  (\($k.cases) cases; policies compiled once)",
  "keytrail full      \($k.full.decisionsPerSecond | floor) decisions/s  (read + parse + evaluate per case)",
  "iam-simulate       \($p.decisionsPerSecond) decisions/s  (\($p.cases) cases; node \($p.node))",
  "ratio compiled/peer  \(($k.compiled.decisionsPerSecond / $p.decisionsPerSecond) * 10 | floor / 10)x",
  "ratio full/peer      \(($k.full.decisionsPerSecond / $p.decisionsPerSecond) * 10 | floor / 10)x"' -r
