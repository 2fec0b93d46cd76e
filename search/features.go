package search

import (
	"bytes"
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// entry is one document as both index encodings see it: its rank order, the
// tokens that matching reads and the fields that a result shows.
type entry struct {
	Ord  int      `json:"o"` // position in the sorted document list; the last tie-breaker
	Name []string `json:"n"` // name tokens, in order
	Sub  []subTok `json:"s,omitempty"`
	// Joined holds name segments of several tokens written as one word
	// ("allowedtcpports"), at the position of their last token; they match
	// like name tokens, so "openfirewall" finds services.openssh.openFirewall.
	Joined []subTok `json:"j,omitempty"`
	Desc   []string `json:"d,omitempty"` // distinct description words, stop words removed
	Prior  int      `json:"p,omitempty"`
	// ModFrom…ModTo-1 are the name positions of the module segment (see
	// addPath; for a package, its own name: setPackageSegment); empty when
	// ModTo is 0.
	ModFrom int `json:"mf,omitempty"`
	ModTo   int `json:"mt,omitempty"`
	// Family is, for a package, how many other packages of its scope are
	// its variants or versions (attributes that start with its name and a
	// separator or digit: firefox-esr, postgresql_16, python312 for
	// python3), as a bit length capped at maxFamily: the plain name of a
	// big family is what most people who type its first letters want.
	Family int `json:"fa,omitempty"`
	// Cmd is, for a package, the command it installs when the name does
	// not already hold it (see addMainPrograms).
	Cmd string `json:"c,omitempty"`
	// Partners are the documents shown beside this one when both match
	// a query: a module's enable option and the package the module runs
	// (see addPackageEvidence and placeWithPartners).
	Partners []int `json:"pa,omitempty"`

	doc indexer.Document
	url string
}

// subTok is one half of a compound name token, at the compound's position.
type subTok struct {
	Pos int    `json:"p"`
	Tok string `json:"t"`
}

// maxDescTokens bounds the description words indexed per document: the
// start of a description says what it is about; the long tail mostly adds
// index size.
const maxDescTokens = 160

// kindOrder sorts documents: options, then packages, then guides.
func kindOrder(k indexer.Kind) int {
	switch k {
	case indexer.KindOption:
		return 0
	case indexer.KindPackage:
		return 1
	case indexer.KindGuide:
		return 2
	}
	return 3
}

// buildEntries sorts docs by kind, scope and name and derives the tokens of
// each. Both index writers start here, so they see the same documents in
// the same order. Options declared with visible = false are left out, as
// the site leaves them out (nixosOptionsDoc does the same): a result must
// never point at a page that does not exist.
func buildEntries(docs []indexer.Document, url func(indexer.Document) string) []*entry {
	entries, _ := buildEntriesCached(docs, url, nil)
	return entries
}

// buildEntriesCached is buildEntries taking each document's description
// words and phrases from cache (nil: none) when its texts are the ones
// they were derived from. They are the bulk of the work, and they depend
// on nothing but those texts, so the entries are the same either way.
// tokenized is how many documents' texts were tokenized anew.
func buildEntriesCached(docs []indexer.Document, url func(indexer.Document) string, cache *TokenCache) (entries []*entry, tokenized int) {
	if cache != nil {
		cache.mu.Lock()
		defer cache.mu.Unlock()
		cache.gen++
		cache.reused, cache.tokenized = 0, 0
		defer func() { tokenized = cache.tokenized; cache.sweep() }()
	}
	sorted := slices.DeleteFunc(slices.Clone(docs), func(d indexer.Document) bool {
		return d.Option != nil && !d.Option.Visible
	})
	slices.SortStableFunc(sorted, func(a, b indexer.Document) int {
		return cmp.Or(
			cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)),
			cmp.Compare(a.Scope, b.Scope),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.ID, b.ID),
		)
	})
	modules := modulePrefixes(sorted)
	entries = make([]*entry, len(sorted))
	for i, d := range sorted {
		e := &entry{Ord: i, doc: d, Desc: cache.descWords(d)}
		name := nameText(d)
		if d.Kind != indexer.KindOption || strings.ContainsAny(name, " \t") {
			for _, seg := range segments(name) {
				e.Name = append(e.Name, seg.Tokens...)
				if len(seg.Tokens) > 1 {
					e.Joined = append(e.Joined, subTok{len(e.Name) - 1, seg.Joined})
				}
			}
			if d.Kind == indexer.KindPackage {
				e.setPackageSegment(name)
			}
		} else {
			e.addPath(name, modules)
		}
		if url != nil {
			e.url = url(d)
		}
		if d.Kind == indexer.KindOption && len(e.Name) > 0 && e.Name[len(e.Name)-1] == "enable" {
			e.Prior = 1 // a module's enable option: where its use starts
		}
		entries[i] = e
	}
	addCompoundParts(entries)
	phrases := addPhrases(entries, cache)
	addMainPrograms(entries)
	addFamilies(entries)
	addPackageEvidence(entries, phrases)
	addModuleEvidence(entries)
	return entries, len(entries) // with a cache, the deferred function counts
}

