package search

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Match qualities of one query token against one indexed name token, best
// last. search.js uses the same numbers.
const (
	matchNone   = 0
	matchStem   = 1 // the name token, of 4+ letters, starts the query token: "port" for "ports", "auto" for "automatic"
	matchTypo   = 2 // one letter wrong, missing, extra or two swapped (query of 4+ letters)
	matchSub    = 3 // the query is one half of a compound name token: "ssh" in "openssh"
	matchPrefix = 4 // the name token starts with the query token
	matchExact  = 5
)

// nameWeight is what a name match of each quality adds to the score, and
// moduleWeight what it adds more in the module segment (see entry.addPath).
var (
	nameWeight   = [...]int{0, 4, 8, 16, 24, 32}
	moduleWeight = [...]int{0, 1, 3, 6, 9, 12}
)

// Description match qualities.
const (
	descNone   = 0
	descStem   = 1 // the description word, of 4+ letters, starts the query token: "collect" for "collection"
	descPrefix = 2 // query token of 3+ letters starts the description word
	descExact  = 3
)

// Tiers, best last. A document's tier decides its place before anything
// else does.
const (
	tierNone   = 0
	tierSome   = 1 // some query tokens match, in the name or the description
	tierAll    = 2 // every query token matches, in the name or the description
	tierWords  = 3 // every query token matches a word of the name, in any order
	tierPath   = 4 // the query tokens match name words in the order typed (an enable option's in any order): pds.port → …pds.settings.PDS_PORT
	tierPrefix = 5 // the name starts with the query
	tierExact  = 6 // the name is the query
)

// maxPos is the number of name positions tracked in position masks; tokens
// further into a name still match but do not count for the ordered tiers.
const maxPos = 31

// reach is how far a query token's misspellings are looked for; each
// reach includes those before it. A token reaches further only when
// nothing nearer matches it (vocabulary.reachOf), so the looser readings
// never add noise to a word that a name holds.
type reach int

const (
	reachNarrow reach = iota // typos keeping the first two letters
	reachWide                // and those that change them (see typoMatch): no name starts with the token
	reachStarts              // and misspelt starts of longer tokens (see misspeltStart) and two typos in a long word (see twoTypos): no name is a typo of it
	reachFirst               // and a wrong, missing or extra first letter (see firstLetterTypo): no misspelt start either
)

// nameMatch says how query token q matches the name token w, looking for
// misspellings as far as r.
func nameMatch(q, w string, r reach) int {
	if q == w {
		return matchExact
	}
	if len(q) < len(w) && strings.HasPrefix(w, q) && utf8.RuneCountInString(q) >= 2 {
		return matchPrefix
	}
	if typoMatch(q, w, r >= reachWide) || r >= reachFirst && firstLetterTypo(q, w) {
		return matchTypo
	}
	if stemMatch(q, w) || sameStem(q, w) || r >= reachStarts && (misspeltStart(q, w) || twoTypos(q, w)) {
		return matchStem
	}
	return matchNone
}

// stemOf strips one common English ending from an ASCII word, keeping at
// least four letters: printer, printers and printing are all "print". It
// is deliberately simple; search.js has the same function.
func stemOf(w string) string {
	n := len(w)
	for i := 0; i < n; i++ {
		if w[i] >= utf8.RuneSelf {
			return w
		}
	}
	cut := func(suffix string) bool { return strings.HasSuffix(w, suffix) && n-len(suffix) >= 4 }
	switch {
	case cut("ings"):
		return w[:n-4]
	case cut("ing"), cut("ers"):
		return w[:n-3]
	case cut("er"), cut("ed"):
		return w[:n-2]
	case cut("es") && strings.IndexByte("sxzh", w[n-3]) >= 0:
		return w[:n-2]
	case cut("s") && w[n-2] != 's':
		return w[:n-1]
	}
	return w
}

// sameStem reports whether two different words of four letters or more
// have the same stem.
func sameStem(q, w string) bool {
	if q == w || len(q) < 4 || len(w) < 4 || q[0] != w[0] {
		return false
	}
	s := stemOf(q)
	return strings.HasPrefix(w, s) && stemOf(w) == s
}

