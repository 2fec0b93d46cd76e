package changes

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
	"github.com/atproto-nur/atproto-nur/internal/testcorpus"
)

// The real option sets of ../shared/corpus, compared with themselves
// modified at scale: the test makes the changes in the JSON (as a later
// revision of nixpkgs would have them), reads both files with the
// indexer and requires exactly the changes it made.

// readCorpus returns one corpus file's options.json, decompressed.
func readCorpus(tb testing.TB, name string) []byte {
	tb.Helper()
	f, err := os.Open(testcorpus.Path(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// modified is a later revision of an option set made by the test, and
// what Compare must find between the two.
type modified struct {
	after []byte
	want  map[What]int // changes of each kind
	// unmigrated removals, by name
	unmigrated map[string]bool
	renamed    map[string]string // new name → old name
}

// modify changes one option in 8 (by name order) in one of eight ways, and
// adds 300 options:
//
//	0 renamed, an invisible alias (what mkRenamedOptionModule leaves) at the old name
//	1 removed outright (no helper)
//	2 removed with a mkRemovedOptionModule stub
//	3 given a new type
//	4 given a new default (when it has one)
//	5 its description re-flowed: white space only, not a change
//	6 its description changed
//	7 replaced by a mkChangedOptionModule stub
func modify(tb testing.TB, data []byte) modified {
	tb.Helper()
	var opts map[string]map[string]any
	if err := json.Unmarshal(data, &opts); err != nil {
		tb.Fatal(err)
	}
	names := make([]string, 0, len(opts))
	for n := range opts {
		names = append(names, n)
	}
	sort.Strings(names)
	m := modified{want: map[What]int{}, unmigrated: map[string]bool{}, renamed: map[string]string{}}
	stub := func(o map[string]any) map[string]any {
		return map[string]any{"declarations": o["declarations"], "loc": o["loc"], "readOnly": false,
			"type": "unspecified", "description": nil, "visible": false}
	}
	i := 0
	for _, name := range names {
		o := opts[name]
		desc, _ := o["description"].(string)
		if strings.HasPrefix(desc, "Alias of") {
			continue // already an alias: not a real option
		}
		cat := i % 8
		i++
		switch cat {
		case 0:
			loc := append(append([]any(nil), o["loc"].([]any)...), "renamed")
			newName := name + ".renamed"
			opts[newName] = o
			o["loc"] = loc
			opts[name] = map[string]any{"declarations": o["declarations"], "loc": loc[:len(loc)-1], "readOnly": false,
				"type": o["type"], "visible": false, "description": "Alias of {option}`" + newName + "`."}
			m.want[Renamed]++
			m.renamed[newName] = name
		case 1:
			delete(opts, name)
			m.want[Removed]++
			// Nobody sets a read-only or internal option: its removal
			// needs no helper.
			if ro, _ := o["readOnly"].(bool); !ro && o["internal"] != true {
				m.unmigrated[name] = true
			}
		case 2:
			opts[name] = stub(o)
			m.want[Removed]++
		case 3:
			o["type"] = fmt.Sprint("null or (", o["type"], ")")
			m.want[Type]++
		case 4:
			if o["default"] != nil {
				o["default"] = map[string]any{"_type": "literalExpression", "text": "changedByTest"}
				m.want[Default]++
			}
		case 5:
			o["description"] = "\n  " + strings.ReplaceAll(desc, " ", "\n  ") + "\n\n"
		case 6:
			o["description"] = desc + " Changed."
			m.want[Description]++
		case 7:
			s := stub(o)
			s["default"] = map[string]any{"_type": "literalExpression", "text": `"_mkMergedOptionModule"`}
			opts[name] = s
			m.want[Removed]++
		}
	}
	for k := range 300 {
		name := fmt.Sprintf("services.changesTest%d.enable", k)
		opts[name] = map[string]any{"declarations": []any{}, "loc": []any{"services", fmt.Sprintf("changesTest%d", k), "enable"},
			"readOnly": false, "type": "boolean", "description": "Whether to enable the new service."}
		m.want[Added]++
	}
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(opts); err != nil {
		tb.Fatal(err)
	}
	m.after = b.Bytes()
	return m
}

var (
	nixosOnce                        sync.Once
	nixosBefore, nixosAfter          []indexer.Document
	nixosMod                         modified
	nixosBeforeJSON, nixosAfterBytes []byte
)

// nixosPair loads the NixOS option set and its modified later revision.
func nixosPair(tb testing.TB) ([]indexer.Document, []indexer.Document, modified) {
	tb.Helper()
	data := readCorpus(tb, "nixos-options.json.gz")
	nixosOnce.Do(func() {
		nixosMod = modify(tb, data)
		var err error
		if nixosBefore, err = indexer.ParseOptions("nixos-options.json", data, "NixOS"); err != nil {
			tb.Fatal(err)
		}
		if nixosAfter, err = indexer.ParseOptions("nixos-options-modified.json", nixosMod.after, "NixOS"); err != nil {
			tb.Fatal(err)
		}
		nixosBeforeJSON, nixosAfterBytes = data, nixosMod.after
	})
	if nixosBefore == nil {
		tb.Fatal("loading the NixOS pair failed in an earlier test")
	}
	return nixosBefore, nixosAfter, nixosMod
}

func checkModified(t *testing.T, r *Report, m modified) {
	t.Helper()
	got := map[What]int{}
	for _, c := range r.Changes {
		got[c.What]++
	}
	for _, w := range []What{Added, Removed, Renamed, Type, Default, Description} {
		if got[w] != m.want[w] {
			t.Errorf("%d changes %q, want %d", got[w], w, m.want[w])
		}
	}
	if len(got) > 6 {
		t.Errorf("unexpected kinds of change: %v", got)
	}
	un := r.Unmigrated()
	if len(un) != len(m.unmigrated) {
		t.Errorf("%d unmigrated removals, want %d", len(un), len(m.unmigrated))
	}
	for _, c := range un {
		if !m.unmigrated[c.Name] {
			t.Errorf("%s reported as removed without a helper; it was not", c.Name)
		}
	}
	for _, c := range r.Changes {
		if c.What == Renamed && m.renamed[c.Name] != c.Before {
			t.Errorf("rename %s ← %s; the test renamed %q to it", c.Name, c.Before, m.renamed[c.Name])
		}
	}
	if len(m.renamed) < 100 {
		t.Errorf("only %d renames: the test set is too small to mean anything", len(m.renamed))
	}
}

func TestNixOSOptionsModified(t *testing.T) {
	before, after, m := nixosPair(t)
	r := Compare(before, after)
	checkModified(t, r, m)
	t.Logf("%d options; %s", len(before), r.Summary())
	if self := Compare(before, before); len(self.Changes) != 0 {
		t.Errorf("the NixOS set differs from itself: %d changes", len(self.Changes))
	}
}

func TestHomeManagerOptionsModified(t *testing.T) {
	data := readCorpus(t, "home-manager-options.json.gz")
	m := modify(t, data)
	before, err := indexer.ParseOptions("home-manager-options.json", data, "home-manager")
	if err != nil {
		t.Fatal(err)
	}
	after, err := indexer.ParseOptions("home-manager-modified.json", m.after, "home-manager")
	if err != nil {
		t.Fatal(err)
	}
	r := Compare(before, after)
	checkModified(t, r, m)
	t.Logf("%d options; %s", len(before), r.Summary())
}

// BenchmarkCompareNixOS compares the NixOS option set (20,919 options)
// with its modified copy: the comparison alone, both sides loaded. The
// goal is under 1 s; cpu-ms/op is the CPU time it takes (both cores
// count), which other processes on the machine do not stretch.
func BenchmarkCompareNixOS(b *testing.B) {
	before, after, _ := nixosPair(b)
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		Compare(before, after)
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkLoadAndCompareNixOS is what `nurdocs changes --options-before`
// does with two NixOS options.json files: parse both, then compare.
func BenchmarkLoadAndCompareNixOS(b *testing.B) {
	nixosPair(b)
	b.ResetTimer()
	cpu := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op") }()
	for b.Loop() {
		before, err := indexer.ParseOptions("before.json", nixosBeforeJSON, "NixOS")
		if err != nil {
			b.Fatal(err)
		}
		after, err := indexer.ParseOptions("after.json", nixosAfterBytes, "NixOS")
		if err != nil {
			b.Fatal(err)
		}
		Compare(before, after)
	}
}
