package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/keytrail/keytrail/policy"
	"github.com/keytrail/keytrail/simulate/kms"
	"github.com/keytrail/keytrail/simulate/s3"
)

// Scenario is a scenario file: the world (account, principals, keys, buckets) and the steps,
// each with its expected outcome ("ok" or an error code).
type Scenario struct {
	Description string          `yaml:"description"`
	Account     string          `yaml:"account"`
	Region      string          `yaml:"region"`
	Start       time.Time       `yaml:"start"`
	Principals  []principalSpec `yaml:"principals"`
	Keys        []keySpec       `yaml:"keys"`
	Buckets     []bucketSpec    `yaml:"buckets"`
	Steps       []yaml.Node     `yaml:"steps"`

	read func(name string) ([]byte, error) // reads files the scenario names
	dir  string
	file string
}

type principalSpec struct {
	ARN      string      `yaml:"arn"`
	Name     string      `yaml:"name"`
	Policies []yaml.Node `yaml:"policies"`
}

type keySpec struct {
	ID     string    `yaml:"id"`
	Alias  string    `yaml:"alias"`
	Policy yaml.Node `yaml:"policy"`
	State  string    `yaml:"state"`
}

type bucketSpec struct {
	Name       string    `yaml:"name"`
	Account    string    `yaml:"account"`
	Policy     yaml.Node `yaml:"policy"`
	DefaultSSE string    `yaml:"default-sse"`
	DefaultKey string    `yaml:"default-kms-key"`
	BucketKey  bool      `yaml:"bucket-key"`
}

// LoadScenario reads a scenario from a file system (the embedded fixtures); paths in it are
// relative to the scenario, within fsys.
func LoadScenario(fsys fs.FS, file string) (*Scenario, error) {
	return loadScenario(file, path.Dir(file), func(name string) ([]byte, error) { return fs.ReadFile(fsys, path.Clean(name)) })
}

// LoadScenarioFile reads a scenario file from disk; paths in it are relative to the file.
func LoadScenarioFile(file string) (*Scenario, error) {
	return loadScenario(file, filepath.Dir(file), os.ReadFile)
}

