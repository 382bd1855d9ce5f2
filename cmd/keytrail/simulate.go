package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/keytrail/keytrail/rules"
	"github.com/keytrail/keytrail/simulate"
	"github.com/keytrail/keytrail/trail"
	"github.com/keytrail/keytrail/trail/audit"
)

const simulateHelp = `
Usage: keytrail simulate [SCENARIO] [--seed N] [--trail-out FILE | --trail-dir DIR]
                         [--rules DIR]... [--data FILE]... [--no-audit] [-o table|json]

Runs a scenario file (YAML: account, region, principals with IAM policies, keys with policies
and aliases, buckets with policies and default encryption, and steps, each with the outcome it
expects: ok or an error code). Steps:
  put, get, head          PutObject (body or size, sse, kms-key, bucket-key), GetObject, HeadObject
  copy                    CopyObject (from: BUCKET/KEY; encrypted as asked or by the bucket default)
  multipart               CreateMultipartUpload, UploadPart (part-size, default 5 MiB), Complete
  presign, fetch          a SigV4 URL (method: GET or PUT, expires, name); fetch public, sigv2,
                          $name or a URL, with method GET or PUT
  kms                     generate-data-key, encrypt, decrypt, re-encrypt (named ciphertexts,
                          encryption-context), disable-key, enable-key, schedule-key-deletion,
                          cancel-key-deletion, create-grant (name: saves its id and token),
                          retire-grant (grant: NAME with key, or grant-token: NAME), revoke-grant,
                          put-key-policy (with the lockout safety check)
  advance                 move the clock (61m, 24h)
Paths in it are relative to the file unless absolute; see fixtures/scenarios/. A size: body
(up to 1 GiB) is produced and checked as it streams: it costs no memory of its size.

With no SCENARIO it replays the S3 SSE-KMS walkthrough of the seed key policy, end to end, on a simulated KMS and
S3 with real envelope encryption and SigV4: user K puts eiffel.png into kms-bogo-test with
SSE-KMS under alias/myFirstKey, the public URL fails (SSE-KMS objects need SigV4), K presigns a
URL and it is fetched, then the failures around it: a SigV2 URL, the URL after it expired, Bob
(who may read the bucket but has no kms:Decrypt), and the key disabled. Every call is
authorized by the policy evaluator; each step says why it ended as it did.

Every KMS call (management events) and S3 object call (data events) is recorded as CloudTrail
records: --trail-out writes one {"Records": [...]} file, --trail-dir a gzip'd delivery file in the
AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ layout. The same --seed writes the same bytes.

Then the trail is audited with the trail rules, as 'keytrail trail audit' would (--rules adds
your rules, --data your allowlists; --no-audit skips it). Each step has an expected outcome; the
exit status says whether all were met (the audit's findings are reported, not judged).
-o json prints {"steps": [...], "audit": [...findings]}.

Exit status: 0 every step as expected, 1 a step differed, 2 usage error, 3 invalid scenario.
`

