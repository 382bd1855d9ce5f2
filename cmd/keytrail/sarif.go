package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/keytrail/keytrail/rules"
)

// sarifLog renders findings as SARIF 2.1.0: one rule per check id, a region per finding, and
// partialFingerprints (check, file, statement, message) so code scanning tracks a finding
// across edits that move it.
func sarifLog(checks []rules.Rule, fs []rules.Finding) map[string]any {
	levels := map[string]string{"error": "error", "warning": "warning", "info": "note", "": "warning"}
	var ruleList []any
	index := map[string]int{}
	for _, c := range checks {
		index[c.ID] = len(ruleList)
		ruleList = append(ruleList, map[string]any{
			"id":                   c.ID,
			"name":                 c.ID,
			"shortDescription":     map[string]any{"text": c.Title},
			"defaultConfiguration": map[string]any{"level": levels[c.Severity]},
			"properties":           map[string]any{"source": c.Source},
		})
	}
	results := []any{}
	for _, f := range fs {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%v\x00%s", f.ID, f.File, f.Statement, f.Message)))
		r := map[string]any{
			"ruleId":  f.ID,
			"level":   levels[f.Severity],
			"message": map[string]any{"text": f.Message},
			"locations": []any{map[string]any{"physicalLocation": map[string]any{
				"artifactLocation": map[string]any{"uri": sarifURI(f.File)},
				"region":           map[string]any{"startLine": max(f.Line, 1), "startColumn": max(f.Col, 1)},
			}}},
			"partialFingerprints": map[string]any{"keytrailFinding/v1": hex.EncodeToString(sum[:16])},
		}
		if i, ok := index[f.ID]; ok {
			r["ruleIndex"] = i
		}
		if f.Suppressed {
			r["suppressions"] = []any{map[string]any{"kind": "external", "justification": f.Justification}}
		}
		results = append(results, r)
	}
	return map[string]any{
		"version": "2.1.0",
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs": []any{map[string]any{
			"tool":    map[string]any{"driver": map[string]any{"name": "keytrail", "version": version, "informationUri": "https://github.com/keytrail/keytrail", "rules": ruleList}},
			"results": results,
		}},
	}
}

// sarifURI turns a file name into a relative URI reference: slashes, percent-encoded
// segments; standard input is "stdin".
func sarifURI(file string) string {
	if file == "<stdin>" {
		return "stdin"
	}
	segs := strings.Split(filepath.ToSlash(file), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