func loadScenario(file, dir string, read func(string) ([]byte, error)) (*Scenario, error) {
	data, err := read(file)
	if err != nil {
		return nil, fmt.Errorf("failed to read scenario: %w", err)
	}
	var sc Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	sc.read, sc.dir, sc.file = read, dir, file
	switch {
	case len(sc.Account) != 12 || strings.Trim(sc.Account, "0123456789") != "":
		return nil, fmt.Errorf("%s: account must be a 12-digit account id", file)
	case sc.Region == "":
		return nil, fmt.Errorf("%s: region is required", file)
	case len(sc.Steps) == 0:
		return nil, fmt.Errorf("%s: the scenario has no steps", file)
	}
	if sc.Start.IsZero() {
		sc.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return &sc, nil
}

// path resolves a path the scenario gives: relative to its file, unless absolute.
func (sc *Scenario) path(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(sc.dir, name)
}

// policyOf reads a policy given inline (a YAML mapping) or as a path relative to the file.
func (sc *Scenario) policyOf(n *yaml.Node, kind policy.Kind, label string) (*policy.Policy, error) {
	if n.Kind == 0 {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode {
		p := sc.path(n.Value)
		data, err := sc.read(p)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: failed to read policy: %w", sc.file, n.Line, label, err)
		}
		if kind == policy.Key || kind == policy.Resource {
			return policy.ParseResource(p, kind, data)
		}
		return policy.Parse(p, kind, data)
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s:%d: %s: %w", sc.file, n.Line, label, err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %s: %w", sc.file, n.Line, label, err)
	}
	p, err := policy.Parse(fmt.Sprintf("%s:%d (%s)", sc.file, n.Line, label), kind, data)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Build makes the scenario's world and steps.
func (sc *Scenario) Build(seed uint64) (*World, []Step, error) {
	w := NewWorld(sc.Account, sc.Region, sc.Start, seed)
	names := map[string]string{"anonymous": "anonymous"}
	for i, p := range sc.Principals {
		var pols []*policy.Policy
		for j := range p.Policies {
			pol, err := sc.policyOf(&p.Policies[j], policy.Identity, fmt.Sprintf("principals[%d].policies[%d]", i, j))
			if err != nil {
				return nil, nil, err
			}
			pols = append(pols, pol)
		}
		id, err := w.AddIdentity(p.ARN, pols...)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: principals[%d]: %w", sc.file, i, err)
		}
		name := p.Name
		if name == "" {
			name = id.Principal.Name
		}
		names[name] = p.ARN
	}
	for i, k := range sc.Keys {
		pol, err := sc.policyOf(&k.Policy, policy.Key, fmt.Sprintf("keys[%d].policy", i))
		if err != nil {
			return nil, nil, err
		}
		key, err := w.KMS.CreateKey(k.ID, pol, "")
		if err != nil {
			return nil, nil, fmt.Errorf("%s: keys[%d]: %w", sc.file, i, err)
		}
		if k.Alias != "" {
			if err := w.KMS.CreateAlias(k.Alias, key.ID); err != nil {
				return nil, nil, fmt.Errorf("%s: keys[%d]: %w", sc.file, i, err)
			}
		}
		switch k.State {
		case "", "Enabled":
		case "Disabled":
			key.State = kms.Disabled
		default:
			return nil, nil, fmt.Errorf("%s: keys[%d]: state %q: expected Enabled or Disabled", sc.file, i, k.State)
		}
	}
	for i, b := range sc.Buckets {
		pol, err := sc.policyOf(&b.Policy, policy.Resource, fmt.Sprintf("buckets[%d].policy", i))
		if err != nil {
			return nil, nil, err
		}
		acct := b.Account
		if acct == "" {
			acct = sc.Account
		}
		if err := w.S3.CreateBucket(&s3.Bucket{Name: b.Name, Account: acct, Policy: pol, DefaultSSE: b.DefaultSSE, DefaultKMSKey: b.DefaultKey, BucketKey: b.BucketKey}); err != nil {
			return nil, nil, fmt.Errorf("%s: buckets[%d]: %w", sc.file, i, err)
		}
	}
	b := &stepBuilder{sc: sc, w: w, names: names, urls: map[string]string{}, grants: map[string]grantNames{}, bodies: map[string]content{}, blobs: map[string]cipherText{}}
	var steps []Step
	for i := range sc.Steps {
		st, err := b.step(i, &sc.Steps[i])
		if err != nil {
			return nil, nil, err
		}
		steps = append(steps, st)
	}
	return w, steps, nil
}

type stepBuilder struct {
	sc     *Scenario
	w      *World
	names  map[string]string     // actor name → ARN
	urls   map[string]string     // presigned URLs by name
	grants map[string]grantNames // grants by name
	bodies map[string]content    // bucket/key → what was put
	blobs  map[string]cipherText
}

// MaxStepBody is the largest body a step may ask for with size:.
const MaxStepBody = 1 << 30

