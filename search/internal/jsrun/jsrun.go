// Package jsrun runs the browser search script (search.js) under Node for
// tests and the relevance tool: the same code the browser runs, reading a
// static index from disk, with the bytes each query fetched.
package jsrun

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

//go:embed run.js
var runner []byte

// Query is one query with its optional filters.
type Query struct {
	Q     string `json:"q"`
	Kind  string `json:"kind,omitempty"`
	Scope string `json:"scope,omitempty"`
}

// Hit is one ranked result.
type Hit struct {
	Ord   int    `json:"ord"`
	Tier  int    `json:"tier"`
	Score int    `json:"score"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	URL   string `json:"url"`
	Since string `json:"since,omitempty"` // display field of sites with a history
}

// Answer is what one query returned.
type Answer struct {
	Total   int   `json:"total"`
	Bytes   int64 `json:"bytes"` // gzip-compressed bytes of the files the query fetched from a cold start
	Files   int   `json:"files"`
	Ns      int64 `json:"ns"` // ranking time with the files already loaded
	Results []Hit `json:"results"`
}

// ErrNoNode is returned when node is not installed.
var ErrNoNode = errors.New("node not found on PATH (install nodejs to run search.js tests)")

// SearchJS is the path of themes/default/static/search.js.
func SearchJS() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "themes", "default", "static", "search.js")
}

// Tokenized is what search.js made of one string.
type Tokenized struct {
	Tokens  []string `json:"tokens"`
	Query   []string `json:"query"`
	Refused string   `json:"refused"` // why checkQuery refuses the string; "" when it does not
}

// Tokenize runs search.js's tokenize, queryTokens and checkQuery on each
// string.
func Tokenize(inputs []string) ([]Tokenized, error) {
	var out []Tokenized
	err := node(map[string]any{"tokenize": inputs}, "", &out)
	return out, err
}

// Run ranks queries against the static index in dir and returns the first
// limit results of each.
func Run(dir string, queries []Query, limit int) ([]Answer, error) {
	var answers []Answer
	err := node(map[string]any{"queries": queries, "limit": limit}, dir, &answers)
	return answers, err
}

// node runs run.js with input as JSON on stdin and decodes its output.
func node(input any, dir string, output any) error {
	node, err := exec.LookPath("node")
	if err != nil {
		return ErrNoNode
	}
	tmp, err := os.CreateTemp("", "nurdocs-jsrun-*.js")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(runner); err != nil {
		return err
	}
	tmp.Close()
	in, err := json.Marshal(input)
	if err != nil {
		return err
	}
	cmd := exec.Command(node, tmp.Name(), SearchJS(), dir)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("node search.js: %w: %s", err, stderr.String())
	}
	if err := json.Unmarshal(out, output); err != nil {
		return fmt.Errorf("node search.js output: %w", err)
	}
	return nil
}
