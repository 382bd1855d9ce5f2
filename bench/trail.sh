#!/usr/bin/env bash
# Trail reading throughput: keytrail trail summary and query versus jq's reduce over the same
# files, with peak RSS. The set is ~200 MB (BIG=1: ~1 GB) of 1,000-record {"Records":[...]} files,
# half .json and half .json.gz, resampled from the real records in ../shared/corpus/trail and
# from keytrail simulate's trail, each record with a fresh eventID.
# Targets (issue: fast trail reading): summary >= 8x jq; audit >= 150,000 records/s; peak RSS
# < 150 MB at any input size.
#
#   bench/trail.sh            # ~200 MB
#   BIG=1 bench/trail.sh      # ~1 GB, for the RSS check
#   KEEP=DIR bench/trail.sh   # build (or reuse) the set in DIR and keep it
#   MIX=kms bench/trail.sh    # records from the simulated scenarios only: KMS-heavy
#   DATA=FILE bench/trail.sh  # also time the audit with --data FILE (rules that need it run)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=200
[ "${BIG:-}" = 1 ] && mb=1024
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
set_dir=${KEEP:-$work/set}

if [ ! -x /usr/bin/time ] || ! /usr/bin/time -v true >/dev/null 2>&1; then
  echo "installing GNU time for peak RSS" >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null
fi
command -v jq >/dev/null || { echo "bench/trail.sh: jq not found" >&2; exit 1; }

go build -o "$work/keytrail" ./cmd/keytrail
kt=$work/keytrail

if [ ! -f "$set_dir/.done-$mb" ]; then
  rm -rf "$set_dir" && mkdir -p "$set_dir"
  # Source records, one compact JSON object per line: the corpus (invalid files skipped) and
  # the simulated walkthrough; with MIX=kms the simulated trails of every fixture scenario
  # only (over half of them KMS records, the audit's heavy case).
  : > "$work/src.jsonl"
  if [ "${MIX:-}" != kms ]; then
    "$kt" trail query 'eventName?' ../shared/corpus/trail --keep-going > "$work/src.jsonl" 2>/dev/null || true
    "$kt" simulate --trail-out "$work/sim.json" > /dev/null 2>&1
    "$kt" trail query 'eventName?' "$work/sim.json" >> "$work/src.jsonl" 2>/dev/null
  else
    for sc in fixtures/scenarios/*.yaml; do
      "$kt" simulate "$sc" --no-audit --trail-out "$work/sim.json" > /dev/null 2>&1
      "$kt" trail query 'eventName?' "$work/sim.json" >> "$work/src.jsonl" 2>/dev/null
    done
  fi
  python3 - "$work/src.jsonl" "$set_dir" "$mb" <<'PY'
import gzip, random, re, sys
src, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
recs = [l.rstrip("\n") for l in open(src) if l.strip()]
rng = random.Random(1)
idre = re.compile(r'"eventID":"[^"]*"')
size, n, f = 0, 0, 0
while size < mb << 20:
    batch = []
    for _ in range(1000):
        r = rng.choice(recs)
        eid = '"eventID":"bench-%09d"' % n
        n += 1
        r2, k = idre.subn(eid, r, count=1)
        if k == 0:
            r2 = r[:-1] + ',' + eid + '}'
        batch.append(r2)
    body = ('{"Records":[' + ','.join(batch) + ']}').encode()
    size += len(body)
    name = '%s/f%05d.json' % (out, f)
    if f % 2:
        with gzip.open(name + '.gz', 'wb', compresslevel=6) as g:
            g.write(body)
    else:
        open(name, 'wb').write(body)
    f += 1
print(f"{f} files, {n} records, {size/1e6:.0f} MB decoded ({len(recs)} source records)", file=sys.stderr)
PY
  touch "$set_dir/.done-$mb"
fi
bytes=$(python3 - "$set_dir" <<'PY'
import gzip, os, sys
d = sys.argv[1]; n = 0
for f in os.listdir(d):
    p = os.path.join(d, f)
    if f.endswith('.gz'):
        with gzip.open(p) as g:
            while b := g.read(1 << 20): n += len(b)
    elif f.endswith('.json'):
        n += os.path.getsize(p)
print(n)
PY
)
records=$(( $(ls "$set_dir" | grep -c '\.json') * 1000 ))
echo "set: $set_dir: $(ls "$set_dir" | grep -c '\.json') files, $records records, $((bytes / 1000000)) MB decoded, $(du -sm "$set_dir" | cut -f1) MB on disk; $(nproc) cores"
cat "$set_dir"/* > /dev/null   # warm the page cache

# measure NAME CMD...: runs CMD under GNU time, prints seconds, MB/s, records/s, peak RSS.
declare -A secs
measure() {
  local name=$1; shift
  local rc=0
  "/usr/bin/time" -f '%e %M' -o "$work/time" "$@" > /dev/null 2> "$work/stderr" || rc=$?
  if [ "$rc" -gt 1 ]; then   # 1 is "no match" for query and "findings" for audit
    echo "$name: failed (exit $rc): $(tail -3 "$work/stderr")"; return 0
  fi
  read -r s kb < <(tail -1 "$work/time")   # after any "Command exited with non-zero status"
  secs[$name]=$s
  python3 -c "
s=$s; b=$bytes; r=$records; kb=$kb
print(f'{\"$name\":<10} {s:6.2f} s  {b/1e6/s:7.1f} MB/s  {r/s:9.0f} records/s  peak RSS {kb/1024:6.1f} MB')"
}

measure summary "$kt" trail summary "$set_dir"
measure query "$kt" trail query 'eventSource=kms.amazonaws.com' "$set_dir"
# --- trail audit (the other half of the issue): runs once `keytrail trail audit` exists ---
if "$kt" trail audit --help > /dev/null 2>&1; then
  measure audit "$kt" trail audit "$set_dir"
  [ -n "${DATA:-}" ] && measure audit+data "$kt" trail audit "$set_dir" --data "$DATA"
fi
cat > "$work/jq.sh" <<'SH'
for f in "$1"/*; do
  case $f in *.gz) gunzip -c "$f" ;; *.json) cat "$f" ;; esac
done | jq -n 'reduce (inputs.Records[]) as $r ({}; .[$r.eventName]+=1)'
SH
measure jq sh "$work/jq.sh" "$set_dir"

for name in summary query audit; do
  [ -n "${secs[$name]:-}" ] && [ -n "${secs[jq]:-}" ] &&
    python3 -c "print(f'$name vs jq: {${secs[jq]}/${secs[$name]}:.1f}x faster')"
done
