#!/usr/bin/env bash
# Lint throughput from the CLI: N generated key policies in one directory (default 1,000), and
# one 1 MB identity policy. Prints policies/s and the time for the 1 MB file.
#
#   bench/lint-dir.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/keytrail" ./cmd/keytrail
mkdir -p "$work/key"
for i in $(seq 1 "$n"); do
  acct=$(printf '%012d' "$i")
  cat > "$work/key/p$i.json" <<JSON
{"Version":"2012-10-17","Id":"p$i","Statement":[
 {"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::$acct:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::$acct:role/admin"},"Action":["kms:Create*","kms:Describe*","kms:Enable*","kms:List*","kms:Put*","kms:Update*","kms:Revoke*","kms:Disable*","kms:Get*","kms:Delete*","kms:TagResource","kms:UntagResource","kms:ScheduleKeyDeletion","kms:CancelKeyDeletion"],"Resource":"*"},
 {"Sid":"Users","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::$acct:role/app"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"},
 {"Sid":"Grants","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::$acct:role/app"},"Action":["kms:CreateGrant","kms:ListGrants","kms:RevokeGrant"],"Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}]}
JSON
done
python3 - "$work/big.json" <<'PY'
import sys
parts=[]; size=0; i=0
while size < 1<<20:
    s='{"Sid":"S%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-%d/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc%d"}}}' % (i,i,i)
    parts.append(s); size+=len(s)+1; i+=1
open(sys.argv[1],'w').write('{"Version":"2012-10-17","Statement":['+','.join(parts)+']}')
PY
"$work/keytrail" lint "$work/key" -o json --fail-on never > /dev/null   # warm the page cache
t0=$(date +%s.%N); "$work/keytrail" lint "$work/key" -o json --fail-on never > /dev/null; t1=$(date +%s.%N)
t4=$(date +%s.%N); "$work/keytrail" lint "$work/key/p1.json" -o json --fail-on never > /dev/null; t5=$(date +%s.%N)
t2=$(date +%s.%N); "$work/keytrail" lint "$work/big.json" --type identity -o json --fail-on never > /dev/null; t3=$(date +%s.%N)
python3 -c "
n=$n; d=$t1-$t0; b=$t3-$t2; s=$t5-$t4
print(f'{n} key policies: {d:.2f} s, {n/d:.0f} policies/s for the whole command ($(nproc) cores)')
print(f'start-up (one policy: process, catalog, rule compilation): {s:.2f} s; steady state {n/(d-s):.0f} policies/s')
print(f'1 MB identity policy ($(wc -c < "$work/big.json") bytes): {b:.2f} s (whole command)')"
