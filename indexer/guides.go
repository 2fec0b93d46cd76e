package indexer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// frontMatter is the YAML block at the top of a guide.
type frontMatter struct {
	Title       string `yaml:"title"`
	Weight      int    `yaml:"weight"`
	Order       *int   `yaml:"order"` // accepted as a synonym of weight
	Description string `yaml:"description"`
	Draft       bool   `yaml:"draft"`
}

// LoadGuides reads every *.md file under dir (recursively) as a guide.
// A missing dir is not an error: a site can have no guides.
func LoadGuides(dir string) ([]Document, error) {
	var docs []Document
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), ".md") || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := ParseGuide(p, filepath.ToSlash(rel), src)
		if err != nil {
			return err
		}
		if doc != nil {
			docs = append(docs, *doc)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading guides: %w", err)
	}
	SortGuides(docs)
	return docs, nil
}

// SortGuides orders guides by section, then weight, then title — the
// order of the navigation tree and of previous/next links. A section's
// index page comes first in its section.
func SortGuides(docs []Document) {
	sort.SliceStable(docs, func(i, j int) bool {
		a, b := docs[i].Guide, docs[j].Guide
		if a.Section != b.Section {
			return a.Section < b.Section
		}
		ai, bi := isIndex(a.Path), isIndex(b.Path)
		if ai != bi {
			return ai
		}
		if a.Weight != b.Weight {
			return a.Weight < b.Weight
		}
		return docs[i].Title < docs[j].Title
	})
}

func isIndex(p string) bool { return path.Base(p) == "index.md" || path.Base(p) == "_index.md" }

var slugUnsafe = regexp.MustCompile(`[^a-z0-9._/-]+`)

// GuideSlug turns a content-relative path into the guide's slug:
// "operate/Back ups.md" → "operate/back-ups", "operate/index.md" → "operate",
// "index.md" → "index".
func GuideSlug(rel string) string {
	s := strings.TrimSuffix(rel, ".md")
	if b := path.Base(s); b == "index" || b == "_index" {
		s = path.Dir(s)
		if s == "." {
			s = ""
		}
	}
	s = slugUnsafe.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.Trim(s, "-/")
	if s == "" {
		// content/index.md: the guides folder itself is the guide list.
		s = "index"
	}
	return s
}

// ParseGuide parses one guide. file is used in messages; rel is the path
// relative to the content folder. It returns nil for drafts.
func ParseGuide(file, rel string, src []byte) (*Document, error) {
	fm, body, bodyLine, err := splitFrontMatter(file, src)
	if err != nil {
		return nil, err
	}
	if fm.Draft {
		return nil, nil
	}
	if fm.Order != nil && fm.Weight == 0 {
		fm.Weight = *fm.Order
	}
	slug := GuideSlug(rel)
	title := strings.TrimSpace(fm.Title)
	if title == "" {
		title = firstHeading(body)
	}
	if title == "" {
		return nil, &PositionError{File: file, Line: 1, Column: 1, Err: errors.New("guide has no title: add `title:` to the front matter or start with a # heading")}
	}
	section := ""
	if i := strings.IndexByte(slug, '/'); i >= 0 {
		section = slug[:i]
	} else if isIndex(rel) {
		section = slug
	}
	summary := strings.TrimSpace(fm.Description)
	if summary == "" {
		summary = Summary(stripHeadings(body))
	}
	return &Document{
		ID:      GuideID(slug),
		Kind:    KindGuide,
		Scope:   PrimaryScope,
		Name:    slug,
		Title:   title,
		Summary: summary,
		Guide: &Guide{
			Path:        rel,
			Section:     section,
			Weight:      fm.Weight,
			Description: fm.Description,
			Body:        body,
			BodyLine:    bodyLine,
		},
	}, nil
}

// splitFrontMatter separates a leading "---" YAML block from the body.
func splitFrontMatter(file string, src []byte) (fm frontMatter, body string, bodyLine int, err error) {
	text := string(bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return fm, text, 1, nil
	}
	rest := text[4:]
	end := -1
	for off := 0; off <= len(rest); {
		nl := strings.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if nl >= 0 {
			line = rest[off : off+nl]
		}
		if strings.TrimRight(line, " \t") == "---" || strings.TrimRight(line, " \t") == "..." {
			end = off
			break
		}
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	if end < 0 {
		return fm, "", 0, &PositionError{File: file, Line: 1, Column: 1, Err: errors.New("front matter starts with --- but has no closing ---")}
	}
	yamlText := rest[:end]
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(yamlText), &node); err != nil {
		return fm, "", 0, yamlError(file, err)
	}
	if len(node.Content) > 0 {
		root := node.Content[0]
		if root.Kind != yaml.MappingNode {
			return fm, "", 0, &PositionError{File: file, Line: root.Line + 1, Column: root.Column,
				Err: errors.New("front matter must be a mapping of keys to values (title: …)")}
		}
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i], root.Content[i+1]
			switch k.Value {
			case "title", "description":
				if v.Kind != yaml.ScalarNode {
					return fm, "", 0, &PositionError{File: file, Line: v.Line + 1, Column: v.Column,
						Err: fmt.Errorf("front matter %q must be text", k.Value)}
				}
			case "weight", "order":
				var n int
				if v.Kind != yaml.ScalarNode || v.Decode(&n) != nil {
					return fm, "", 0, &PositionError{File: file, Line: v.Line + 1, Column: v.Column,
						Err: fmt.Errorf("front matter %q must be a whole number, not %q", k.Value, v.Value)}
				}
			case "draft":
				var b bool
				if v.Decode(&b) != nil {
					return fm, "", 0, &PositionError{File: file, Line: v.Line + 1, Column: v.Column,
						Err: fmt.Errorf("front matter %q must be true or false", k.Value)}
				}
			default:
				// Unknown keys are tolerated so other tools' front matter
				// (tags, authors) does not break the build.
			}
		}
		if err := root.Decode(&fm); err != nil {
			return fm, "", 0, yamlError(file, err)
		}
	}
	bodyStart := 4 + end
	if nl := strings.IndexByte(text[bodyStart:], '\n'); nl >= 0 {
		bodyStart += nl + 1
	} else {
		bodyStart = len(text)
	}
	bodyLine = strings.Count(text[:bodyStart], "\n") + 1
	return fm, text[bodyStart:], bodyLine, nil
}

var (
	yamlLineRE    = regexp.MustCompile(`line (\d+)`)
	headingAttrRE = regexp.MustCompile(`\s*\{#[^}]*\}`)
)

// yamlError rewrites yaml's "line N" (counted inside the block) into a
// file position (the block starts on line 2).
func yamlError(file string, err error) error {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		fmt.Sscanf(m[1], "%d", &line)
		line++
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = yamlLineRE.ReplaceAllString(msg, "")
	msg = strings.TrimLeft(strings.TrimSpace(msg), ": ")
	return &PositionError{File: file, Line: line, Column: 1, Err: fmt.Errorf("front matter: %s", msg)}
}

func firstHeading(body string) string {
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "# ") {
			return strings.TrimSpace(headingAttrRE.ReplaceAllString(l[2:], ""))
		}
	}
	return ""
}

func stripHeadings(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			out = append(out, l)
		}
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
