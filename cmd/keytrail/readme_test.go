package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestReadme runs every "$ keytrail ..." line inside the README's code blocks and compares
// what follows it (up to the next "$ " line or the end of the block) with the command's
// output, so the README's examples stay true. go test -update rewrites them.
func TestReadme(t *testing.T) {
	t.Chdir("../..")
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	var out strings.Builder
	inBlock, ran := false, 0
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		out.WriteString(line)
		if strings.HasPrefix(line, "```") {
			inBlock = !inBlock
			continue
		}
		if !inBlock || !strings.HasPrefix(line, "$ keytrail ") {
			continue
		}
		// The expected output: up to the next command or the end of the block.
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], "$ ") && !strings.HasPrefix(lines[j], "```") {
			j++
		}
		want := strings.Join(lines[i+1:j], "")
		var stdout, stderr bytes.Buffer
		run(splitArgs(strings.TrimSpace(strings.TrimPrefix(line, "$ keytrail "))), strings.NewReader(""), &stdout, &stderr)
		got := stdout.String() + stderr.String()
		ran++
		if *update {
			out.WriteString(got)
		} else {
			out.WriteString(want)
			if got != want {
				t.Errorf("README: %s--- got ---\n%s--- README says ---\n%s", line, got, want)
			}
		}
		i = j - 1
	}
	if ran == 0 {
		t.Fatal("README has no keytrail examples")
	}
	if *update {
		if err := os.WriteFile("README.md", []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
