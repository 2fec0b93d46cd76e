package markdown_test

import (
	"fmt"

	"github.com/atproto-nur/atproto-nur/site/markdown"
)

// options is a Resolver backed by a map, as a site build would make from
// its Documents.
type options map[string]string

func (o options) OptionURL(name string) (string, bool) { u, ok := o[name]; return u, ok }
func (o options) PackageURL(string) (string, bool)     { return "", false }

func ExampleRenderer_Render() {
	r := markdown.New(options{"services.atproto.pds.enable": "options/pds/#services.atproto.pds.enable"})
	html, diags := r.Render("Needs {option}`services.atproto.pds.enable` and {option}`services.atproto.gone`.\n\n" +
		"::: {.warning}\nKeep <secrets> out of the store.\n:::\n")
	fmt.Print(html)
	for _, d := range diags {
		fmt.Printf("line %d: %s\n", d.Line, d.Message)
	}
	// Output:
	// <p>Needs <a class="option" href="options/pds/#services.atproto.pds.enable"><code>services.atproto.pds.enable</code></a> and <code class="option">services.atproto.gone</code>.</p>
	// <div class="admonition warning" role="note">
	// <p class="admonition-title">Warning</p>
	// <p>Keep &lt;secrets&gt; out of the store.</p>
	// </div>
	// line 1: unknown option "services.atproto.gone"
}

func ExamplePlainText() {
	fmt.Println(markdown.PlainText("Whether to run the *PDS*;\nsee {manpage}`systemd.exec(5)`."))
	// Output: Whether to run the PDS; see systemd.exec(5).
}

func ExampleHighlight() {
	fmt.Print(markdown.Highlight("nix", `{ enable = true; }`))
	// Output: <pre class="chroma"><code class="language-nix"><span class="p">{</span> <span class="n">enable</span> <span class="o">=</span> <span class="no">true</span><span class="p">;</span> <span class="p">}</span></code></pre>
}
