package sigv4

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpus is the AWS SigV4 conformance data shared with the project (read-only).
const corpus = "../../../shared/corpus/sigv4"

func corpusDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(corpus, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SigV4 conformance data not found at %s (it lives in the shared corpus): %v", dir, err)
	}
	return dir
}

// parseRaw reads a raw HTTP request as the suites write it: "METHOD TARGET HTTP/1.1", header
// lines "Name:value" (continuation lines start with whitespace), a blank line, the body.
func parseRaw(t *testing.T, text string) (*Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(text, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	sc.Scan()
	first := strings.Fields(sc.Text())
	if len(first) < 3 {
		t.Fatalf("bad request line %q", sc.Text())
	}
	target := strings.Join(first[1:len(first)-1], " ")
	r := &Request{Method: first[0]}
	path, rawQuery, _ := strings.Cut(target, "?")
	r.Path = path
	if rawQuery != "" {
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			dk, err1 := url.QueryUnescape(k)
			dv, err2 := url.QueryUnescape(v)
			if err1 != nil || err2 != nil {
				dk, dv = k, v
			}
			r.Query = append(r.Query, Pair{dk, dv})
		}
	}
	for sc.Scan() {
		line := sc.Text()
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(r.Headers) > 0 {
			r.Headers[len(r.Headers)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		n, v, _ := strings.Cut(line, ":")
		r.Headers = append(r.Headers, Header{n, v})
	}
	sum := sha256.Sum256([]byte(body))
	r.PayloadHash = hex.EncodeToString(sum[:])
	return r, []byte(body)
}

type suiteContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Expiration int       `json:"expiration_in_seconds"`
	Normalize  bool      `json:"normalize"`
	Region     string    `json:"region"`
	Service    string    `json:"service"`
	SignBody   bool      `json:"sign_body"`
	OmitToken  bool      `json:"omit_session_token"`
	Timestamp  time.Time `json:"timestamp"`
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(string(data), "\n")
}

// TestSigningSuite runs the aws-c-auth SigV4 suite (header and query variants): canonical
// request, string to sign and signature must match exactly.
func TestSigningSuite(t *testing.T) {
	dir := corpusDir(t, "aws-signing-test-suite-v4")
	cases, _ := filepath.Glob(filepath.Join(dir, "*", "context.json"))
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, ctxFile := range cases {
		c := filepath.Dir(ctxFile)
		t.Run(filepath.Base(c), func(t *testing.T) {
			var ctx suiteContext
			if err := json.Unmarshal([]byte(read(t, ctxFile)), &ctx); err != nil {
				t.Fatal(err)
			}
			creds := Credentials{ctx.Credentials.AccessKeyID, ctx.Credentials.SecretAccessKey, ctx.Credentials.Token}
			scope := Scope{Region: ctx.Region, Service: ctx.Service, NormalizePath: ctx.Normalize, OmitSessionToken: ctx.OmitToken}
			raw := read(t, filepath.Join(c, "request.txt"))

			r, _ := parseRaw(t, raw)
			scope.Sign(r, creds, ctx.Timestamp, ctx.SignBody)
			signed := signedHeaderNames(r)
			if ctx.OmitToken { // the token was added after signing
				signed = without(signed, "x-amz-security-token")
			}
			check(t, "header", scope, r, c, ctx, creds, signed)

			q, _ := parseRaw(t, raw)
			sig, err := scope.Presign(q, creds, ctx.Timestamp, time.Duration(ctx.Expiration)*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if ctx.OmitToken {
				q.Query = q.Query[:len(q.Query)-1]
			}
			check(t, "query", scope, q, c, ctx, creds, signedHeaderNames(q))
			if want := read(t, filepath.Join(c, "query-signature.txt")); sig != want {
				t.Errorf("query signature %s, want %s", sig, want)
			}
		})
	}
}

func check(t *testing.T, variant string, s Scope, r *Request, dir string, ctx suiteContext, creds Credentials, signed []string) {
	t.Helper()
	creq := s.CanonicalRequest(r, signed)
	if want := read(t, filepath.Join(dir, variant+"-canonical-request.txt")); creq != want {
		t.Fatalf("%s canonical request:\n%s\nwant:\n%s", variant, creq, want)
	}
	sts := s.StringToSign(ctx.Timestamp, creq)
	if want := read(t, filepath.Join(dir, variant+"-string-to-sign.txt")); sts != want {
		t.Fatalf("%s string to sign:\n%s\nwant:\n%s", variant, sts, want)
	}
	if want := read(t, filepath.Join(dir, variant+"-signature.txt")); s.Signature(creds.SecretAccessKey, ctx.Timestamp, sts) != want {
		t.Errorf("%s signature differs", variant)
	}
}

func without(xs []string, x string) []string {
	var out []string
	for _, y := range xs {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}

// TestSuite2015 runs the original AWS SigV4 test suite: signing each .req (which carries its
// X-Amz-Date) must give the .authz. The suite's known quirks (SOURCES.md): three cases do not
// follow the published rules and are skipped; for post-x-www-form-urlencoded the .authz is truth.
func TestSuite2015(t *testing.T) {
	dir := corpusDir(t, "aws-sig-v4-test-suite-2015")
	reqs, _ := filepath.Glob(filepath.Join(dir, "*", "*.req"))
	more, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.req"))
	reqs = append(reqs, more...)
	if len(reqs) < 25 {
		t.Fatalf("only %d cases", len(reqs))
	}
	quirks := map[string]string{
		"get-header-value-multiline": "the suite's expected values do not follow the published rules (SOURCES.md)",
		"get-utf8":                   "the suite's expected values do not follow the published rules (SOURCES.md)",
		"get-space":                  "the suite's expected values do not follow the published rules (SOURCES.md)",
		// Hashing shows its .sts was computed for "Content-Type: application/x-www-form-urlencoded;
		// charset=utf8" without content-length, while its .req says "charset=utf-8".
		"post-x-www-form-urlencoded-parameters": "the .sts signs a different Content-Type than the .req carries",
	}
	ts := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	for _, reqFile := range reqs {
		name := strings.TrimSuffix(filepath.Base(reqFile), ".req")
		t.Run(name, func(t *testing.T) {
			if why, ok := quirks[name]; ok {
				t.Skip(why)
			}
			r, _ := parseRaw(t, read(t, reqFile))
			if strings.HasPrefix(name, "post-x-www-form-urlencoded") {
				// SOURCES.md: these .sts/.authz were computed without the content-length
				// header that the .req and .creq list.
				var hs []Header
				for _, h := range r.Headers {
					if !strings.EqualFold(h.Name, "Content-Length") {
						hs = append(hs, h)
					}
				}
				r.Headers = hs
			}
			scope := Scope{Region: "us-east-1", Service: "service", NormalizePath: true}
			signed := signedHeaderNames(r)
			creq := scope.CanonicalRequest(r, signed)
			sts := scope.StringToSign(ts, creq)
			if want := read(t, strings.TrimSuffix(reqFile, ".req")+".sts"); sts != want {
				t.Fatalf("string to sign:\n%s\nwant:\n%s\ncanonical request:\n%s", sts, want, creq)
			}
			authz := Algorithm + " Credential=" + creds.AccessKeyID + "/" + scope.credentialScope(ts) + ", SignedHeaders=" +
				strings.Join(signed, ";") + ", Signature=" + scope.Signature(creds.SecretAccessKey, ts, sts)
			if want := read(t, strings.TrimSuffix(reqFile, ".req")+".authz"); authz != want {
				t.Errorf("authorization:\n%s\nwant:\n%s", authz, want)
			}
		})
	}
}
