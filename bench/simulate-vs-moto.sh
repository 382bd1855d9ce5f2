#!/usr/bin/env bash
# keytrail's simulated S3 SSE-KMS put+get flows (4 KiB, full path: policy checks, envelope,
# CloudTrail records) against moto's in-process kms generate_data_key calls, in one run.
# Prints both rates and the ratio. Needs python3 with moto and boto3 (pip install moto boto3).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
if ! python3 -c "import moto, boto3" 2>/dev/null; then
  echo "bench: moto and boto3 are needed (pip install moto boto3)" >&2; exit 1
fi
out=$(go test -run XXX -bench 'PutGet4KiB' -benchtime "${secs}s" ./simulate/)
rate() { echo "$out" | awk -v name="$1" '$1 ~ name"-" {for (i=1;i<=NF;i++) if ($(i+1)=="flows/s") print $i}'; }
k=$(rate 'BenchmarkPutGet4KiB')
kp=$(rate 'BenchmarkPutGet4KiBParallel')
m=$(python3 - "$secs" <<'PY'
import sys, time, boto3
from moto import mock_aws
secs = float(sys.argv[1])
with mock_aws():
    kms = boto3.client("kms", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(50):  # warm up
        kms.generate_data_key(KeyId=key, KeySpec="AES_256", EncryptionContext={"aws:s3:arn": "arn:aws:s3:::b/k"})
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < secs:
        kms.generate_data_key(KeyId=key, KeySpec="AES_256", EncryptionContext={"aws:s3:arn": "arn:aws:s3:::b/k"})
        n += 1
    print(round(n / (time.perf_counter() - t0)))
PY
)
python3 -c "
k, kp, m = float('$k'), float('$kp'), float('$m')
print(f'keytrail put+get flows (4 KiB, full path), one world     {k:,.0f} flows/s')
print(f'the same, one world per core ($(nproc) cores)                {kp:,.0f} flows/s')
print(f'moto generate_data_key (in process, one thread)          {m:,.0f} calls/s')
print(f'ratio, one world                                         {k/m:,.1f}x')
print(f'ratio, all cores                                         {kp/m:,.1f}x')"