// maxPhrases bounds the phrases of a package's description: its first
// words say what it is ("Offline password manager with many features").
// minPhraseDocs is how many packages' descriptions must say a phrase for it
// to be indexed: a pair of words one description happens to put together
// is no phrase people search for, and every phrase makes the description
// shards the browser fetches larger.
const (
	maxPhrases    = 3
	minPhraseDocs = 2
)

// addPhrases adds to each package's description words its phrases that
// minPhraseDocs packages share, and returns them by package.
func addPhrases(entries []*entry, cache *TokenCache) map[*entry][]string {
	byEntry := map[*entry][]string{}
	uses := map[string]int{}
	for _, e := range entries {
		if e.doc.Package == nil {
			continue
		}
		ps := cache.phrases(e.doc)
		byEntry[e] = ps
		for _, p := range ps {
			uses[p]++
		}
	}
	for e, ps := range byEntry {
		kept := slices.DeleteFunc(ps, func(p string) bool { return uses[p] < minPhraseDocs })
		byEntry[e] = kept
		e.addDescWords(kept, maxPhrases)
	}
	return byEntry
}

// phrases are the neighbouring word pairs of a package's one-line
// description written as one word ("Offline password manager" gives
// offlinepassword and passwordmanager), stop words left out: a query of
// two words that the description says together ("password manager") is
// read as that phrase (joinedTokens). Only the one-line description, which
// says what the package is, not the long one.
func phrases(desc string) []string {
	var words []string
	eachSegment(desc, func(seg segment) bool {
		words = append(words, seg.Tokens...)
		return true
	})
	var out []string
	for i := 0; i+1 < len(words) && len(out) < maxPhrases; i++ {
		a, b := words[i], words[i+1]
		if stopwords[a] || stopwords[b] || utf8.RuneCountInString(a) < 3 {
			continue
		}
		out = append(out, a+b)
	}
	return out
}

// addMainPrograms lets a package's name also be the command it installs
// (meta.mainProgram), as a whole name word at its last position: people
// search for the command they run ("rg" for ripgrep, "nvim" for neovim).
// A command that the name already holds adds nothing, and one that is
// another package's name is left to that package: "nginx" is nginx, not
// tengine, whose program is also called nginx.
func addMainPrograms(entries []*entry) {
	attrs := map[string]bool{}
	for _, e := range entries {
		if e.doc.Package != nil {
			attrs[strings.ToLower(e.doc.Name)] = true
		}
	}
	for _, e := range entries {
		p := e.doc.Package
		if p == nil || p.MainProgram == "" || len(e.Name) == 0 {
			continue
		}
		var prog string
		for _, seg := range segments(p.MainProgram) {
			prog += seg.Joined
		}
		if prog == "" || attrs[prog] || slices.Contains(e.Name, prog) ||
			slices.ContainsFunc(e.Joined, func(j subTok) bool { return j.Tok == prog }) {
			continue
		}
		e.Joined = append(e.Joined, subTok{len(e.Name) - 1, prog})
		e.Cmd = prog
	}
}

// maxFamily caps entry.Family (three bits in a posting).
const maxFamily = 7