// stemMatch reports whether the name token w, of four letters or more,
// starts the longer query token q: "ports" finds port, "automatic" auto.
// It is the weakest match, below a typo: "vaultwaden" is a misspelt
// vaultwarden before it is a longer vault.
func stemMatch(q, w string) bool {
	return len(w) < len(q) && strings.HasPrefix(q, w) && utf8.RuneCountInString(w) >= 4
}

// descMatch says how query token q matches the description word w.
func descMatch(q, w string) int {
	if q == w {
		return descExact
	}
	if len(q) < len(w) && strings.HasPrefix(w, q) && utf8.RuneCountInString(q) >= 3 {
		return descPrefix
	}
	if stemMatch(q, w) && utf8.RuneCountInString(q[len(w):]) <= maxDescSuffix || sameStem(q, w) {
		return descStem
	}
	return descNone
}

// maxDescSuffix is the most letters a query token may have beyond a
// description word it stands for: "collection" is "collect", but
// "vaultwarden" is not "vault".
const maxDescSuffix = 3

// docFreq is what the rarity of a description word is computed from.
type docFreq struct {
	docs int            // documents indexed
	desc map[string]int // description word → documents whose description has it
}

func newDocFreq(entries []*entry) docFreq {
	f := docFreq{docs: len(entries), desc: map[string]int{}}
	for _, e := range entries {
		for _, w := range e.Desc {
			f.desc[w]++
		}
	}
	return f
}

// rarity weighs a word found in df of n documents: the whole part of
// log2(n/(df+1)), plus one; 0 for none. Integer arithmetic, so that
// search.js computes the same numbers.
func rarity(n, df int) int {
	r := 0
	for x := n / (df + 1); x > 0; x >>= 1 {
		r++
	}
	return r
}

// typoMatch reports whether w is one edit away from q (Damerau: a
// substitution, insertion, deletion or swap of neighbours) for a query token
// of at least four letters. The first two letters of w must be those of q,
// so that every candidate is in the name shard the browser fetches for q.
// When wide, w may also start with q's first two letters swapped, or with
// q's first and third (a swap of the second and third letters, or an extra
// second letter): the browser then fetches those two shards too. Typos are
// looked for this widely only for a query token that no name starts with
// (needsWideTypos), which keeps long queries of real words small to fetch.
func typoMatch(q, w string, wide bool) bool {
	// Cheap rejections first: this runs for every name token of every
	// candidate.
	nq, nw := utf8.RuneCountInString(q), utf8.RuneCountInString(w)
	if nq < 4 || nw < 2 || nw < nq-1 || nw > nq+1 {
		return false
	}
	q0, _ := utf8.DecodeRuneInString(q)
	w0, _ := utf8.DecodeRuneInString(w)
	if q0 != w0 && !wide {
		return false
	}
	qr, wr := []rune(q), []rune(w)
	if !startsAlike(qr, wr, wide) {
		return false
	}
	return oneEdit(qr, wr)
}

// startsAlike reports whether w (two letters or more) starts with q's
// first two letters (q has three or more) or, when wide, with them swapped
// or with q's first and third: the first letters a typo of q may have,
// which typoKeys lists.
func startsAlike(qr, wr []rune, wide bool) bool {
	return qr[0] == wr[0] && qr[1] == wr[1] ||
		wide && (qr[0] == wr[1] && qr[1] == wr[0] || qr[0] == wr[0] && qr[2] == wr[1])
}

// misspeltStart reports whether q is a misspelt start of the longer name
// token w ("adgaurd" for adguardhome): one edit from w's first letters, as
// many as q has, one fewer or one more, with typoMatch's wide rule for the
// first two letters. It counts as little as a stem.
func misspeltStart(q, w string) bool {
	qr, wr := []rune(q), []rune(w)
	nq := len(qr)
	if nq < minMisspeltStart || len(wr) <= nq+1 {
		return false
	}
	if !startsAlike(qr, wr, true) {
		return false
	}
	return oneEdit(qr, wr[:nq]) || oneEdit(qr, wr[:nq-1]) || oneEdit(qr, wr[:nq+1])
}

// minMisspeltStart is the shortest query token looked for as a misspelt
// start of a name token.
const minMisspeltStart = 5

