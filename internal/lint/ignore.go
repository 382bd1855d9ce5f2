package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/keytrail/keytrail/rules"
)

// DefaultIgnoreFile is read from the current directory when it exists and --ignore is not given.
const DefaultIgnoreFile = ".keytrail-ignore.yaml"

// Suppression is one reviewed exception: findings of Check (an id, or "*") in files matching
// Path (a glob, matched against the path as given and against the file name), on Statement
// (a Sid or index; empty for any), are kept but marked suppressed, with Reason.
type Suppression struct {
	Path      string `yaml:"path"`
	Check     string `yaml:"check"`
	Statement string `yaml:"statement"`
	Reason    string `yaml:"reason"`
	line      int
}

// LoadIgnore reads a suppression file: a YAML list of {path, check, statement, reason}. Every
// entry needs a path, a check and a reason, so that reviewers can see why.
func LoadIgnore(file string) ([]Suppression, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("failed to read ignore file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d:%d: expected a list of {path, check, statement, reason}", file, list.Line, list.Column)
	}
	var out []Suppression
	for _, n := range list.Content {
		var s Suppression
		if err := n.Decode(&s); err != nil {
			return nil, fmt.Errorf("%s:%d:%d: %w", file, n.Line, n.Column, err)
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i < len(n.Content); i += 2 {
				switch k := n.Content[i].Value; k {
				case "path", "check", "statement", "reason":
				default:
					return nil, fmt.Errorf("%s:%d:%d: unknown field %q (expected path, check, statement, reason)", file, n.Content[i].Line, n.Content[i].Column, k)
				}
			}
		}
		switch {
		case s.Path == "" || s.Check == "":
			return nil, fmt.Errorf("%s:%d:%d: a suppression needs path and check", file, n.Line, n.Column)
		case strings.TrimSpace(s.Reason) == "":
			return nil, fmt.Errorf("%s:%d:%d: a suppression needs a reason, for reviewers", file, n.Line, n.Column)
		}
		if _, err := filepath.Match(s.Path, ""); err != nil {
			return nil, fmt.Errorf("%s:%d:%d: invalid path glob %q: %w", file, n.Line, n.Column, s.Path, err)
		}
		s.line = n.Line
		out = append(out, s)
	}
	return out, nil
}

// Suppress marks the findings that a suppression covers; it returns how many it marked.
func Suppress(fs []rules.Finding, sups []Suppression) int {
	n := 0
	for i := range fs {
		f := &fs[i]
		for _, s := range sups {
			if s.covers(f) {
				f.Suppressed, f.Justification = true, s.Reason
				n++
				break
			}
		}
	}
	return n
}

func (s Suppression) covers(f *rules.Finding) bool {
	if s.Check != "*" && s.Check != f.ID {
		return false
	}
	if s.Statement != "" && (f.Statement == nil || fmt.Sprint(f.Statement) != s.Statement) {
		return false
	}
	slash := filepath.ToSlash(f.File)
	ok1, _ := filepath.Match(s.Path, slash)
	ok2, _ := filepath.Match(s.Path, filepath.Base(slash))
	return ok1 || ok2
}