// addFamilies sets each package's Family: the bit length of the number of
// packages of its scope whose attribute is its own followed by "-", "_",
// "." or a digit.
func addFamilies(entries []*entry) {
	var pkgs []*entry // sorted by scope, then name (buildEntries' order)
	for _, e := range entries {
		if e.doc.Package != nil {
			pkgs = append(pkgs, e)
		}
	}
	for i, e := range pkgs {
		n := 0
		for _, o := range pkgs[i+1:] {
			if o.doc.Scope != e.doc.Scope || !strings.HasPrefix(o.doc.Name, e.doc.Name) {
				break
			}
			if len(o.doc.Name) == len(e.doc.Name) {
				continue
			}
			if c := o.doc.Name[len(e.doc.Name)]; c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' {
				n++
			}
		}
		for n > 0 && e.Family < maxFamily {
			e.Family++
			n >>= 1
		}
	}
}

// modLen is the number of name tokens of an enable option's module
// segment, capped at 3 (two bits in a posting); 0 for other documents.
func (e *entry) modLen() int {
	if e.Prior == 0 {
		return 0
	}
	return min(e.ModTo-e.ModFrom, 3)
}

// maxPackageWords bounds the words a package lends its module.
const maxPackageWords = 60

// addPackageEvidence lets a module's enable option speak with the
// description of the package the module runs: a user asks for what a
// program does ("password manager"), and an enable option usually says
// only "Whether to enable X.". The package is the one the module's
// .package option defaults to (pkgs.X), or the one whose Module names
// the module; it must be among the indexed documents (nurdocs --packages).
func addPackageEvidence(entries []*entry, phrases map[*entry][]string) {
	byAttr := map[string]*entry{}
	byModule := map[string]*entry{}
	for _, e := range entries {
		if p := e.doc.Package; p != nil {
			byAttr[p.Attr] = e
			if p.Module != "" {
				byModule[p.Module] = e
			}
		}
	}
	if len(byAttr) == 0 {
		return
	}
	defaults := map[string]string{} // module prefix → the package its .package option defaults to
	for _, e := range entries {
		o := e.doc.Option
		if !strings.HasSuffix(e.doc.Name, ".package") {
			continue
		}
		if attr, ok := o.DefaultPackage(); ok {
			defaults[strings.TrimSuffix(e.doc.Name, ".package")] = attr
		}
	}
	for module, en := range enableOptions(entries) {
		pkg := byModule[module]
		if pkg == nil {
			pkg = byAttr[defaults[module]]
		}
		if pkg == nil {
			continue
		}
		en.Partners = append(en.Partners, pkg.Ord)
		pkg.Partners = append(pkg.Partners, en.Ord)
		en.addDescWords(descTokens(pkg.doc.Package.Description+"\n"+pkg.doc.Package.LongDescription), maxPackageWords)
		en.addDescWords(phrases[pkg], maxPhrases)
	}
}

// enableOptions maps each module prefix to its enable option.
func enableOptions(entries []*entry) map[string]*entry {
	enable := map[string]*entry{}
	for _, e := range entries {
		if e.Prior > 0 && e.doc.Option != nil {
			enable[strings.TrimSuffix(e.doc.Name, ".enable")] = e
		}
	}
	return enable
}

// addDescWords adds the first max of words that e's description does not
// have yet to its description words, which stay sorted.
func (e *entry) addDescWords(words []string, max int) {
	had := len(e.Desc)
	for _, w := range words {
		if len(e.Desc)-had == max {
			break
		}
		if _, found := slices.BinarySearch(e.Desc[:had], w); !found {
			e.Desc = append(e.Desc, w)
		}
	}
	slices.Sort(e.Desc)
}

// maxModuleWords bounds the words a module's options lend its enable
// option, and minModuleUses is how many of those options must use a word.
const (
	maxModuleWords = 40
	minModuleUses  = 2
)

