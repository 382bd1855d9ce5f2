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

var sarifLevels = map[string]string{"error": "error", "warning": "warning", "info": "note", "": "warning"}

// sarifLog renders lint findings as SARIF 2.1.0: one rule per check id, a region per finding,
// and partialFingerprints (check, file, statement, message) so code scanning tracks a finding
// across edits that move it.
func sarifLog(checks []rules.Rule, fs []rules.Finding) map[string]any {
	ruleList, index := sarifRules(checks)
	results := []any{}
	for _, f := range fs {
		region := map[string]any{"startLine": max(f.Line, 1), "startColumn": max(f.Col, 1)}
		r := sarifResult(index, f.ID, f.Severity, f.Message, f.File, region, fmt.Sprint(f.Statement))
		if f.Suppressed {
			r["suppressions"] = []any{map[string]any{"kind": "external", "justification": f.Justification}}
		}
		results = append(results, r)
	}
	return sarifDoc(ruleList, results)
}

// sarifAudit renders trail audit findings: the region is the record's byte offset in the
// decoded stream, the fingerprint rule, file, eventID and message.
func sarifAudit(checks []rules.Rule, fs []rules.AuditFinding) map[string]any {
	ruleList, index := sarifRules(checks)
	results := []any{}
	for _, f := range fs {
		region := map[string]any{"byteOffset": max(f.Offset, 0)}
		r := sarifResult(index, f.ID, f.Severity, f.Message, f.File, region, f.EventID)
		r["properties"] = map[string]any{"eventID": f.EventID, "eventTime": stamp(f.EventTime), "eventName": f.EventName, "principal": f.Principal, "key": f.Key}
		if f.Resolved {
			r["suppressions"] = []any{map[string]any{"kind": "external", "justification": "resolved by event " + f.ResolvedBy}}
		}
		results = append(results, r)
	}
	return sarifDoc(ruleList, results)
}

func sarifRules(checks []rules.Rule) ([]any, map[string]int) {
	var ruleList []any
	index := map[string]int{}
	for _, c := range checks {
		index[c.ID] = len(ruleList)
		ruleList = append(ruleList, map[string]any{
			"id":                   c.ID,
			"name":                 c.ID,
			"shortDescription":     map[string]any{"text": c.Title},
			"defaultConfiguration": map[string]any{"level": sarifLevels[c.Severity]},
			"properties":           map[string]any{"source": c.Source},
		})
	}
	return ruleList, index
}

func sarifResult(index map[string]int, id, severity, message, file string, region map[string]any, where string) map[string]any {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%s", id, file, where, message)))
	r := map[string]any{
		"ruleId":  id,
		"level":   sarifLevels[severity],
		"message": map[string]any{"text": message},
		"locations": []any{map[string]any{"physicalLocation": map[string]any{
			"artifactLocation": map[string]any{"uri": sarifURI(file)},
			"region":           region,
		}}},
		"partialFingerprints": map[string]any{"keytrailFinding/v1": hex.EncodeToString(sum[:16])},
	}
	if i, ok := index[id]; ok {
		r["ruleIndex"] = i
	}
	return r
}

func sarifDoc(ruleList, results []any) map[string]any {
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
