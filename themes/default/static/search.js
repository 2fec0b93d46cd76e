// search.js — the site's search box. It answers queries in the browser from
// the static index that nurdocs writes under <base>search/ (see
// search/static.go), ranking with the same rules as the bleve index behind
// `nurdocs search` (search/rank.go); a Go test compares the two.
//
// Nothing is fetched until the search box is focused or typed into; then
// the manifest, and per query only the shards of its tokens and the
// display records of the results shown. No third-party code.
(function () {
  'use strict';

  // ---- Tokenizer: the mirror of search/tokenize.go -------------------

  var reUpper = /\p{Lu}/u, reLetter = /\p{L}/u, reNumber = /\p{N}/u, reMark = /\p{M}/u;
  var SEP = 0, LOWER = 1, UPPER = 2, DIGIT = 3;

  function classify(ch) {
    if (reUpper.test(ch)) return UPPER;
    if (reLetter.test(ch)) return LOWER;
    if (reNumber.test(ch)) return DIGIT;
    if (reMark.test(ch)) return LOWER;
    return SEP;
  }

  // tokenSpans returns [start, end) code point ranges of the tokens of s.
  function tokenSpans(r) {
    var c = r.map(classify), out = [], start = -1;
    function flush(end) {
      if (start >= 0 && end > start) out.push([start, end]);
      start = -1;
    }
    for (var i = 0; i < r.length; i++) {
      if (c[i] === SEP) { flush(i); continue; }
      if (start < 0) { start = i; continue; }
      var p = c[i - 1];
      if ((p === DIGIT) !== (c[i] === DIGIT)) flush(i);
      else if (p === LOWER && c[i] === UPPER) flush(i);
      else if (p === UPPER && c[i] === UPPER && i + 1 < r.length && c[i + 1] === LOWER) flush(i);
      if (start < 0) start = i;
    }
    flush(r.length);
    return out;
  }

  // lowerChar lower-cases one code point with the simple mapping, as Go's
  // unicode.ToLower does: "İ" gives "i", and a final sigma stays "σ".
  function lowerChar(ch) { return Array.from(ch.toLowerCase())[0]; }

  function tokenize(s) {
    var r = Array.from(s);
    return tokenSpans(r).map(function (sp) { return r.slice(sp[0], sp[1]).map(lowerChar).join(''); });
  }

  var STOP = {};
  ('a an and are as at be been but by can could do does for from has have how i if in into is it its may must no not ' +
   'of on or should so such than that the their then there these this to was we what when where which while who will ' +
   'with would you your').split(' ').forEach(function (w) { STOP[w] = true; });

  var MAX_QUERY_TOKENS = 8;

  function queryTokens(q) {
    var all = tokenize(q), kept = all.filter(function (t) { return !STOP[t]; });
    if (kept.length === 0) kept = all;
    return kept.slice(0, MAX_QUERY_TOKENS);
  }

  // Limits on a query, checked before anything is fetched or ranked; the
  // mirror of CheckQuery in search/limits.go, with the same messages.
  var MAX_QUERY_CHARS = 256, MAX_WORD_CHARS = 64;

  // checkQuery returns why q is refused, or '' when it is not. A pasted
  // megabyte is refused from its length alone: each character is at most
  // two UTF-16 units.
  function checkQuery(q) {
    if (q.length > 2 * MAX_QUERY_CHARS || (q.length > MAX_QUERY_CHARS && Array.from(q).length > MAX_QUERY_CHARS)) {
      return 'query too long: at most ' + MAX_QUERY_CHARS + ' characters';
    }
    var run = 0;
    for (var ch of q) {
      if (classify(ch) === SEP) { run = 0; continue; }
      if (++run > MAX_WORD_CHARS) {
        return 'query word too long: at most ' + MAX_WORD_CHARS + ' letters or digits without a space or other separator';
      }
    }
    return '';
  }

  function cpLen(s) { return Array.from(s).length; }
  function shardKey(t) { var r = Array.from(t); return r.length <= 2 ? t : r[0] + r[1]; }

  // ---- Matching and ranking: the mirror of search/rank.go -------------

  var M_STEM = 1, M_TYPO = 2, M_SUB = 3, M_PREFIX = 4, M_EXACT = 5;
  var NAME_W = [0, 4, 8, 16, 24, 32], MODULE_W = [0, 1, 3, 6, 9, 12];
  var D_STEM = 1, D_PREFIX = 2, D_EXACT = 3, MAX_DESC_SUFFIX = 3;
  var T_NONE = 0, T_SOME = 1, T_ALL = 2, T_WORDS = 3, T_PATH = 4, T_PREFIX = 5, T_EXACT = 6;
  var MAX_POS = 31;

  function oneEdit(a, b) {
    var i = 0;
    if (a.length === b.length) {
      while (i < a.length && a[i] === b[i]) i++;
      if (i === a.length) return false;
      if (a.slice(i + 1).join('') === b.slice(i + 1).join('')) return true;
      return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2).join('') === b.slice(i + 2).join('');
    }
    if (a.length - b.length === 1) { var x = a; a = b; b = x; }
    if (b.length - a.length !== 1) return false;
    while (i < a.length && a[i] === b[i]) i++;
    return a.slice(i).join('') === b.slice(i + 1).join('');
  }

  // typoMatch: see typoMatch in search/rank.go. qr is q as code points.
  function typoMatch(qr, w, wide) {
    if (qr.length < 4) return false;
    var wr = Array.from(w);
    if (wr.length < 2 || Math.abs(wr.length - qr.length) > 1) return false;
    if (!startsAlike(qr, wr, wide)) return false;
    return oneEdit(qr, wr);
  }

  // startsAlike: see search/rank.go.
  function startsAlike(qr, wr, wide) {
    return (qr[0] === wr[0] && qr[1] === wr[1]) ||
      (wide && ((qr[0] === wr[1] && qr[1] === wr[0]) || (qr[0] === wr[0] && qr[2] === wr[1])));
  }

  // How far a token's misspellings are looked for: see reach in
  // search/rank.go.
  var REACH_NARROW = 0, REACH_WIDE = 1, REACH_STARTS = 2, REACH_FIRST = 3;

  function nameMatch(q, qr, w, reach) {
    if (q === w) return M_EXACT;
    if (q.length < w.length && w.startsWith(q) && qr.length >= 2) return M_PREFIX;
    if (typoMatch(qr, w, reach >= REACH_WIDE) || (reach >= REACH_FIRST && firstLetterTypo(qr, w))) return M_TYPO;
    if (stemMatch(q, w) || sameStem(q, w) || (reach >= REACH_STARTS && (misspeltStart(qr, w) || twoTypos(qr, w)))) return M_STEM;
    return 0;
  }

  // misspeltStart: see misspeltStart in search/rank.go.
  var MIN_MISSPELT_START = 5;
  function misspeltStart(qr, w) {
    var n = qr.length, wr = Array.from(w);
    if (n < MIN_MISSPELT_START || wr.length <= n + 1) return false;
    if (!startsAlike(qr, wr, true)) return false;
    return oneEdit(qr, wr.slice(0, n)) || oneEdit(qr, wr.slice(0, n - 1)) || oneEdit(qr, wr.slice(0, n + 1));
  }

  // twoTypos and withinEdits: see search/rank.go.
  var MIN_TWO_TYPOS = 8;
  function twoTypos(qr, w) {
    var wr = Array.from(w);
    if (qr.length < MIN_TWO_TYPOS || wr.length < 2 || qr[0] !== wr[0] || qr[1] !== wr[1]) return false;
    return withinEdits(qr.slice(2), wr.slice(2), 2);
  }

  function withinEdits(a, b, k) {
    if (Math.abs(a.length - b.length) > k) return false;
    var prev2 = [], prev = [], row = [], i, j, t, prevBest = 0;
    for (j = 0; j <= b.length; j++) { prev.push(j); prev2.push(0); row.push(0); }
    for (i = 1; i <= a.length; i++) {
      var best = i;
      row[0] = i;
      for (j = 1; j <= b.length; j++) {
        var next = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) next = Math.min(next, prev2[j - 2] + 1);
        row[j] = next;
        if (next < best) best = next;
      }
      if (best > k && prevBest > k) return false;
      prevBest = best;
      t = prev2; prev2 = prev; prev = row; row = t;
    }
    return prev[b.length] <= k;
  }

  // firstLetterTypo and firstLetterKeys: see search/rank.go.
  function firstLetterTypo(qr, w) {
    if (qr.length < 4) return false;
    var wr = Array.from(w), q1 = qr.slice(1).join('');
    if (wr.length === qr.length) return qr[0] !== wr[0] && q1 === wr.slice(1).join('');
    if (wr.length === qr.length + 1) return wr.slice(1).join('') === qr.join('');
    if (wr.length === qr.length - 1) return q1 === w;
    return false;
  }

  function firstLetterKeys(qr) {
    var keys = [qr[1] + qr[2]];
    [qr[2] + qr[3], qr[0] + qr[1]].forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
    return keys;
  }

  // someTerm reports whether a term of the name shards satisfies ok
  // (vocabulary.someTerm in search/rank.go).
  function someTerm(shards, ok) {
    for (var i = 0; i < shards.length; i++) {
      for (var term in shards[i]) if (ok(term)) return true;
    }
    return false;
  }

  // stemMatch: a name token of four letters or more starts the query token.
  function stemMatch(q, w) { return w.length < q.length && q.startsWith(w) && cpLen(w) >= 4; }

  // stemOf and sameStem: see search/rank.go.
  function stemOf(w) {
    var n = w.length;
    if (!/^[\x00-\x7f]*$/.test(w)) return w;
    function cut(suffix) { return w.endsWith(suffix) && n - suffix.length >= 4; }
    if (cut('ings')) return w.slice(0, n - 4);
    if (cut('ing') || cut('ers')) return w.slice(0, n - 3);
    if (cut('er') || cut('ed')) return w.slice(0, n - 2);
    if (cut('es') && 'sxzh'.indexOf(w.charAt(n - 3)) >= 0) return w.slice(0, n - 2);
    if (cut('s') && w.charAt(n - 2) !== 's') return w.slice(0, n - 1);
    return w;
  }

  // sameStem runs for every term of a shard: the stem of q is kept, and w
  // must start with it before its own stem is worked out.
  var lastStem = { q: null, s: null };
  function sameStem(q, w) {
    if (q === w || q.length < 4 || w.length < 4) return false;
    if (lastStem.q !== q) { lastStem.q = q; lastStem.s = stemOf(q); }
    return w.startsWith(lastStem.s) && stemOf(w) === lastStem.s;
  }

  // rarity: see search/rank.go.
  function rarity(n, df) {
    var r = 0;
    for (var x = Math.floor(n / (df + 1)); x > 0; x = Math.floor(x / 2)) r++;
    return r;
  }

  // wideKeys are the further name shards that wide typos of q need.
  function wideKeys(q) {
    var r = Array.from(q), key = shardKey(q), keys = [];
    if (r.length >= 4) {
      [r[1] + r[0], r[0] + r[2]].forEach(function (k) { if (k !== key && keys.indexOf(k) < 0) keys.push(k); });
    }
    return keys;
  }

  // startsSomeTerm reports whether a term of the name shard starts with q.
  function startsSomeTerm(shard, q) {
    for (var term in shard) if (term.startsWith(q)) return true;
    return false;
  }

  function descMatch(q, qr, w) {
    if (q === w) return D_EXACT;
    if (q.length < w.length && w.startsWith(q) && qr.length >= 3) return D_PREFIX;
    if ((stemMatch(q, w) && cpLen(q.slice(w.length)) <= MAX_DESC_SUFFIX) || sameStem(q, w)) return D_STEM;
    return 0;
  }

  function bit(p) { return (1 << p) >>> 0; }

  function startsWith(toks, count) {
    var n = toks.length;
    if (n > MAX_POS || n > count) return false;
    for (var i = 0; i < n - 1; i++) if ((toks[i].exact & bit(i)) === 0) return false;
    return (toks[n - 1].strong & bit(n - 1)) !== 0;
  }

  // firstBest: see search/rank.go.
  function firstBest(t) {
    var m = t.exact !== 0 ? t.exact : t.strong !== 0 ? t.strong : t.any;
    return (m & -m) >>> 0;
  }

  function inOrder(toks) {
    var p = -1;
    for (var i = 0; i < toks.length; i++) {
      var found = -1;
      for (var b = p + 1; b < MAX_POS; b++) if (toks[i].any & bit(b)) { found = b; break; }
      if (found < 0) return false;
      p = found;
    }
    return true;
  }

  // docScore returns the score, 0 for no match; see docScore in
  // search/rank.go. The tier is Math.floor(score / TIER_UNIT).
  function docScore(toks, count, prior, modLen, family, pkg, linked, ordered, rare) {
    var n = toks.length, allName = true, allAny = true, some = false, named = false, i, t, tier;
    for (i = 0; i < n; i++) {
      t = toks[i];
      if (t.name > 0) named = true; else allName = false;
      if (t.name === 0 && t.desc === 0) allAny = false;
      if (t.name > 0 || t.desc > 0) some = true;
    }
    if (!some) return 0;
    if (allName && startsWith(toks, count) && count === n && (toks[n - 1].exact & bit(n - 1)) !== 0) tier = T_EXACT;
    else if (allName && startsWith(toks, count)) tier = T_PREFIX;
    else if (allName && (n === 1 || (prior > 0 && !ordered) || inOrder(toks))) tier = T_PATH;
    else if (allName) tier = T_WORDS;
    else if (allAny) tier = T_ALL;
    else tier = T_SOME;
    var m = namesModule(toks, modLen), byModule = m === T_PREFIX;
    if (m > tier) tier = m;
    // The command a package installs, typed whole: see docScore in search/rank.go.
    if (n === 1 && toks[0].cmd) tier = T_EXACT;
    var w = 0;
    for (i = 0; i < n; i++) {
      w += NAME_W[toks[i].name];
      if (!byModule && (!pkg || tier < T_PREFIX)) w += MODULE_W[toks[i].mod];
      if (toks[i].name !== M_EXACT && (n > 1 || toks[i].name !== M_PREFIX)) {
        var d = toks[i].desc * rare[i];
        if (prior === 0) d = Math.floor(d / 2);
        if (pkg && toks[i].name > 0) d = Math.min(d, NAME_W[M_EXACT] - NAME_W[toks[i].name]); // see search/rank.go
        w += d;
      }
    }
    var eff = 0;
    if (named) {
      var last = count - 1;
      var at = firstBest(toks[n - 1]);
      var end = last < MAX_POS && at === bit(last);
      if (!end && prior > 0 && last >= 1 && last - 1 < MAX_POS && at === bit(last - 1)) end = true;
      if (end) w += 6;
      else family = 0; // the query reaches only part of the name: see docScore in search/rank.go
      eff = count;
      if (prior > 0 && eff > 1) eff--;
      eff = Math.min(eff, 99);
    }
    if (!named) {
      family = 0;
      if (pkg && !linked) eff = 1; // a package a module runs first: see docScore in search/rank.go
    }
    if (pkg && n === 1 && tier === T_PREFIX) w += FAMILY_W * family; // see docScore in search/rank.go
    return ((tier * 1000 + w) * (MAX_FAMILY + 1) + family) * 100 + 99 - eff;
  }

  // placedBefore reports whether a result at (score sa, order oa, number
  // da) comes before one at (sb, ob, db): place.compare in search/rank.go.
  function placedBefore(sa, oa, da, sb, ob, db) {
    return sa > sb || (sa === sb && (oa < ob || (oa === ob && da < db)));
  }

  var FAMILY_W = 3, MAX_FAMILY = 7, TIER_UNIT = 1000 * (MAX_FAMILY + 1) * 100;

  // namesModule: see namesModule in search/rank.go.
  function namesModule(toks, modLen) {
    var n = toks.length;
    if (modLen === 0 || modLen === 3 || n !== modLen) return T_NONE;
    for (var i = 0; i < n; i++) {
      if ((i < n - 1 && toks[i].mod !== M_EXACT) || toks[i].mod < M_PREFIX) return T_NONE;
    }
    return T_PREFIX;
  }

  // ---- Engine: fetches shards, folds postings, ranks ------------------

  function fileOf(key) {
    if (/^[a-z0-9]+$/.test(key)) return key + '.json';
    var hex = '';
    new TextEncoder().encode(key).forEach(function (b) { hex += (b < 16 ? '0' : '') + b.toString(16); });
    return '_' + hex + '.json';
  }

  // Engine answers queries from the index at root (a URL ending in "/"),
  // reading files with load(path) → Promise of parsed JSON.
  function Engine(load) {
    this.load = load;
    this.files = {};
    this.manifest = null;
  }

  // get fetches a file once; files[path].value holds it once loaded.
  Engine.prototype.get = function (path) {
    var self = this, f = this.files[path];
    if (!f) {
      f = this.files[path] = { value: null };
      f.promise = this.load(path).then(function (v) { f.value = v; return v; },
        function (err) { delete self.files[path]; throw err; });
    }
    return f.promise;
  };

  Engine.prototype.init = function () {
    var self = this;
    if (!this.ready) {
      this.ready = this.get('manifest.json').then(function (m) {
        if (m.v !== 5) throw new Error('search index format ' + m.v + ' not supported');
        self.manifest = m;
        // Enable options, for documents only descriptions find.
        self.prior = new Uint8Array(m.docs);
        for (var i = 0, ord = 0; i < m.prior.length; i++) { ord += m.prior[i]; self.prior[ord] = 1; }
        // A module's enable option and the package it runs, shown together
        // (placeWithPartners in search/rank.go): document number → partners.
        self.partners = new Map();
        var link = function (a, b) { if (!self.partners.has(a)) self.partners.set(a, []); self.partners.get(a).push(b); };
        for (i = 0, ord = 0; i + 1 < m.pairs.length; i += 2) { ord += m.pairs[i]; link(ord, m.pairs[i + 1]); link(m.pairs[i + 1], ord); }
        self.nameKeys = new Set(m.name);
        self.descKeys = new Set(m.desc);
        self.firstKeys = new Set(m.first || []);
        return m;
      });
    }
    return this.ready;
  };

  // rangeOf returns the [kind, scope, from, to] range holding document ord.
  Engine.prototype.rangeOf = function (ord) {
    var rs = this.manifest.ranges;
    for (var i = 0; i < rs.length; i++) if (ord >= rs[i][2] && ord < rs[i][3]) return rs[i];
    return null;
  };

  // rank returns {total, results}: the number of matching documents and the
  // best opts.limit of them as {ord, tier, score, kind, scope}, best first.
  Engine.prototype.rank = function (q, opts) {
    var self = this;
    opts = opts || {};
    return this.init().then(function () {
      var problem = checkQuery(q);
      if (problem) {
        var err = new Error(problem);
        err.queryRefused = true; // the query's fault, not the index's
        throw err;
      }
      var toks = queryTokens(q);
      if (toks.length === 0) return { total: 0, results: [] };
      var ordered = q.indexOf('.') >= 0; // a dotted path: in order, names only
      var plans = toks.map(function (t) {
        var nameFiles = [shardKey(t)].filter(function (k) { return self.nameKeys.has(k); }).map(function (k) { return 'n/' + fileOf(k); });
        var r = Array.from(t), dk = null;
        if (ordered) dk = null;
        else if (r.length >= 3 && self.descKeys.has(r[0] + r[1] + r[2])) dk = r[0] + r[1] + r[2];
        else if (self.descKeys.has(shardKey(t))) dk = shardKey(t);
        return { tok: t, names: nameFiles, desc: dk ? 'd/' + fileOf(dk) : null, wide: false };
      });
      function load(files) { return Promise.all(files.map(function (f) { return self.get(f); })); }
      var first = [];
      plans.forEach(function (p) { first = first.concat(p.names); if (p.desc) first.push(p.desc); });
      return load(first).then(function () {
        // Typos that change the first two letters are looked for only for a
        // token no name starts with; their shards come in a second round.
        var more = [];
        plans.forEach(function (p) {
          var shard = p.names.length ? self.files[p.names[0]].value : {};
          p.wide = cpLen(p.tok) >= 4 && !startsSomeTerm(shard, p.tok);
          if (p.wide) {
            wideKeys(p.tok).forEach(function (k) {
              if (self.nameKeys.has(k)) { p.names.push('n/' + fileOf(k)); more.push('n/' + fileOf(k)); }
            });
          }
        });
        return load(more);
      }).then(function () {
        // How far misspellings are looked for (reachOf in search/rank.go):
        // no further than where some name term matches. A token nothing
        // matches at all may have its first letter wrong: the first-letter
        // index lists the terms that could be meant, and their name shards
        // come in a fourth round.
        var lists = [];
        plans.forEach(function (p) {
          var qr = Array.from(p.tok), shards = p.names.map(function (f) { return self.files[f].value; });
          if (!p.wide) p.reach = REACH_NARROW;
          else if (someTerm(shards, function (w) { return typoMatch(qr, w, true); })) p.reach = REACH_WIDE;
          else if (someTerm(shards, function (w) { return misspeltStart(qr, w) || twoTypos(qr, w); })) p.reach = REACH_STARTS;
          else {
            p.reach = REACH_FIRST;
            p.lists = firstLetterKeys(qr).filter(function (k) { return self.firstKeys.has(k); }).map(function (k) { return 'f/' + fileOf(k); });
            lists = lists.concat(p.lists);
          }
        });
        return load(lists);
      }).then(function () {
        var more = [];
        plans.forEach(function (p) {
          if (p.reach !== REACH_FIRST) return;
          var qr = Array.from(p.tok);
          p.lists.forEach(function (f) {
            self.files[f].value.forEach(function (w) {
              var n = 'n/' + fileOf(shardKey(w));
              if (firstLetterTypo(qr, w) && p.names.indexOf(n) < 0) { p.names.push(n); more.push(n); }
            });
          });
        });
        return load(more);
      }).then(function () {
        // How rare each token is in descriptions: its postings in its shard.
        plans.forEach(function (p) {
          var d = p.desc ? self.files[p.desc].value : null;
          var df = d && Object.prototype.hasOwnProperty.call(d, p.tok) ? d[p.tok].length : 0;
          // A word in no description and at the start of no name: tokenRarity in search/features.go.
          p.rare = df === 0 && p.reach > REACH_NARROW ? 1 : rarity(self.manifest.docs, df);
        });
        // Neighbouring words that, written together, start a name term are
        // also read as one ("jelly fin" as jellyfin), and so are those a
        // package description says as a phrase ("password manager"):
        // joinedTokens in search/features.go. The joined word is in the
        // first word's name shard, the phrase in its description shard.
        var joins = [];
        for (var i = 0; !ordered && i + 1 < toks.length; i++) {
          if (cpLen(toks[i]) < 2) continue;
          var own = 'n/' + fileOf(shardKey(toks[i])), jt = toks[i] + toks[i + 1];
          var byName = plans[i].names[0] === own && startsSomeTerm(self.files[own].value, jt);
          var ds = plans[i].desc ? self.files[plans[i].desc].value : null;
          var byDesc = cpLen(toks[i]) >= 3 && ds !== null && Object.prototype.hasOwnProperty.call(ds, jt);
          if (byName || byDesc) {
            joins.push({ tok: jt, names: byName ? [own] : [], desc: byDesc ? plans[i].desc : null, reach: REACH_NARROW, at: i,
              rare: rarity(self.manifest.docs, byDesc ? ds[jt].length : 0) });
          }
        }
        return self.fold(toks, plans, opts, ordered, joins);
      });
    });
  };

  // Per-document match state lives in typed arrays indexed by document
  // number, reused across queries: a query touching 70,000 documents must
  // not allocate 70,000 objects. gen marks which documents the current
  // query has touched.
  Engine.prototype.buffers = function (n) {
    var N = this.manifest.docs, b = this.buf;
    if (!b) {
      b = this.buf = { gen: 0, seen: new Uint32Array(N), touched: new Int32Array(N), count: new Uint8Array(N), extra: new Uint8Array(N), score: new Int32Array(N), order: new Int32Array(N), pkg: new Uint8Array(N), toks: [] };
    }
    while (b.toks.length < n) {
      b.toks.push({ name: new Uint8Array(N), mod: new Uint8Array(N), desc: new Uint8Array(N), exact: new Uint32Array(N), strong: new Uint32Array(N), any: new Uint32Array(N), cmd: new Uint8Array(N) });
    }
    b.gen++;
    if (b.gen === 0xffffffff) { b.seen.fill(0); b.gen = 1; }
    return b;
  };

  // fold ranks once the shards are loaded. It is synchronous: it is the
  // part that must stay within a few milliseconds per keystroke.
  Engine.prototype.fold = function (toks, plans, opts, ordered, joins) {
    // The joined words are folded as further tokens, names only, after the
    // query's own.
    var n = toks.length, all = plans.concat(joins), b = this.buffers(all.length), gen = b.gen, seen = b.seen, touched = b.touched, nt = 0, i, j, k;
    function touch(ord) {
      if (seen[ord] !== gen) {
        seen[ord] = gen;
        touched[nt++] = ord;
        b.count[ord] = 0;
        b.extra[ord] = 0;
        for (var x = 0; x < all.length; x++) {
          var s = b.toks[x];
          s.name[ord] = 0; s.mod[ord] = 0; s.desc[ord] = 0; s.exact[ord] = 0; s.strong[ord] = 0; s.any[ord] = 0; s.cmd[ord] = 0;
        }
      }
    }
    for (i = 0; i < all.length; i++) {
      var p = all[i], q = p.tok, qr = Array.from(q), st = b.toks[i];
      for (k = 0; k < p.names.length; k++) {
        var shard = this.files[p.names[k]].value;
        for (var term in shard) {
          var m = nameMatch(q, qr, term, p.reach), subOK = term === q;
          if (m === 0 && !subOK) continue;
          var ps = shard[term], ord = 0;
          for (j = 0; j < ps.length; j += 2) {
            ord += ps[j];
            var packed = ps[j + 1], quality = (packed >> 13) & 1 ? (subOK ? M_SUB : 0) : m;
            if (quality === 0) continue;
            touch(ord);
            var pos = packed & 31;
            b.count[ord] = (packed >> 5) & 63;
            b.extra[ord] = (packed >> 15) & 31; // module segment length (2 bits), family (3 bits)
            if ((packed >> 20) & 1 && quality === M_EXACT) st.cmd[ord] = 1; // the package's command, typed whole
            if (quality > st.name[ord]) st.name[ord] = quality;
            if ((packed >> 14) & 1 && quality > st.mod[ord]) st.mod[ord] = quality; // in the module segment
            if (pos < MAX_POS) {
              var bt = bit(pos);
              st.any[ord] |= bt;
              if (quality >= M_PREFIX) st.strong[ord] |= bt;
              if (quality === M_EXACT) st.exact[ord] |= bt;
            }
          }
        }
      }
      if (p.desc) {
        var dshard = this.files[p.desc].value;
        var terms = qr.length >= 3 ? Object.keys(dshard) : (Object.prototype.hasOwnProperty.call(dshard, q) ? [q] : []);
        for (k = 0; k < terms.length; k++) {
          var dm = descMatch(q, qr, terms[k]);
          if (dm === 0) continue;
          var dps = dshard[terms[k]], dord = 0;
          for (j = 0; j < dps.length; j++) {
            dord += dps[j];
            touch(dord);
            if (dm > st.desc[dord]) st.desc[dord] = dm;
          }
        }
      }
    }
    // Score every touched document; keep the best limit in a small sorted list.
    var allowed = this.manifest.ranges.filter(function (r) {
      return (!opts.kind || r[0] === opts.kind) && (!opts.scope || r[1] === opts.scope);
    });
    var limit = opts.limit || 10, top = [], total = 0, view = [];
    var rare = plans.map(function (p) { return p.rare; });
    for (i = 0; i < n; i++) view.push({ name: 0, mod: 0, desc: 0, exact: 0, strong: 0, any: 0, cmd: 0 });
    var scores = b.score;
    for (k = 0; k < nt; k++) {
      var o = touched[k], ok = false, pkg = false;
      scores[o] = 0;
      for (j = 0; j < allowed.length; j++) if (o >= allowed[j][2] && o < allowed[j][3]) { ok = true; pkg = allowed[j][0] === 'package'; break; }
      if (!ok) continue;
      var named = false;
      for (i = 0; i < n; i++) {
        var t = b.toks[i], v = view[i];
        v.name = t.name[o]; v.mod = t.mod[o]; v.desc = t.desc[o]; v.exact = t.exact[o]; v.strong = t.strong[o]; v.any = t.any[o]; v.cmd = t.cmd[o];
        if (v.name > 0) named = true;
      }
      var ex = b.extra[o];
      var linked = pkg && this.partners.has(o);
      b.pkg[o] = pkg ? 1 : 0;
      var sc = docScore(view, named ? b.count[o] : 0, this.prior[o], ex & 3, ex >> 2, pkg, linked, ordered, rare);
      // The better of the query as typed and of each join: the joined
      // word, if a name word or the start of one, stands for the two.
      for (var x = 0; x < joins.length; x++) {
        var js = b.toks[n + x], at = joins[x].at, phrase = false;
        var vview = view.slice(0, at), vrare = rare.slice(0, at);
        if (js.name[o] >= M_PREFIX) {
          vview.push({ name: js.name[o], mod: js.mod[o], desc: 0, exact: js.exact[o], strong: js.strong[o], any: js.any[o], cmd: 0 });
          vrare.push(0);
        } else if (joins[x].desc && js.desc[o] > 0) {
          vview.push({ name: 0, mod: 0, desc: js.desc[o], exact: 0, strong: 0, any: 0, cmd: 0 });
          vrare.push(joins[x].rare);
          phrase = true;
        } else continue;
        vview = vview.concat(view.slice(at + 2));
        vrare = vrare.concat(rare.slice(at + 2));
        var vsc = docScore(vview, b.count[o], this.prior[o], ex & 3, ex >> 2, pkg, linked, ordered, vrare);
        // A description saying the whole query as a phrase: see entry.score.
        if (phrase && n === 2 && vsc < T_PATH * TIER_UNIT) vsc += (T_PATH - Math.floor(vsc / TIER_UNIT)) * TIER_UNIT;
        if (vsc > sc) sc = vsc;
      }
      scores[o] = sc;
    }
    // A module's enable option and its package, both matched, are shown
    // together: placeWithPartners in search/rank.go. Own scores only are
    // read. Among equal scores, lower order first, then lower number; a
    // document's own order is three times its number.
    var placed = [], order = b.order;
    for (k = 0; k < nt; k++) {
      o = touched[k];
      var own = scores[o], bs = own, bo = 3 * o;
      order[o] = bo;
      var ps = own > 0 ? this.partners.get(o) : undefined;
      if (!ps) continue;
      for (j = 0; j < ps.length; j++) {
        var po = ps[j], s = seen[po] === gen ? scores[po] : 0, as, ao;
        if (s <= 0) continue;
        var described = own % 100 === 99 && s % 100 === 99; // describedOnly, both
        if (described && b.pkg[o]) { as = s; ao = 3 * po - 1; } // right before the option
        else if (described && s <= own) continue;
        else if (placedBefore(s, 3 * po, po, bs, bo, o)) { as = s; ao = 3 * po + 1; } // right after the partner
        else continue;
        if (placedBefore(as, ao, o, bs, bo, o)) { bs = as; bo = ao; }
      }
      if (bs !== own || bo !== 3 * o) placed.push(o, bs, bo);
    }
    for (k = 0; k < placed.length; k += 3) { scores[placed[k]] = placed[k + 1]; order[placed[k]] = placed[k + 2]; }
    for (k = 0; k < nt; k++) {
      o = touched[k];
      var sc = scores[o];
      if (sc === 0) continue;
      total++;
      if (top.length === limit) {
        var worst = top[limit - 1];
        if (!placedBefore(sc, order[o], o, worst.score, worst.order, worst.ord)) continue;
        top.pop();
      }
      var r = { ord: o, order: order[o], tier: Math.floor(sc / TIER_UNIT), score: sc };
      for (j = top.length; j > 0 && placedBefore(r.score, r.order, o, top[j - 1].score, top[j - 1].order, top[j - 1].ord); j--) {}
      top.splice(j, 0, r);
    }
    for (k = 0; k < top.length; k++) {
      var rg = this.rangeOf(top[k].ord);
      top[k].kind = rg[0];
      top[k].scope = rg[1];
    }
    // How far each token's misspellings were looked for, so that the
    // results highlight what matched.
    return { total: total, results: top, reach: plans.map(function (p) { return p.reach; }) };
  };

  // search returns {total, results} with the first limit results completed
  // with their display fields: name, summary, type, default, url and, when
  // the site has a history, since ("new in 0.3.0").
  Engine.prototype.search = function (q, opts) {
    var self = this;
    opts = opts || {};
    var limit = opts.limit || 10;
    return this.rank(q, { kind: opts.kind, scope: opts.scope, limit: limit }).then(function (ranked) {
      var top = ranked.results, chunk = self.manifest.chunk;
      return Promise.all(top.map(function (r) {
        return self.get('docs/' + Math.floor(r.ord / chunk) + '.json').then(function (c) {
          var rec = c[r.ord % chunk];
          r.name = rec[0]; r.summary = rec[1]; r.type = rec[2]; r.default = rec[3]; r.url = rec[4]; r.since = rec[5] || '';
          return r;
        });
      })).then(function (results) { return { total: ranked.total, results: results, reach: ranked.reach }; });
    });
  };

  var api = { tokenize: tokenize, tokenSpans: tokenSpans, queryTokens: queryTokens, checkQuery: checkQuery, nameMatch: nameMatch, Engine: Engine };

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api; // Node: the tests load the engine without a page
    return;
  }
  if (typeof document === 'undefined') return;

  // ---- Page: the search box, the results, the search page -------------

  var root = document.documentElement;
  var base = root.getAttribute('data-base') || '/';
  if (base.charAt(base.length - 1) !== '/') base += '/';
  var engine = new Engine(function (path) {
    return fetch(base + 'search/' + path).then(function (res) {
      if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
      return res.json();
    });
  });
  window.nurdocsSearch = api;
  window.nurdocsSearch.engine = engine;

  var KIND_LABEL = { option: 'Option', package: 'Package', guide: 'Guide' };
  // PAGE is how many results the search page shows at first and adds with
  // each "more"; the drop-down shows DROPDOWN and links to the page.
  var PAGE = 50, DROPDOWN = 10;
  var input, box, form, pageBox, active = -1, shown = [], seq = 0, filter = { kind: '', scope: '' }, styled = false, pageLimit = PAGE;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function addStyle() {
    if (styled) return;
    styled = true;
    if (document.querySelector('link[href$="static/search.css"]')) return;
    var l = document.createElement('link');
    l.rel = 'stylesheet';
    l.href = base + 'static/search.css';
    document.head.appendChild(l);
  }

  function start() {
    addStyle();
    return engine.init();
  }

  // highlighted renders name with the parts that query tokens matched in <mark>.
  function highlighted(name, toks, reach) {
    var r = Array.from(name), spans = tokenSpans(r), marks = [], covered = [];
    // A query token typed as one word over several name tokens
    // ("openfirewall" for openFirewall) marks that stretch of the segment.
    var c = r.map(classify), i = 0;
    while (i < r.length) {
      if (c[i] === SEP) { i++; continue; }
      var start = i;
      while (i < r.length && c[i] !== SEP) i++;
      var joined = r.slice(start, i).map(lowerChar).join(''), longest = 0;
      toks.forEach(function (q) { if (joined.startsWith(q) && cpLen(q) > longest) longest = cpLen(q); });
      var firstLen = 0;
      spans.forEach(function (sp) { if (sp[0] === start) firstLen = sp[1] - sp[0]; });
      if (longest > firstLen) {
        marks.push([start, start + longest]);
        spans.forEach(function (sp, k) { if (sp[0] >= start && sp[0] < start + longest) covered[k] = true; });
      }
    }
    spans.forEach(function (sp, k) {
      if (covered[k]) return;
      var w = r.slice(sp[0], sp[1]).map(lowerChar).join(''), best = 0, len = 0;
      toks.forEach(function (q, t) {
        var m = nameMatch(q, Array.from(q), w, reach && reach[t] !== undefined ? reach[t] : REACH_WIDE);
        if (m > best || (m === best && m > 0 && cpLen(q) > len)) { best = m; len = cpLen(q); }
        if (best < M_SUB && w.length > q.length && (w.startsWith(q) || w.endsWith(q)) && cpLen(q) >= 3) {
          best = M_SUB; len = cpLen(q); marks.push(w.startsWith(q) ? [sp[0], sp[0] + len] : [sp[1] - len, sp[1]]);
        }
      });
      if (best === M_EXACT || best === M_PREFIX) marks.push([sp[0], sp[0] + Math.min(len, sp[1] - sp[0])]);
      else if (best === M_TYPO) marks.push([sp[0], sp[1]]);
    });
    var frag = document.createDocumentFragment(), at = 0;
    marks.sort(function (a, b) { return a[0] - b[0]; });
    marks.forEach(function (m) {
      if (m[0] < at) return;
      if (m[0] > at) frag.appendChild(document.createTextNode(r.slice(at, m[0]).join('')));
      frag.appendChild(el('mark', null, r.slice(m[0], m[1]).join('')));
      at = m[1];
    });
    if (at < r.length) frag.appendChild(document.createTextNode(r.slice(at).join('')));
    return frag;
  }

  // breakAfterDots lets a long option name wrap after its dots (a <wbr>
  // after each) instead of in the middle of a word on a phone.
  function breakAfterDots(node) {
    var texts = [], walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT), t;
    while ((t = walker.nextNode())) texts.push(t);
    texts.forEach(function (text) {
      var parts = text.data.split('.');
      if (parts.length < 2) return;
      var frag = document.createDocumentFragment();
      parts.forEach(function (p, i) {
        if (i > 0) { frag.appendChild(document.createTextNode('.')); frag.appendChild(document.createElement('wbr')); }
        if (p) frag.appendChild(document.createTextNode(p));
      });
      text.parentNode.replaceChild(frag, text);
    });
  }

  function renderFilters(target, onChange) {
    var bar = el('div', 'search-filters');
    bar.setAttribute('role', 'group');
    bar.setAttribute('aria-label', 'Filter results');
    [['', 'All'], ['option', 'Options'], ['package', 'Packages'], ['guide', 'Guides']].forEach(function (k) {
      var b = el('button', 'search-filter', k[1]);
      b.type = 'button';
      b.setAttribute('data-kind', k[0]);
      b.setAttribute('aria-pressed', String(filter.kind === k[0]));
      b.addEventListener('mousedown', function (e) { e.preventDefault(); });
      b.addEventListener('click', function () { filter.kind = k[0]; pageLimit = PAGE; onChange(); });
      bar.appendChild(b);
    });
    var scopes = [];
    engine.manifest.ranges.forEach(function (r) { if (r[0] === 'option' && scopes.indexOf(r[1]) < 0) scopes.push(r[1]); });
    if (scopes.length > 1) {
      var sel = el('select', 'search-scope');
      sel.setAttribute('aria-label', 'Option set');
      sel.appendChild(new Option('All option sets', ''));
      scopes.forEach(function (s) { sel.appendChild(new Option(s, s, false, filter.scope === s)); });
      sel.addEventListener('change', function () { filter.scope = sel.value; pageLimit = PAGE; onChange(); });
      bar.appendChild(sel);
    }
    target.appendChild(bar);
  }

  // searchPageURL is the full search page for q with the current filters,
  // relative to base.
  function searchPageURL(q) {
    var p = new URLSearchParams();
    p.set('q', q);
    if (filter.kind) p.set('kind', filter.kind);
    if (filter.scope) p.set('scope', filter.scope);
    return 'search/?' + p.toString();
  }

  function renderResults(target, q, res, onChange) {
    var toks = queryTokens(q);
    // Redrawing replaces the filter controls: a control that had focus
    // (chosen with Enter or Space) gets it back in its new copy.
    var had = document.activeElement, refocus = null;
    if (had && target.contains(had)) {
      if (had.classList.contains('search-filter')) refocus = '.search-filter[data-kind="' + had.getAttribute('data-kind') + '"]';
      else if (had.classList.contains('search-scope')) refocus = '.search-scope';
      else if (had.classList.contains('search-more-button')) refocus = '.search-more-button';
    }
    target.textContent = '';
    renderFilters(target, onChange);
    var status = el('p', 'search-status');
    status.setAttribute('role', 'status');
    status.textContent = res.total === 0 ? 'No results for “' + q + '”.' :
      res.total + (res.total === 1 ? ' result' : ' results') + (res.total > res.results.length ? ', showing ' + res.results.length : '');
    target.appendChild(status);
    // The links themselves are the listbox's options (an option holding a
    // link would nest one control in another); the search box keeps focus
    // and points at the active one with aria-activedescendant.
    var list = el('ol', 'search-list');
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Search results');
    res.results.forEach(function (r, i) {
      var li = el('li', 'search-result');
      li.setAttribute('role', 'none');
      var a = el('a');
      a.id = 'search-result-' + i;
      a.setAttribute('role', 'option');
      a.tabIndex = -1;
      a.href = base + r.url;
      a.setAttribute('data-kind', r.kind);
      var head = el('span', 'search-head');
      head.appendChild(el('span', 'search-kind search-kind-' + r.kind, KIND_LABEL[r.kind] || r.kind));
      var name = el('span', 'search-name');
      name.appendChild(highlighted(r.name, toks, res.reach));
      breakAfterDots(name);
      head.appendChild(name);
      if (r.kind === 'option' && r.scope) head.appendChild(el('span', 'search-scope-label', r.scope));
      if (r.since) head.appendChild(el('span', 'search-since', r.since));
      a.appendChild(head);
      if (r.summary) a.appendChild(el('span', 'search-summary', r.summary));
      if (r.kind === 'option' && (r.type || r.default)) {
        var meta = el('span', 'search-meta');
        if (r.type) { meta.appendChild(el('span', 'search-meta-label', 'Type: ')); meta.appendChild(el('code', null, r.type)); }
        if (r.default) { meta.appendChild(el('span', 'search-meta-label', ' Default: ')); meta.appendChild(el('code', null, r.default)); }
        a.appendChild(meta);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    shown = res.results.slice();
    if (!pageBox && res.total > res.results.length) {
      // The last option of the drop-down opens the full search page.
      var more = el('li', 'search-more');
      more.setAttribute('role', 'none');
      var all = el('a', null, 'See all ' + res.total + ' results');
      all.id = 'search-result-' + shown.length;
      all.setAttribute('role', 'option');
      all.tabIndex = -1;
      all.href = base + searchPageURL(q);
      more.appendChild(all);
      list.appendChild(more);
      shown.push({ url: searchPageURL(q), more: true });
    }
    target.appendChild(list);
    if (pageBox && res.total > res.results.length) {
      var btn = el('button', 'search-more-button', 'Show ' + Math.min(PAGE, res.total - res.results.length) + ' more results');
      btn.type = 'button';
      btn.addEventListener('click', function () { pageLimit += PAGE; onChange(); });
      target.appendChild(btn);
    }
    target.setAttribute('data-query', q);
    setActive(shown.length ? 0 : -1);
    if (refocus) {
      var again = target.querySelector(refocus);
      if (again) again.focus();
    }
  }

  function setActive(i) {
    var items = (pageBox || box).querySelectorAll('.search-result, .search-more');
    items.forEach(function (li, j) {
      li.classList.toggle('active', j === i);
      li.firstChild.setAttribute('aria-selected', String(j === i));
    });
    active = i;
    if (i >= 0 && items[i]) {
      input.setAttribute('aria-activedescendant', items[i].firstChild.id);
      if (items[i].scrollIntoView) items[i].scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  // place puts the drop-down under the search box, inside the viewport.
  function place() {
    var r = input.getBoundingClientRect(), w = box.offsetWidth || 600;
    var left = Math.max(8, Math.min(r.right - w, window.innerWidth - w - 8));
    box.style.top = (r.bottom + window.scrollY + 6) + 'px';
    box.style.left = (left + window.scrollX) + 'px';
  }

  function show() {
    box.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    place();
  }

  function hide() { box.hidden = true; active = -1; input.setAttribute('aria-expanded', 'false'); }

  // query is a new query typed or a filter chosen: the search page starts
  // again at its first page of results.
  function query() {
    pageLimit = PAGE;
    run();
  }

  function run() {
    var q = input.value, my = ++seq, t0 = performance.now();
    var target = pageBox || box;
    if (pageBox) syncURL(q);
    if (!q.trim()) { if (!pageBox) hide(); else pageBox.textContent = ''; return; }
    start().then(function () {
      return engine.search(q, { kind: filter.kind, scope: filter.scope, limit: pageBox ? pageLimit : DROPDOWN });
    }).then(function (res) {
      if (my !== seq) return; // a newer keystroke won
      renderResults(target, q, res, run);
      if (!pageBox) show();
      // Time from keystroke to results in the DOM, for the tests' report.
      root.setAttribute('data-search-ms', (performance.now() - t0).toFixed(2));
    }).catch(function (err) {
      if (my !== seq) return;
      target.textContent = '';
      target.appendChild(el('p', 'search-status search-error', err.queryRefused ? err.message : 'Search is unavailable: ' + err.message));
      if (!pageBox) show();
    });
  }

  function syncURL(q) {
    var u = new URL(location.href);
    if (q) u.searchParams.set('q', q); else u.searchParams.delete('q');
    if (filter.kind) u.searchParams.set('kind', filter.kind); else u.searchParams.delete('kind');
    if (filter.scope) u.searchParams.set('scope', filter.scope); else u.searchParams.delete('scope');
    history.replaceState(null, '', u.toString());
  }

  function isSearchPage() {
    var p = location.pathname;
    return document.getElementById('search-page') !== null || /\/search\/(index\.html)?$/.test(p);
  }

  function setup() {
    input = document.getElementById('search-input');
    box = document.getElementById('search-results');
    if (!input) return;
    form = input.form;
    if (!box) {
      box = el('div');
      box.id = 'search-results';
      box.hidden = true;
      input.insertAdjacentElement('afterend', box);
    }
    box.classList.add('search-dropdown');
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-controls', 'search-results');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-autocomplete', 'list');

    if (isSearchPage()) {
      pageBox = document.getElementById('search-page');
      if (!pageBox) {
        pageBox = el('div');
        pageBox.id = 'search-page';
        (document.querySelector('main') || document.body).appendChild(pageBox);
      }
      pageBox.classList.add('search-page');
    }

    input.addEventListener('focus', function () { start(); if (!pageBox && input.value.trim() && shown.length) show(); });
    window.addEventListener('resize', function () { if (!box.hidden) place(); });
    input.addEventListener('input', query);
    input.addEventListener('keydown', function (e) {
      var open = pageBox || !box.hidden;
      if (e.key === 'ArrowDown' && open && shown.length) { e.preventDefault(); setActive(Math.min(active + 1, shown.length - 1)); }
      else if (e.key === 'ArrowUp' && open && shown.length) { e.preventDefault(); setActive(Math.max(active - 1, 0)); }
      else if (e.key === 'Escape') { if (!pageBox) hide(); input.blur(); }
      else if (e.key === 'Enter' && open && active >= 0 && shown[active]) {
        e.preventDefault();
        location.href = base + shown[active].url;
      }
      // Otherwise Enter submits the form: the search page with ?q=.
    });
    if (form) {
      // Some keyboards and input methods submit without a keydown we see.
      form.addEventListener('submit', function (e) {
        if ((pageBox || !box.hidden) && active >= 0 && shown[active]) {
          e.preventDefault();
          location.href = base + shown[active].url;
        }
      });
    }
    document.addEventListener('click', function (e) {
      // A filter button re-renders the results, so its click may come from
      // a node no longer in the document: that click was inside too.
      if (!pageBox && e.target !== input && !box.contains(e.target) && document.contains(e.target)) hide();
    });
    document.addEventListener('keydown', function (e) {
      var t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        input.focus();
        input.select();
      }
    });

    var params = new URLSearchParams(location.search), q = params.get('q');
    if (params.get('kind')) filter.kind = params.get('kind');
    if (params.get('scope')) filter.scope = params.get('scope');
    if (q) {
      input.value = q;
      run();
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setup);
  else setup();
})();