// addModuleEvidence lets a module's enable option speak with the words its
// other options' descriptions share: what the module is about is spread
// over its options ("dashboards" in Grafana's provisioning options,
// "cluster" in k3s's), as a module's page would show it. Only words that
// at least minModuleUses of the module's options use count, the most used
// first, so one option's long description does not speak for the module.
func addModuleEvidence(entries []*entry) {
	enable := enableOptions(entries)
	uses := map[*entry]map[string]int{}
	for _, e := range entries {
		if e.doc.Option == nil || e.Prior > 0 {
			continue
		}
		// The nearest enclosing module: services.a.b.c → services.a.b, services.a.
		name := e.doc.Name
		for i := strings.LastIndexByte(name, '.'); i > 0; i = strings.LastIndexByte(name[:i], '.') {
			en := enable[name[:i]]
			if en == nil {
				continue
			}
			if uses[en] == nil {
				uses[en] = map[string]int{}
			}
			for _, w := range e.Desc {
				uses[en][w]++
			}
			break
		}
	}
	for en, counts := range uses {
		var words []string
		for w, n := range counts {
			if n >= minModuleUses {
				words = append(words, w)
			}
		}
		slices.SortFunc(words, func(a, b string) int {
			return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
		})
		en.addDescWords(words, maxModuleWords)
	}
}

// modulePrefixes returns the module prefixes among docs: the parent of
// every enable option ("services.atproto.pds" for
// services.atproto.pds.enable). A module is the set of options under one.
func modulePrefixes(docs []indexer.Document) map[string]bool {
	prefixes := map[string]bool{}
	for _, d := range docs {
		if d.Kind == indexer.KindOption {
			if p, ok := strings.CutSuffix(d.Name, ".enable"); ok {
				prefixes[p] = true
			}
		}
	}
	return prefixes
}

// addPath tokenizes an option path. Each dotted part
// written as one word of several tokens is also indexed joined, whether
// its tokens were run together ("allowedTCPPorts": allowedtcpports) or
// hyphenated ("home-assistant": homeassistant), so that a product typed
// as one word finds it. The tokens of the part naming the module are the
// module segment: the last part of the shortest module prefix of the
// path (modulePrefixes; "pds" in services.atproto.pds.port, "grub" in
// boot.loader.grub.device, "immich" in services.immich.redis.host).
// Without one, or when that prefix holds a placeholder
// ("services.redis.servers.<name>"), it is the second part, where NixOS
// usually puts the module, or the first when the name has one part or its
// second is a placeholder ("fileSystems.<name>.mountPoint").
func (e *entry) addPath(name string, modules map[string]bool) {
	parts := strings.Split(name, ".")
	module := moduleByPosition(parts)
	for k := 1; k < len(parts); k++ {
		if !modules[strings.Join(parts[:k], ".")] {
			continue
		}
		if !slices.ContainsFunc(parts[:k], isPlaceholder) {
			module = k - 1
		}
		break
	}
	for i, part := range parts {
		from := len(e.Name)
		var runs []string
		for _, seg := range segments(part) {
			e.Name = append(e.Name, seg.Tokens...)
			if len(seg.Tokens) > 1 {
				e.Joined = append(e.Joined, subTok{len(e.Name) - 1, seg.Joined})
			}
			runs = append(runs, seg.Joined)
		}
		if len(runs) > 1 {
			e.Joined = append(e.Joined, subTok{len(e.Name) - 1, strings.Join(runs, "")})
		}
		if i == module && len(e.Name) > from {
			e.ModFrom, e.ModTo = from, len(e.Name)
		}
	}
}

// setPackageSegment makes a package's own name, the last part of its
// attribute ("requests" in python3Packages.requests), its module segment:
// what the package is called weighs as much as the name of a module, so
// that a misspelt "postgrsql" finds the postgresql package level with
// services.postgresql.enable, and its family puts the package first.
func (e *entry) setPackageSegment(attr string) {
	from := 0
	if i := strings.LastIndexByte(attr, '.'); i >= 0 {
		for _, seg := range segments(attr[:i]) {
			from += len(seg.Tokens)
		}
	}
	if from < len(e.Name) {
		e.ModFrom, e.ModTo = from, len(e.Name)
	}
}

// moduleByPosition is the module part of a path no module prefix covers.
func moduleByPosition(parts []string) int {
	if len(parts) == 1 || isPlaceholder(parts[1]) {
		return 0
	}
	return 1
}

