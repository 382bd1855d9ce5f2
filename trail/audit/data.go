package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"go.yaml.in/yaml/v3"
)

// knownData are the --data members the built-in rules read, with the shape each must have.
// Other members are left for users' rules.
var knownData = map[string]string{
	"key_users":        "map",  // key ARN pattern → principal patterns (unexpected-key-user)
	"s3_keys":          "list", // key ARN patterns (s3-key-used-outside-s3)
	"imported_keys":    "list", // key ARN patterns (imported-key-material)
	"sse_kms_buckets":  "list", // bucket patterns (object-not-sse-kms, bucket-encryption-changed)
	"trusted_accounts": "list", // account ids (key-policy-changed, grant-not-for-aws-resource, cross-account-key-use)
	"thresholds":       "map",  // rule id → {threshold, window}
}

// LoadData reads --data files (JSON or YAML objects) and merges them in order: objects merge
// member by member, lists concatenate, other values are replaced.
func LoadData(files []string) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("failed to read data: %w", err)
		}
		var m map[string]any
		if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
			dec := json.NewDecoder(bytes.NewReader(b))
			if err := dec.Decode(&m); err != nil {
				return nil, fmt.Errorf("%s: not a JSON object: %w", f, err)
			}
		} else if err := yaml.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: not a YAML or JSON object: %w", f, err)
		}
		if m == nil {
			return nil, fmt.Errorf("%s: expected an object such as {\"trusted_accounts\": [\"111122223333\"]}", f)
		}
		if err := checkData(f, m); err != nil {
			return nil, err
		}
		merge(out, m)
	}
	return out, nil
}

func checkData(file string, m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch knownData[k] {
		case "list":
			if !stringList(m[k]) {
				return fmt.Errorf("%s: %s must be a list of strings", file, k)
			}
		case "map":
			obj, ok := m[k].(map[string]any)
			if !ok {
				return fmt.Errorf("%s: %s must be an object", file, k)
			}
			if k == "key_users" {
				for kk, v := range obj {
					if !stringList(v) {
						return fmt.Errorf("%s: key_users[%q] must be a list of principal patterns", file, kk)
					}
				}
			}
		}
	}
	return nil
}

func stringList(v any) bool {
	l, ok := v.([]any)
	if !ok {
		return false
	}
	for _, x := range l {
		if _, ok := x.(string); !ok {
			return false
		}
	}
	return true
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		switch x := v.(type) {
		case map[string]any:
			if d, ok := dst[k].(map[string]any); ok {
				merge(d, x)
				continue
			}
		case []any:
			if d, ok := dst[k].([]any); ok {
				dst[k] = append(d, x...)
				continue
			}
		}
		dst[k] = v
	}
}
