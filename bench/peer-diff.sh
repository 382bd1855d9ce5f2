#!/usr/bin/env bash
# Lists the cases where keytrail and the peer evaluator (@cloud-copilot/iam-simulate) decide
# differently, and whether each case already documents the disagreement (peerDisagrees, with
# the AWS documentation that decides it). An undocumented disagreement is worth a look: one of
# the two is wrong. Exits 1 when there is one.
#
#   bench/peer-diff.sh [CASE_FILE...]        # default fixtures/cases/*.json
set -euo pipefail
cd "$(dirname "$0")/.."
peer_src=../shared/tools/iam-simulate-peer
[ -d "$peer_src" ] || { echo "peer-diff: $peer_src is absent" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$peer_src" "$work/peer"
(cd "$work/peer" && npm ci --silent --no-audit --no-fund >/dev/null 2>&1) || { echo "peer-diff: npm ci failed" >&2; exit 1; }
go build -o "$work/keytrail" ./cmd/keytrail
if [ $# -eq 0 ]; then set -- fixtures/cases/*.json; fi
undocumented=0
for f in "$@"; do
  abs=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
  "$work/keytrail" eval "$f" | jq -c '{id, k: (.decision // "Error")}' | sort > "$work/k.jsonl"
  (cd "$work/peer" && node peer-eval.mjs "$abs" 2>/dev/null) | jq -c '{id, p: .decision}' | sort > "$work/p.jsonl"
  jq -c 'if type == "array" then .[] else .cases[] end | {id, doc: (.peerDisagrees // false), expect: (.expect // (if .expectError then "Error" else null end))}' "$f" | sort > "$work/c.jsonl"
  jq -s -r --arg f "$f" '
    (map(select(.k)) | INDEX(.id)) as $k | (map(select(.p)) | INDEX(.id)) as $p |
    map(select(.doc != null)) | .[] | . as $c | ($k[$c.id].k) as $kd | ($p[$c.id].p) as $pd |
    select($kd != $pd) |
    "\(if $c.doc then "documented  " else "UNDOCUMENTED" end) \($f) \($c.id): keytrail \($kd), peer \($pd), expected \($c.expect)"' \
    "$work/k.jsonl" "$work/p.jsonl" "$work/c.jsonl" | tee -a "$work/out.txt"
done
undocumented=$(grep -c '^UNDOCUMENTED' "$work/out.txt" 2>/dev/null || true)
echo "$(wc -l < "$work/out.txt" 2>/dev/null || echo 0) disagreement(s), ${undocumented:-0} undocumented" >&2
[ "${undocumented:-0}" = 0 ]