// isPlaceholder reports whether a path part stands for any name.
func isPlaceholder(part string) bool { return strings.HasPrefix(part, "<") || part == "*" }

// inModule reports whether name position pos is in the module segment.
func (e *entry) inModule(pos int) bool { return pos >= e.ModFrom && pos < e.ModTo }

// nameText is what counts as a document's name for matching: the option
// path, the package attribute, or the guide's title.
func nameText(d indexer.Document) string {
	if d.Kind == indexer.KindGuide && d.Title != "" {
		return d.Title
	}
	return d.Name
}

var (
	roleMarker = regexp.MustCompile(`\{[a-zA-Z]+\}`)
	urlPattern = regexp.MustCompile(`[a-z]+://[^\s)>\]]+`)
)

// descText is the prose matched after names.
func descText(d indexer.Document) string {
	return descTextOf(descSources(d))
}

// descSources are the texts of d that descText reads.
func descSources(d indexer.Document) [3]string {
	var src [3]string
	switch {
	case d.Option != nil:
		src[0] = d.Option.Description
		if ex := d.Option.Example; ex != nil {
			src[1] = ex.Text // examples name settings the prose does not: allowUnfree
		}
	case d.Package != nil:
		src[0], src[1] = d.Package.Description, d.Package.LongDescription
	case d.Guide != nil:
		src[0], src[1] = d.Guide.Description, d.Guide.Body
	}
	if src[0] == "" && src[1] == "" {
		src[2] = d.Summary
	}
	return src
}

func descTextOf(src [3]string) string {
	var parts []string
	for _, s := range src {
		if s != "" {
			parts = append(parts, s)
		}
	}
	s := strings.Join(parts, "\n")
	// The checks save two regexp passes over 100,000 package descriptions
	// that have neither.
	if strings.Contains(s, "{") {
		s = roleMarker.ReplaceAllString(s, " ")
	}
	if strings.Contains(s, "://") {
		s = urlPattern.ReplaceAllString(s, " ")
	}
	return s
}

// descTokens gives the distinct non-stop words of s in order of first use:
// each token, and words of several tokens also whole ("OpenSSH" gives open,
// ssh and openssh).
func descTokens(s string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) bool {
		if stopwords[t] || seen[t] || utf8.RuneCountInString(t) > 40 {
			return false
		}
		seen[t] = true
		out = append(out, t)
		return len(out) == maxDescTokens
	}
	eachSegment(s, func(seg segment) bool {
		for _, t := range seg.Tokens {
			if add(t) {
				return false
			}
		}
		return !(len(seg.Tokens) > 1 && add(seg.Joined))
	})
	return out
}

// addCompoundParts finds name tokens that are two other name words written
// together ("openssh" = open + ssh, "nextcloud" = next + cloud) and records
// the halves, so that "ssh" finds services.openssh. A half must be a whole
// name token of at least three letters in two or more documents.
func addCompoundParts(entries []*entry) {
	docsWith := map[string]int{}
	for _, e := range entries {
		seen := map[string]bool{}
		for _, t := range e.Name {
			if !seen[t] {
				seen[t] = true
				docsWith[t]++
			}
		}
	}
	isWord := func(s string) bool { return utf8.RuneCountInString(s) >= 3 && docsWith[s] >= 2 }
	splits := map[string][]string{}
	for _, e := range entries {
		for pos, t := range e.Name {
			parts, done := splits[t]
			if !done {
				r := []rune(t)
				for i := 3; i <= len(r)-3; i++ {
					a, b := string(r[:i]), string(r[i:])
					if isWord(a) && isWord(b) {
						parts = append(parts, a, b)
					}
				}
				splits[t] = parts
			}
			for _, p := range parts {
				if !slices.Contains(e.Sub, subTok{pos, p}) {
					e.Sub = append(e.Sub, subTok{pos, p})
				}
			}
		}
	}
}