func runSimulate(args []string, s *stdio) int {
	var seed uint64
	var output, trailOut, trailDir string
	fs := newFlags("simulate", simulateHelp, s)
	fs.Uint64Var(&seed, "seed", 1, "random `SEED`: the same seed gives the same keys, data keys and URLs")
	fs.StringVar(&trailOut, "trail-out", "", "write the CloudTrail records to `FILE` ({\"Records\": [...]})")
	fs.StringVar(&trailDir, "trail-dir", "", "write a CloudTrail delivery file under `DIR` (AWSLogs/... layout, gzip)")
	fs.VarP(newOutputFlag(&output), "output", "o", "output format: table or json")
	var ruleDirs, dataFiles []string
	var noAudit bool
	fs.StringArrayVar(&ruleDirs, "rules", nil, "also audit the trail with the Rego trail rules in `DIR` (repeatable)")
	fs.StringArrayVar(&dataFiles, "data", nil, "allowlists for the audit: `FILE`, as for keytrail trail audit (repeatable)")
	fs.BoolVar(&noAudit, "no-audit", false, "do not audit the trail")
	if done, code := parseFlags(fs, args, s); done {
		return code
	}
	if trailOut != "" && trailDir != "" {
		return usageError(s, "simulate", "give --trail-out or --trail-dir, not both")
	}
	if fs.NArg() > 1 {
		return usageError(s, "simulate", "expected at most one SCENARIO file")
	}
	title := "The seed walkthrough: S3 SSE-KMS with alias/myFirstKey in account 526262051452 (simulated)"
	var w *simulate.World
	var steps []simulate.Step
	var err error
	if fs.NArg() == 1 {
		sc, lerr := simulate.LoadScenarioFile(fs.Arg(0))
		if lerr != nil {
			return inputError(s, lerr)
		}
		title = fmt.Sprintf("%s: %s (simulated)", fs.Arg(0), sc.Description)
		w, steps, err = sc.Build(seed)
	} else {
		w, steps, err = simulate.SeedWalkthrough(seed)
	}
	if err != nil {
		return inputError(s, err)
	}
	defer w.Close()
	rec := w.Record()
	results := simulate.Run(w, steps)
	switch {
	case trailOut != "":
		f, err := os.Create(trailOut)
		if err != nil {
			return inputError(s, fmt.Errorf("failed to write trail: %w", err))
		}
		err = rec.WriteLog(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return inputError(s, err)
		}
		fmt.Fprintf(s.err, "keytrail: wrote %d CloudTrail records to %s\n", len(rec.Records), trailOut)
	case trailDir != "":
		path, err := rec.WriteDelivery(trailDir)
		if err != nil {
			return inputError(s, err)
		}
		fmt.Fprintf(s.err, "keytrail: wrote %d CloudTrail records to %s\n", len(rec.Records), path)
	}
	var findings []rules.AuditFinding
	if !noAudit {
		var log bytes.Buffer
		if err := rec.WriteLog(&log); err != nil {
			return inputError(s, err)
		}
		name := "<simulated trail>"
		if trailOut != "" {
			name = trailOut
		}
		if findings, err = auditLog(name, log.Bytes(), ruleDirs, dataFiles); err != nil {
			return inputError(s, err)
		}
	}
	failed := 0
	for _, r := range results {
		if !r.AsExpect {
			failed++
		}
	}
	if output == "json" {
		if findings == nil {
			findings = []rules.AuditFinding{}
		}
		if err := writeJSONIndent(s.out, map[string]any{"steps": results, "audit": findings}); err != nil {
			return inputError(s, err)
		}
	} else {
		fmt.Fprintln(s.out, title)
		var rows [][]string
		for _, r := range results {
			mark := "as expected"
			if !r.AsExpect {
				mark = "EXPECTED " + r.Expect
			}
			rows = append(rows, []string{fmt.Sprint(r.Step), r.Actor, r.Call, r.Outcome, mark, r.Why})
		}
		if err := table(s.out, []string{"#", "ACTOR", "CALL", "OUTCOME", "CHECK", "WHY"}, rows); err != nil {
			return inputError(s, err)
		}
		fmt.Fprintf(s.out, "%d steps, %d as expected, %d not\n", len(results), len(results)-failed, failed)
		if !noAudit {
			fmt.Fprintf(s.out, "\nTrail audit (%d records, keytrail trail audit's rules): ", len(rec.Records))
			if len(findings) == 0 {
				fmt.Fprintln(s.out, "no findings")
			} else {
				fmt.Fprintln(s.out)
				if err := writeAuditTable(s.out, findings); err != nil {
					return inputError(s, err)
				}
			}
		}
	}
	if failed > 0 {
		return exitDenied
	}
	return exitOK
}

// auditLog audits a CloudTrail log held in memory with the trail rules.
func auditLog(name string, log []byte, ruleDirs, dataFiles []string) ([]rules.AuditFinding, error) {
	config, err := audit.LoadData(dataFiles)
	if err != nil {
		return nil, err
	}
	au, err := audit.New(context.Background(), audit.Options{RuleDirs: ruleDirs, Config: config})
	if err != nil {
		return nil, err
	}
	if _, err := trail.Read(bytes.NewReader(log), name, trail.Options{}, au.Add); err != nil {
		return nil, err
	}
	fs, _, err := au.Close()
	return fs, err
}