// stepArgs are the fields a step action may take.
type stepArgs struct {
	As        string `yaml:"as"`
	Bucket    string `yaml:"bucket"`
	Key       string `yaml:"key"`
	Body      string `yaml:"body"`
	Size      int    `yaml:"size"`
	SSE       string `yaml:"sse"`
	KMSKey    string `yaml:"kms-key"`
	Expires   int    `yaml:"expires"`
	BucketKey *bool  `yaml:"bucket-key"`
	Name      string `yaml:"name"`
	URL       string `yaml:"url"`
	Call      string `yaml:"call"`
	From      string `yaml:"from"`      // copy: the source, BUCKET/KEY
	PartSize  int    `yaml:"part-size"` // multipart: bytes per part (default 5 MiB)
	Method    string `yaml:"method"`    // presign, fetch: GET (default) or PUT
	HTTP      bool   `yaml:"http"`      // fetch: over plain HTTP instead of HTTPS
	Region    string `yaml:"region"`    // presign: sign for another Region
	Days      int    `yaml:"days"`
	// kms create-grant / retire-grant / revoke-grant / put-key-policy
	Grantee    string            `yaml:"grantee"`
	Retiring   string            `yaml:"retiring-principal"`
	Operations []string          `yaml:"operations"`
	Subset     map[string]string `yaml:"encryption-context-subset"`
	Equals     map[string]string `yaml:"encryption-context-equals"`
	Grant      string            `yaml:"grant"`
	GrantToken string            `yaml:"grant-token"` // retire-grant: the named grant's token
	Policy     yaml.Node         `yaml:"policy"`
	Bypass     bool              `yaml:"bypass-lockout-safety-check"`
	// kms generate-data-key / encrypt / decrypt / re-encrypt
	Context     map[string]string `yaml:"encryption-context"`
	KeySpec     string            `yaml:"key-spec"`
	Bytes       int               `yaml:"number-of-bytes"`
	Ciphertext  string            `yaml:"ciphertext"` // the name a generate-data-key, encrypt or re-encrypt saved
	DestKey     string            `yaml:"destination-key"`
	DestContext map[string]string `yaml:"destination-encryption-context"`
}