// match folds one query token against an entry's tokens, the way the
// browser folds it against the postings of the terms it fetched. A query
// written as a dotted path (namesOnly) is looked up in names alone.
func (e *entry) match(q string, namesOnly bool, r reach) tokenState {
	var t tokenState
	for pos, w := range e.Name {
		if m := nameMatch(q, w, r); m > 0 {
			t.addName(m, pos, e.inModule(pos))
		}
	}
	for _, j := range e.Joined {
		if m := nameMatch(q, j.Tok, r); m > 0 {
			t.addName(m, j.Pos, e.inModule(j.Pos))
		}
	}
	for _, s := range e.Sub {
		if s.Tok == q {
			t.addName(matchSub, s.Pos, e.inModule(s.Pos))
		}
	}
	t.cmd = e.Cmd != "" && q == e.Cmd
	if namesOnly {
		return t
	}
	// Desc is sorted: the first word not below q is q itself or, when
	// any word starts with q, one that does.
	if i, found := slices.BinarySearch(e.Desc, q); found {
		t.addDesc(descExact)
	} else if i < len(e.Desc) {
		t.addDesc(descMatch(q, e.Desc[i]))
	}
	if t.desc == descNone {
		// Words that start q ("collect" for "collection") or share its
		// stem ("printing" for "printer"), which starts both.
		i := len(q)
		for range maxDescSuffix {
			_, size := utf8.DecodeLastRuneInString(q[:i])
			if i -= size; i <= 0 || utf8.RuneCountInString(q[:i]) < 4 {
				break
			}
			if _, found := slices.BinarySearch(e.Desc, q[:i]); found {
				t.addDesc(descStem)
				return t
			}
		}
		if st := stemOf(q); st != q {
			i, _ := slices.BinarySearch(e.Desc, st)
			for ; i < len(e.Desc) && strings.HasPrefix(e.Desc[i], st); i++ {
				if sameStem(q, e.Desc[i]) {
					t.addDesc(descStem)
					break
				}
			}
		}
	}
	return t
}

// parsedQuery is a query as ranking reads it.
type parsedQuery struct {
	toks    []string
	reach   []reach // per token: how far misspellings are looked for (vocabulary.reachOf)
	rare    []int   // per token: the rarity of the word in descriptions
	ordered bool    // a dotted path: in order, names only
	// joins are the neighbouring tokens that, written together, start a
	// name term: "jelly fin" is also read as jellyfin (see joinedTokens).
	joins []join
	// states and variant are scratch space for score, which runs for
	// every candidate: a parsedQuery is used by one goroutine at a time.
	states, variant []tokenState
	variantRare     []int
}

// join is the query read with tokens at and at+1 written as one, tok:
// a name term starts it (names), or a package description says it as a
// phrase (desc, see phrases).
type join struct {
	at          int
	tok         string
	names, desc bool
	rare        int // the phrase's rarity in descriptions
}

func parseQuery(q string, v vocabulary, f docFreq) parsedQuery {
	p := parsedQuery{toks: QueryTokens(q), ordered: isPath(q)}
	p.states = make([]tokenState, len(p.toks))
	p.variant = make([]tokenState, len(p.toks))
	p.variantRare = make([]int, len(p.toks))
	for _, t := range p.toks {
		r := v.reachOf(t)
		p.reach = append(p.reach, r)
		p.rare = append(p.rare, tokenRarity(f, t, r))
	}
	p.joins = joinedTokens(p.toks, p.ordered, v, f)
	return p
}

// tokenRarity weighs the description matches of query token t, whose
// misspellings are looked for as far as r. A word that no description
// holds would be as rare as a word can be; but when no name starts with it
// either (r is beyond reachNarrow), it is a word the index does not know,
// most likely misspelt, and what it matches in descriptions (a word that
// starts it, or shares its stem) is a guess, not rare evidence: "firefx"
// must not find git-fire's "fire" before the firefox it misspells. Such a
// word weighs as the commonest do.
func tokenRarity(f docFreq, t string, r reach) int {
	if f.desc[t] == 0 && r > reachNarrow {
		return 1
	}
	return rarity(f.docs, f.desc[t])
}