// twoTypos reports whether w, with the same first two letters as q, is two
// typos from q, for q of minTwoTypos letters or more: "nextcould" for
// nextcloud, "tailscail" for tailscale, "thundrebrid" for thunderbird. A
// typo is what oneEdit allows (a letter replaced, added or left out, or
// two neighbours swapped), so two swaps are two typos. The first letters
// are kept so that w is in the name shard fetched for q; bleve's fuzzy
// query (Levenshtein) misses two swaps, so its searcher adds such names
// as terms (see bleve.go). It counts as little as a stem.
func twoTypos(q, w string) bool {
	qr, wr := []rune(q), []rune(w)
	if len(qr) < minTwoTypos || len(wr) < 2 || qr[0] != wr[0] || qr[1] != wr[1] {
		return false
	}
	return withinEdits(qr[2:], wr[2:], 2)
}

// minTwoTypos is the shortest query token looked for with two typos.
const minTwoTypos = 8

// withinEdits reports whether a and b are at most k typos apart (the
// optimal string alignment distance: Levenshtein plus swaps of
// neighbours), filling one row of the table at a time and stopping as
// soon as every entry of two rows in a row exceeds k (a swap reaches back
// two rows).
func withinEdits(a, b []rune, k int) bool {
	if d := len(a) - len(b); d > k || -d > k {
		return false
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	row := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	prevBest := 0
	for i := 1; i <= len(a); i++ {
		row[0] = i
		best := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			next := min(prev[j]+1, row[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				next = min(next, prev2[j-2]+1)
			}
			row[j] = next
			best = min(best, next)
		}
		if best > k && prevBest > k {
			return false
		}
		prevBest = best
		prev2, prev, row = prev, row, prev2
	}
	return prev[len(b)] <= k
}

// vocabulary is the sorted set of name terms (tokens, joined segments and
// compound halves) of an index.
type vocabulary []string

func newVocabulary(entries []*entry) vocabulary {
	seen := map[string]bool{}
	for _, e := range entries {
		for _, t := range e.Name {
			seen[t] = true
		}
		for _, j := range e.Joined {
			seen[j.Tok] = true
		}
		for _, s := range e.Sub {
			seen[s.Tok] = true
		}
	}
	v := make(vocabulary, 0, len(seen))
	for t := range seen {
		v = append(v, t)
	}
	slices.Sort(v)
	return v
}

// lengths returns, for every n up to the longest term, whether some term
// has n characters.
func (v vocabulary) lengths() []bool {
	var lens []bool
	for _, t := range v {
		n := utf8.RuneCountInString(t)
		for len(lens) <= n {
			lens = append(lens, false)
		}
		lens[n] = true
	}
	return lens
}

// needsWideTypos reports whether typos of q are looked for widely: q has
// four letters or more and no name term starts with it.
func (v vocabulary) needsWideTypos(q string) bool {
	if utf8.RuneCountInString(q) < 4 {
		return false
	}
	i, _ := slices.BinarySearch(v, q)
	return i == len(v) || !strings.HasPrefix(v[i], q)
}

// reachOf says how far misspellings of q are looked for: no further than
// the first reach at which some name term matches it.
func (v vocabulary) reachOf(q string) reach {
	if !v.needsWideTypos(q) {
		return reachNarrow
	}
	if v.someTerm(typoKeys(q), func(w string) bool { return typoMatch(q, w, true) }) {
		return reachWide
	}
	if v.someTerm(typoKeys(q), func(w string) bool { return misspeltStart(q, w) || twoTypos(q, w) }) {
		return reachStarts
	}
	return reachFirst
}

// firstLetterTypo reports whether w is q with its first letter wrong,
// missing or extra ("mginx", "ginx", "bnginx" for nginx), for q of four
// letters or more. Such a w is in no name shard the browser fetches for q;
// it finds it in the first-letter index, whose files list the name terms
// by their second and third letters (firstLetterKey, firstLetterKeys).
func firstLetterTypo(q, w string) bool {
	qr, wr := []rune(q), []rune(w)
	if len(qr) < 4 {
		return false
	}
	switch len(wr) - len(qr) {
	case 0:
		return qr[0] != wr[0] && string(qr[1:]) == string(wr[1:])
	case 1:
		return string(wr[1:]) == q
	case -1:
		return string(qr[1:]) == w
	}
	return false
}

// firstLetterKey is the first-letter index key of a name term of three
// letters or more: its second and third letters.
func firstLetterKey(w string) string {
	r := []rune(w)
	if len(r) < 3 {
		return ""
	}
	return string(r[1:3])
}

// firstLetterKeys are the keys under which the terms firstLetterTypo finds
// for q are listed: a wrong first letter keeps q's second and third, an
// extra one in q shifts them to its third and fourth, a missing one to its
// first and second.
func firstLetterKeys(q string) []string {
	r := []rune(q)
	return distinct(string(r[1:3]), string(r[2:4]), string(r[0:2]))
}

// distinct returns keys without repeats, in their order.
func distinct(keys ...string) []string {
	var out []string
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// someTerm reports whether a term of v under one of keys satisfies ok.
func (v vocabulary) someTerm(keys []string, ok func(string) bool) bool {
	for _, key := range keys {
		for _, w := range v.withPrefix(key) {
			if ok(w) {
				return true
			}
		}
	}
	return false
}

// typoKeys are the first two letters a wide typo of q (of three letters or
// more) may start with: q's own, swapped, and q's first and third.
func typoKeys(q string) []string {
	r := []rune(q)
	return distinct(string(r[:2]), string([]rune{r[1], r[0]}), string([]rune{r[0], r[2]}))
}

// withPrefix returns the terms of v that start with prefix.
func (v vocabulary) withPrefix(prefix string) []string {
	i, _ := slices.BinarySearch(v, prefix)
	j := i
	for j < len(v) && strings.HasPrefix(v[j], prefix) {
		j++
	}
	return v[i:j]
}

// oneEdit reports whether a and b are exactly one Damerau edit apart.
func oneEdit(a, b []rune) bool {
	switch len(a) - len(b) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if i == len(a) {
			return false // equal
		}
		if string(a[i+1:]) == string(b[i+1:]) {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && string(a[i+2:]) == string(b[i+2:])
	case 1:
		a, b = b, a
		fallthrough
	case -1: // b has one extra rune
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return string(a[i:]) == string(b[i+1:])
	}
	return false
}

// tokenState is what one query token found in one document.
type tokenState struct {
	name   int    // best name match quality
	mod    int    // best name match quality in the module segment
	desc   int    // best description match quality
	exact  uint32 // name positions matched exactly
	strong uint32 // name positions matched exactly or by prefix
	any    uint32 // name positions matched at all
	cmd    bool   // the token is the command the package installs (entry.Cmd)
}

func (t *tokenState) addName(quality, pos int, module bool) {
	if quality > t.name {
		t.name = quality
	}
	if module && quality > t.mod {
		t.mod = quality
	}
	if pos >= maxPos {
		return
	}
	bit := uint32(1) << pos
	t.any |= bit
	if quality >= matchPrefix {
		t.strong |= bit
	}
	if quality == matchExact {
		t.exact |= bit
	}
}

func (t *tokenState) addDesc(quality int) {
	if quality > t.desc {
		t.desc = quality
	}
}

// docScore ranks one document for a query. count is the number of tokens in
// the document's name and prior is non-zero for a module's enable option;
// modLen is the length of an enable option's module segment (entry.modLen)
// and family a package's family size (entry.Family). count, modLen and
// family only count when some query token matched the name, because the
// browser learns them from the name postings. pkg says the document is
// a package and linked that a module runs it (entry.Partners); ordered
// says the query was a dotted path.
func docScore(toks []tokenState, count, prior, modLen, family int, pkg, linked, ordered bool, rare []int) (tier, score int) {
	n := len(toks)
	allName, allAny, some, named := true, true, false, false
	for _, t := range toks {
		if t.name > 0 {
			named = true
		} else {
			allName = false
		}
		if t.name == 0 && t.desc == 0 {
			allAny = false
		}
		if t.name > 0 || t.desc > 0 {
			some = true
		}
	}
	switch {
	case !some:
		return tierNone, 0
	case allName && startsWith(toks, count) && count == n && toks[n-1].exact&(1<<(n-1)) != 0:
		tier = tierExact
	case allName && startsWith(toks, count):
		tier = tierPrefix
	case allName && (n == 1 || prior > 0 && !ordered || inOrder(toks)):
		// Words found in the order typed, as a dotted path's segments
		// must be: "file manager" is a manager of files, and
		// services.displayManager.logToFile, whose name has both words
		// the other way round, is only words. Words typed apart may name
		// an enable option's module either way round ("enable docker",
		// "gnome desktop" for services.desktopManager.gnome.enable).
		tier = tierPath
	case allName:
		tier = tierWords
	case allAny:
		tier = tierAll
	default:
		tier = tierSome
	}
	// An enable option whose module the query names is that module's
	// entry point, ranked as if its name started with the module's words:
	// "nginx" and "vaultw" find services.nginx.enable and
	// services.vaultwarden.enable among the names that start with the
	// query, and right after a package of exactly that name.
	m := namesModule(toks, modLen)
	byModule := m == tierPrefix
	tier = max(tier, m)
	if n == 1 && toks[0].cmd {
		// The command a package installs, typed whole, names the package
		// as its attribute would: "wg" is wireguard-tools, before wg-ddns
		// and the other names that merely start with it.
		tier = tierExact
	}
	w := 0
	for i, t := range toks {
		// A word naming the module counts more than the same word further
		// in: "redis" means services.redis, not services.immich.redis.
		// Not when the module is what raised the tier: the option then
		// stands level with a package of the module's name, which its
		// family puts first. A package's own name is its module segment
		// (setPackageSegment), but only below tierPrefix: a misspelt
		// "postgrsql" finds the postgresql package level with
		// services.postgresql.enable, while among the names that start
		// with "jellyfin" the variants (jellyfin-desktop) stay behind
		// the module's entry point.
		w += nameWeight[t.name]
		if !byModule && (!pkg || tier < tierPrefix) {
			w += moduleWeight[t.mod]
		}
		if t.name != matchExact && (n > 1 || t.name != matchPrefix) {
			// The description speaks for a token only when the name does
			// not already: else long descriptions that repeat the name
			// would outrank the option itself. A query of one word the
			// name starts with is a name being typed: the descriptions
			// that mention it ("thunderbird" in thunderbird-mcp's) must
			// not put it behind the name it starts. Rare words count
			// more; an enable option's description says what its module
			// is for.
			d := t.desc * rare[i]
			if prior == 0 {
				d /= 2
			}
			if pkg && t.name > 0 {
				// A package name that holds the token only in part
				// ("numpydoc" for "numpy") may come level with one that
				// holds it whole, not beyond: a package's name says what
				// it is. (An option's name is a path to a setting, which
				// its description explains.)
				d = min(d, nameWeight[matchExact]-nameWeight[t.name])
			}
			w += d
		}
	}
	effCount := 0
	if named {
		// The name ends with the query's last token; for an enable option,
		// "enable" does not count: "docker" ends virtualisation.docker.enable.
		// Where the token first matches at its best counts, not a
		// joined word that repeats it: "postgres" starts postgresqlTestHook
		// at its first word, not at the joined word postgresqltesthook
		// held at its last position, so it is no plain name of a family.
		last := count - 1
		at := firstBest(toks[n-1])
		end := last < maxPos && at == 1<<last
		if !end && prior > 0 && last >= 1 && last-1 < maxPos && at == 1<<(last-1) {
			end = true
		}
		if end {
			w += 6
		} else {
			// A family is the variants of the whole name: the query
			// reaches only part of it (bitwarden in
			// bitwarden-directory-connector), so its variants
			// (bitwarden-directory-connector-cli) say nothing of what
			// was typed.
			family = 0
		}
		// Shorter names first; an enable option's own "enable" is not
		// counted, so a module's entry point leads its options.
		effCount = count
		if prior > 0 && effCount > 1 {
			effCount--
		}
		effCount = min(effCount, 99)
	}
	if !named {
		family = 0
		if pkg && !linked {
			// Only descriptions found it, so there is no name to measure.
			// Among packages that descriptions found alike (the many that
			// say "password manager"), one that a NixOS module runs comes
			// first: a module is written for a program people run, so it
			// is the evidence of use the package set gives. Else they
			// would fall back to alphabetical order.
			effCount = 1
		}
	}
	if pkg && n == 1 && tier == tierPrefix {
		// One word that package names start with is a name being typed:
		// whether it happens to be a whole word of the name says where
		// the typing stopped more than what is meant. The size of a
		// package's family of versions and variants says how much its
		// name is used, so among those names a big family's plain name
		// comes first: "postgres" is postgresql, before
		// postgres-language-server.
		w += familyWeight * family
	}
	return tier, ((tier*1000+w)*(maxFamily+1)+family)*100 + 99 - effCount
}

// firstBest is the mask of the first name position at which t matches
// with its best quality (exact, then exact or prefix, then any).
func firstBest(t tokenState) uint32 {
	m := t.any
	if t.exact != 0 {
		m = t.exact
	} else if t.strong != 0 {
		m = t.strong
	}
	return m & -m
}

// familyWeight is what each bit of a package's family size adds to the
// score of a name that starts with a one-word query: a family of four
// (three bits) outweighs a whole name word over one it starts.
const familyWeight = 3

// place is where a matched document goes in the results: higher score
// first, then lower order, then lower document number (ord). A
// document's own order is three times its number, which leaves room to
// put a partner right before or right after it (placeWithPartners).
type place struct{ score, order, ord int }

func ownPlace(ord, score int) place { return place{score, 3 * ord, ord} }

// compare orders places as results are: better first.
func (a place) compare(b place) int {
	switch {
	case a.score != b.score:
		return b.score - a.score
	case a.order != b.order:
		return a.order - b.order
	}
	return a.ord - b.ord
}

// placeWithPartners presents a module's enable option and the package it
// runs together, as the issue asks of a query about a service: when both
// match, the one ranked lower comes right after the other, level with it.
// But when descriptions alone found both, the package (pkg) comes first,
// right before the option: the option's description is mostly the
// package's, lent to it (addPackageEvidence), and no name the query holds
// says which of the two was meant; the program is what was asked for and
// the option how to run it, as a package of the query's name comes before
// its module's entry point. scores holds the matched documents' own scores
// by document number (0 for a document that did not match or is filtered
// out); only own scores are read, so the order of the pairs does not
// matter.
func placeWithPartners(ord, own int, pkg bool, partners []int, scores func(int) int) place {
	best := ownPlace(ord, own)
	for _, p := range partners {
		s := scores(p)
		if s == 0 {
			continue
		}
		partner := ownPlace(p, s)
		var at place
		switch {
		case describedOnly(own) && describedOnly(s) && pkg:
			at = place{s, partner.order - 1, ord} // right before the option
		case describedOnly(own) && describedOnly(s) && s <= own:
			continue // the package comes right before this option
		case partner.compare(best) < 0:
			at = place{s, partner.order + 1, ord} // right after the partner
		default:
			continue
		}
		if at.compare(best) < 0 {
			best = at
		}
	}
	return best
}

// describedOnly reports whether a document's score (docScore) was earned
// by descriptions alone, no query token matching its name: only then is
// its name length, subtracted from the last two digits, not counted.
func describedOnly(score int) bool {
	return score%100 == 99
}

// tierUnit is what one tier adds to a score (see docScore).
const tierUnit = 1000 * (maxFamily + 1) * 100

// namesModule is tierPrefix when the query tokens are, in number, the
// words of an enable option's module segment, matched there exactly but
// for the last, which may start its word; tierNone otherwise.
func namesModule(toks []tokenState, modLen int) int {
	n := len(toks)
	if modLen == 0 || modLen == 3 || n != modLen {
		return tierNone
	}
	for i, t := range toks {
		if i < n-1 && t.mod != matchExact || t.mod < matchPrefix {
			return tierNone
		}
	}
	return tierPrefix
}

// startsWith reports whether the name begins with the query: every token
// but the last matches its position exactly, the last exactly or as prefix.
func startsWith(toks []tokenState, count int) bool {
	n := len(toks)
	if n > maxPos || n > count {
		return false
	}
	for i, t := range toks[:n-1] {
		if t.exact&(1<<i) == 0 {
			return false
		}
	}
	return toks[n-1].strong&(1<<(n-1)) != 0
}

// inOrder reports whether the query tokens match name positions in
// increasing order (not necessarily adjacent).
func inOrder(toks []tokenState) bool {
	p := -1
	for _, t := range toks {
		m := t.any
		if p >= 0 {
			m &^= (uint32(1) << (p + 1)) - 1
		}
		if m == 0 {
			return false
		}
		p = lowestBit(m)
	}
	return true
}

func lowestBit(m uint32) int {
	i := 0
	for m&1 == 0 {
		m >>= 1
		i++
	}
	return i
}