func (b *stepBuilder) step(i int, n *yaml.Node) (Step, error) {
	where := fmt.Sprintf("%s:%d: step %d", b.sc.file, n.Line, i+1)
	if n.Kind != yaml.MappingNode {
		return Step{}, fmt.Errorf("%s: a step is a mapping such as {put: {...}, expect: ok}", where)
	}
	st := Step{Expect: "ok"}
	var action string
	var args stepArgs
	var advance time.Duration
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j].Value, n.Content[j+1]
		switch k {
		case "expect":
			st.Expect = v.Value
		case "advance":
			d, err := time.ParseDuration(v.Value)
			if err != nil || d <= 0 {
				return Step{}, fmt.Errorf("%s: advance %q: expected a duration such as 61m", where, v.Value)
			}
			action, advance = k, d
		case "put", "copy", "multipart", "get", "head", "fetch", "presign", "kms":
			if action != "" {
				return Step{}, fmt.Errorf("%s: one action per step (%s and %s)", where, action, k)
			}
			dec := v
			if err := dec.Decode(&args); err != nil {
				return Step{}, fmt.Errorf("%s: %s: %w", where, k, err)
			}
			action = k
		default:
			return Step{}, fmt.Errorf("%s: unknown field %q (expected put, copy, multipart, get, head, fetch, presign, kms, advance, expect)", where, k)
		}
	}
	if args.Size < 0 || args.Size > MaxStepBody {
		return Step{}, fmt.Errorf("%s: size %d: expected 0 to %d bytes", where, args.Size, MaxStepBody)
	}
	if args.PartSize < 0 {
		return Step{}, fmt.Errorf("%s: part-size %d: expected a positive size", where, args.PartSize)
	}
	if action == "" {
		return Step{}, fmt.Errorf("%s: no action (put, copy, multipart, get, head, fetch, presign, kms or advance)", where)
	}
	actor := func() (*Identity, policy.Principal, error) {
		if args.As == "" || args.As == "anonymous" {
			p, _ := policy.ParsePrincipal("anonymous")
			return nil, p, nil
		}
		arn, ok := b.names[args.As]
		if !ok {
			arn = args.As
		}
		id := b.w.Identity(arn)
		if id == nil {
			return nil, policy.Principal{}, fmt.Errorf("%s: unknown principal %q", where, args.As)
		}
		return id, id.Principal, nil
	}
	id, p, err := actor()
	if err != nil {
		return Step{}, err
	}
	st.Actor = args.As
	if st.Actor == "" {
		st.Actor = "anonymous"
	}
	signed := s3.Request{Caller: p, SigV4: true, HTTPS: true}
	obj := args.Bucket + "/" + args.Key
	switch action {
	case "advance":
		st.Actor, st.Call = "clock", "advance "+advance.String()
		st.Do = func(w *World) (string, error) { w.Advance(advance); return "now " + w.Now.Format(time.RFC3339), nil }
	case "put", "copy", "multipart":
		opts := s3.PutOptions{SSE: args.SSE, KMSKeyID: args.KMSKey, BucketKey: args.BucketKey}
		st.Call = fmt.Sprintf("PutObject s3://%s", obj)
		if action == "copy" {
			if !strings.Contains(args.From, "/") {
				return Step{}, fmt.Errorf("%s: copy: from: expected the source as BUCKET/KEY", where)
			}
			st.Call = fmt.Sprintf("CopyObject s3://%s to s3://%s", args.From, obj)
		}
		if action == "multipart" {
			st.Call = fmt.Sprintf("multipart upload s3://%s", obj)
		}
		if args.SSE != "" {
			st.Call += " --sse " + args.SSE
		}
		if args.KMSKey != "" {
			st.Call += " --sse-kms-key-id " + args.KMSKey
		}
		st.Do = func(w *World) (string, error) {
			body := args.body() // built when the step runs, not when the scenario loads
			var r *s3.PutResult
			var err error
			switch action {
			case "copy":
				src, srcKey, _ := strings.Cut(args.From, "/")
				r, err = w.S3.CopyObject(signed, src, srcKey, args.Bucket, args.Key, opts)
				body = b.bodies[args.From]
			case "multipart":
				r, err = multipart(w.S3, signed, args.Bucket, args.Key, body, args.PartSize, opts)
			default:
				r, err = w.S3.PutObject(signed, args.Bucket, args.Key, body.reader(0, body.size()), opts)
			}
			if err != nil {
				return "", err
			}
			b.bodies[obj] = body
			if r.KMSKeyID != "" {
				bk := ""
				if r.BucketKey {
					bk = " (bucket key)"
				}
				return fmt.Sprintf("%d bytes, SSE %s with %s%s", body.size(), r.SSE, r.KMSKeyID, bk), nil
			}
			return fmt.Sprintf("%d bytes, SSE %s", body.size(), r.SSE), nil
		}
	case "get", "head":
		st.Call = fmt.Sprintf("GetObject s3://%s", obj)
		if action == "head" {
			st.Call = fmt.Sprintf("HeadObject s3://%s", obj)
		}
		st.Do = func(w *World) (string, error) {
			if action == "head" {
				r, err := w.S3.HeadObject(signed, args.Bucket, args.Key)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("%d bytes, SSE %s", r.Size, r.SSE), nil
			}
			out := b.checker(obj)
			r, err := w.S3.GetObject(signed, args.Bucket, args.Key, out.writer())
			if err != nil {
				return "", err
			}
			return b.check(out, r)
		}
	case "presign", "fetch":
		switch args.Method {
		case "":
			args.Method = "GET"
		case "GET", "PUT":
		default:
			return Step{}, fmt.Errorf("%s: %s: method %q: expected GET or PUT", where, action, args.Method)
		}
	}
	switch action {
	case "presign":
		if id == nil {
			return Step{}, fmt.Errorf("%s: presign needs a principal with an access key (as: NAME)", where)
		}
		exp := args.Expires
		if exp == 0 {
			exp = 3600
		}
		st.Call = fmt.Sprintf("aws s3 presign s3://%s --expires-in %d", obj, exp)
		if args.Method != "GET" {
			st.Call = fmt.Sprintf("presign %s s3://%s --expires-in %d", args.Method, obj, exp)
		}
		if args.Region != "" {
			st.Call += " --region " + args.Region
		}
		st.Do = func(w *World) (string, error) {
			u, err := w.Presign(id, args.Method, args.Region, args.Bucket, args.Key, time.Duration(exp)*time.Second)
			if err != nil {
				return "", err
			}
			if args.Name != "" {
				b.urls[args.Name] = u
			}
			return "a SigV4 URL valid until " + w.Now.Add(time.Duration(exp)*time.Second).Format(time.RFC3339), nil
		}
	case "fetch":
		st.Call = args.Method + " " + args.URL
		st.Do = func(w *World) (string, error) {
			body := args.body()
			u, err := b.url(args, id, where)
			if err != nil {
				return "", err
			}
			if args.HTTP {
				u = "http://" + strings.TrimPrefix(u, "https://")
			}
			out := b.checker(obj)
			r, err := w.Fetch(args.Method, u, body.reader(0, body.size()), out.writer())
			if err != nil {
				return "", err
			}
			if args.Method == "PUT" {
				if args.Bucket != "" {
					b.bodies[obj] = body
				}
				r.Size = body.size()
				return b.check(nil, r)
			}
			return b.check(out, r)
		}
		if strings.HasPrefix(args.URL, "$") {
			st.Actor = "anyone with the URL"
			st.Call = args.Method + " the presigned URL " + args.URL
		}
		if args.HTTP {
			st.Call += " over plain HTTP"
		}
	case "kms":
		if err := b.kmsStep(&st, args, p, where); err != nil {
			return Step{}, err
		}
	}
	return st, nil
}