// joinedTokens returns the pairs of neighbouring tokens of a query of
// words (not a dotted path) that, written together, start a name term: a
// product name typed in two words ("jelly fin", "mini flux"). The first
// token must have two letters or more, so that the joined word is in the
// name shard the browser fetched for it (and every name it starts is a
// candidate of the bleve query's prefix query for that token).
//
// A pair is also joined when some description has it as a phrase
// (phrases) and the first token has three letters or more, so that the
// phrase is in the description shard the browser fetched for that token.
func joinedTokens(toks []string, ordered bool, v vocabulary, f docFreq) []join {
	if ordered {
		return nil
	}
	var joins []join
	for i := 0; i+1 < len(toks); i++ {
		n := utf8.RuneCountInString(toks[i])
		if n < 2 {
			continue
		}
		tok := toks[i] + toks[i+1]
		j := join{at: i, tok: tok, names: len(v.withPrefix(tok)) > 0, desc: n >= 3 && f.desc[tok] > 0}
		if j.names || j.desc {
			j.rare = rarity(f.docs, f.desc[tok])
			joins = append(joins, j)
		}
	}
	return joins
}

// score ranks the entry for a query: the better of the query as typed and
// of each of its joins, where the joined word is looked up in names only.
func (e *entry) score(p parsedQuery) (tier, score int) {
	toks := p.states[:len(p.toks)]
	for i, qt := range p.toks {
		toks[i] = e.match(qt, p.ordered, p.reach[i])
	}
	count := min(len(e.Name), maxCount)
	pkg := e.doc.Kind == indexer.KindPackage
	linked := pkg && len(e.Partners) > 0
	tier, score = docScore(toks, count, e.Prior, e.modLen(), e.Family, pkg, linked, p.ordered, p.rare)
	for _, j := range p.joins {
		// The joined word must be a name word or start one: a stem or a
		// typo of it is too loose a reading of what was typed apart. Else
		// it may be a phrase of the description.
		var joined tokenState
		if j.names {
			joined = e.match(j.tok, true, reachNarrow)
			joined.cmd = false // a command counts only typed as one word
		}
		rare, phrase := 0, false
		if joined.name < matchPrefix {
			if !j.desc {
				continue
			}
			d := e.match(j.tok, false, reachNarrow).desc
			if d == descNone {
				continue
			}
			joined, rare, phrase = tokenState{desc: d}, j.rare, true
		}
		n := len(toks) - 1
		vt, vr := p.variant[:n], p.variantRare[:n]
		copy(vt, toks[:j.at])
		copy(vr, p.rare[:j.at])
		vt[j.at], vr[j.at] = joined, rare
		copy(vt[j.at+1:], toks[j.at+2:])
		copy(vr[j.at+1:], p.rare[j.at+2:])
		t, s := docScore(vt, count, e.Prior, e.modLen(), e.Family, pkg, linked, p.ordered, vr)
		if phrase && n == 1 && t < tierPath {
			// A description saying the whole query as a phrase is as good
			// evidence as a name holding its words.
			s += (tierPath - t) * tierUnit
			t = tierPath
		}
		if s > score {
			tier, score = t, s
		}
	}
	return tier, score
}

// display fields of a result.

func optionType(d indexer.Document) string {
	if d.Option == nil {
		return ""
	}
	return d.Option.Type
}

// valueText is a default or example as one short line.
func valueText(v *indexer.Value) string {
	if v == nil {
		return ""
	}
	s := v.Text
	if v.Kind == indexer.ValueJSON || (s == "" && len(v.JSON) > 0) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, v.JSON); err == nil {
			s = buf.String()
		} else {
			s = string(v.JSON)
		}
	}
	return oneLine(s, 80)
}

func optionDefault(d indexer.Document) string {
	if d.Option == nil {
		return ""
	}
	return valueText(d.Option.Default)
}

// oneLine collapses whitespace and cuts s to at most n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// summary is the one-line description shown under a result.
func summary(d indexer.Document) string {
	s := d.Summary
	if s == "" {
		switch {
		case d.Option != nil:
			s = roleMarker.ReplaceAllString(d.Option.Description, "")
		case d.Package != nil:
			s = d.Package.Description
		case d.Guide != nil:
			s = d.Guide.Description
		}
	}
	return oneLine(s, 160)
}
