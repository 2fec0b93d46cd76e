package changes

import (
	"context"
	"strings"
	"testing"

	"github.com/atproto-nur/atproto-nur/indexer"
)

// The comparison on this repository's own history: real commits that
// changed modules, each compared with its parent, both evaluated live
// (their committed snapshots lag behind). Skips without Nix, when the
// history is absent (a shallow clone) or a revision cannot be read here.

func loadRev(t *testing.T, rev string) []indexer.Document {
	t.Helper()
	ctx := context.Background()
	// The snapshots committed with these revisions were not re-evaluated
	// at each of them: only a live evaluation shows each one's options.
	if err := indexer.NixAvailable(ctx, ".."); err != nil {
		t.Skipf("skipped: %v", err)
	}
	if _, err := indexer.ResolveRevision(ctx, "..", rev); err != nil {
		t.Skipf("skipped: %v (a shallow clone? fetch the history)", err)
	}
	r, err := indexer.LoadRevision(ctx, "..", rev)
	if err != nil {
		t.Skipf("skipped: %v", err)
	}
	return r.Export.Docs
}

func TestRealHistory(t *testing.T) {
	for _, c := range []struct {
		commit, subject string
		want            []string // Name + " " + Describe, in report order
	}{
		{"ae0f98a", "cocoon: go-util DEBUG flag, JSON log format", []string{
			`services.atproto.cocoon.logFormat type: value "text" (singular enum) → value "json" (singular enum)`,
			`services.atproto.cocoon.logFormat default: "text" → "json"`,
			`services.atproto.cocoon.logFormat description changed`,
			`services.atproto.cocoon.settings.DEBUG new option (boolean)`,
		}},
		{"1cf86f9", "Modules: allegedly and slingshot start with default settings (ACME_IPV6 unset)", []string{
			`services.atproto.allegedly.settings.ALLEGEDLY_ACME_IPV6 type: boolean → null or boolean`,
			`services.atproto.allegedly.settings.ALLEGEDLY_ACME_IPV6 default: false → null`,
			`services.atproto.allegedly.settings.ALLEGEDLY_ACME_IPV6 description changed`,
			`services.atproto.allegedly.settings.ALLEGEDLY_EXPERIMENTAL_ACME_DOMAIN description changed`,
			`services.atproto.slingshot.settings.SLINGSHOT_ACME_CONTACT description changed`,
			`services.atproto.slingshot.settings.SLINGSHOT_ACME_IPV6 type: boolean → null or boolean`,
			`services.atproto.slingshot.settings.SLINGSHOT_ACME_IPV6 default: false → null`,
			`services.atproto.slingshot.settings.SLINGSHOT_ACME_IPV6 description changed`,
		}},
		{"2c4857a", "Modules: rsky-feedgen declares the six variables it reads in its feed code", []string{
			`services.atproto.rsky-feedgen.settings.FEEDGEN_HASHTAG_LIMIT new option (null or (unsigned integer, meaning >=0))`,
			`services.atproto.rsky-feedgen.settings.FEEDGEN_MEDIA_BLACKOUT_ENABLED new option (null or boolean)`,
			`services.atproto.rsky-feedgen.settings.FEEDGEN_MEDIA_BLACKOUT_END new option (null or integer between 0 and 23 (both inclusive))`,
			`services.atproto.rsky-feedgen.settings.FEEDGEN_MEDIA_BLACKOUT_START new option (null or integer between 0 and 23 (both inclusive))`,
			`services.atproto.rsky-feedgen.settings.FEEDGEN_TRENDING_CACHE_CAPACITY new option (null or (unsigned integer, meaning >=0))`,
			`services.atproto.rsky-feedgen.settings.FEEDGEN_TRENDING_CACHE_TTL new option (null or (unsigned integer, meaning >=0))`,
		}},
		{"1ce0903", "Modules: ufos's metrics address description matches upstream", []string{
			`services.atproto.ufos.settings.UFOS_BIND_METRICS description changed`,
		}},
	} {
		t.Run(c.commit, func(t *testing.T) {
			r := Compare(loadRev(t, c.commit+"~1"), loadRev(t, c.commit))
			var got []string
			for _, ch := range r.Changes {
				got = append(got, ch.Name+" "+Describe(ch))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("%s (%s):\ngot\n%s\nwant\n%s", c.commit, c.subject, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if un := r.Unmigrated(); len(un) != 0 {
				t.Errorf("unmigrated removals: %+v", un)
			}
		})
	}
}