// url resolves a fetch's URL: public (unsigned), sigv2 (signed with SigV2 by the actor), a
// presigned URL saved by name ($name), or a literal URL.
func (b *stepBuilder) url(a stepArgs, id *Identity, where string) (string, error) {
	host := a.Bucket + ".s3." + b.w.Region + ".amazonaws.com"
	if b.w.Region == "us-east-1" {
		host = a.Bucket + ".s3.amazonaws.com"
	}
	switch {
	case a.URL == "public":
		return "https://" + host + "/" + a.Key, nil
	case a.URL == "sigv2":
		if id == nil {
			return "", fmt.Errorf("%s: a SigV2 URL needs a principal (as: NAME)", where)
		}
		exp := b.w.Now.Add(time.Hour).Unix()
		return "https://" + host + "/" + a.Key + "?AWSAccessKeyId=" + id.Key.AccessKeyID + "&Expires=" + strconv.FormatInt(exp, 10) + "&Signature=sigv2", nil
	case strings.HasPrefix(a.URL, "$"):
		u, ok := b.urls[a.URL[1:]]
		if !ok {
			return "", fmt.Errorf("%s: no presigned URL named %s (presign: {name: ...} first)", where, a.URL)
		}
		return u, nil
	}
	return a.URL, nil
}

// check compares a fetched object with what was put.
// checker compares what a get returns with what was put, when a step put it.
func (b *stepBuilder) checker(obj string) *checker {
	want, ok := b.bodies[obj]
	if !ok {
		return nil
	}
	return &checker{want: want}
}

func (b *stepBuilder) check(out *checker, r *s3.GetResult) (string, error) {
	if out != nil {
		if err := out.err(); err != nil {
			return "", err
		}
	}
	if r.KMSKeyID != "" {
		return fmt.Sprintf("%d bytes, SSE %s with %s", r.Size, r.SSE, r.KMSKeyID), nil
	}
	return fmt.Sprintf("%d bytes, SSE %s", r.Size, r.SSE), nil
}

// multipart uploads body in parts of partSize bytes (default s3.MinPartSize).
func multipart(s *s3.S3, r s3.Request, bucket, key string, body content, partSize int, o s3.PutOptions) (*s3.PutResult, error) {
	if partSize <= 0 {
		partSize = s3.MinPartSize
	}
	id, _, err := s.CreateMultipartUpload(r, bucket, key, o)
	if err != nil {
		return nil, err
	}
	for n, off := 1, int64(0); off < body.size() || n == 1; n++ {
		end := min(off+int64(partSize), body.size())
		if _, err := s.UploadPart(r, bucket, key, id, n, body.reader(off, end)); err != nil {
			return nil, err
		}
		off = end
	}
	return s.CompleteMultipartUpload(r, bucket, key, id)
}

// body is a put's or fetch's body: body:, or size: bytes of filler.
func (a stepArgs) body() content {
	if a.Size > 0 {
		return content{filler: int64(a.Size)}
	}
	return content{text: append([]byte{}, a.Body...)}
}
