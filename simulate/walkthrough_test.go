package simulate

import "testing"

// TestSeedWalkthrough: every step of the embedded scenario ends as expected, and the same seed
// gives the same run.
func TestSeedWalkthrough(t *testing.T) {
	run := func() []Result {
		w, steps, err := SeedWalkthrough(1)
		if err != nil {
			t.Fatal(err)
		}
		return Run(w, steps)
	}
	first := run()
	for _, r := range first {
		if !r.AsExpect {
			t.Errorf("step %d %s %q: %s (%s), expected %s", r.Step, r.Actor, r.Call, r.Outcome, r.Why, r.Expect)
		}
	}
	second := run()
	for i := range first {
		if first[i] != second[i] {
			t.Errorf("step %d differs between runs with one seed: %+v vs %+v", i+1, first[i], second[i])
		}
	}
}
