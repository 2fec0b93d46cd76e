package site

import "testing"

func TestWithoutTitleHeading(t *testing.T) {
	for in, want := range map[string]string{
		"# Title\n\nBody.\n":          "\n\nBody.\n",
		"\n\n# Title {#t}\nBody":      "\n\n\nBody",
		"Intro.\n\n# Later\n":         "Intro.\n\n# Later\n",
		"## Section\n":                "## Section\n",
		"#hashtag\n":                  "#hashtag\n",
		"":                            "",
		"# Only":                      "",
		"```\n# not a heading\n```\n": "```\n# not a heading\n```\n",
	} {
		if got := withoutTitleHeading(in); got != want {
			t.Errorf("withoutTitleHeading(%q) = %q, want %q", in, got, want)
		}
	}
}
