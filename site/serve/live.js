// Live reload for `nurdocs serve`: reloads the page when the site is
// rebuilt and shows build or evaluation errors in an overlay. The server
// injects this script into every HTML page it serves; published sites
// never contain it.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource) return;
  var parse = function (s) {
    try { return JSON.parse(s); } catch (e) { return null; }
  };
  var state = parse(me.getAttribute("data-state") || "") || {};
  var build = state.build || "";
  var box = null;

  function el(tag, style, text) {
    var e = document.createElement(tag);
    if (style) e.setAttribute("style", style);
    if (text) e.textContent = text; // never innerHTML: messages quote user files
    return e;
  }

  // The overlay sets every colour it uses, on every element: the page's
  // own styles (a light code background on pre, say) must not show
  // through or make its text unreadable.
  var TEXT = "color:#f0f0f0;background:transparent;border:0;margin:0;padding:0;" +
    "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left;";
  var TITLES = { nix: "Nix evaluation failed", build: "Build failed", markdown: "Markdown problem" };

  // key identifies a list of problems, to remember that it was dismissed
  // across the reloads of later saves that did not change it.
  function key(problems) { return JSON.stringify(problems); }
  function dismissed(problems) {
    try { return sessionStorage.getItem("nurdocs-dismissed") === key(problems); } catch (e) { return false; }
  }

  function show(problems) {
    if (box) { box.remove(); box = null; }
    if (!problems || !problems.length || dismissed(problems)) return;
    var failed = problems.some(function (p) { return p.kind !== "markdown"; });
    box = el("div", TEXT + "position:fixed;inset:0;z-index:2147483647;background:rgba(18,18,18,.97);" +
      "overflow:auto;padding:2rem;box-sizing:border-box");
    box.id = "nurdocs-overlay";
    box.setAttribute("role", "alert");
    var close = el("button", "float:right;font:14px/1.4 system-ui,sans-serif;cursor:pointer;color:#111;background:#f0f0f0;" +
      "border:1px solid #888;border-radius:4px;padding:.3em .9em", "Dismiss");
    close.type = "button";
    close.addEventListener("click", function () {
      try { sessionStorage.setItem("nurdocs-dismissed", key(problems)); } catch (e) { /* private mode */ }
      show(null);
    });
    box.appendChild(close);
    problems.forEach(function (p) {
      var where = p.file ? p.file + (p.line ? ":" + p.line + (p.column ? ":" + p.column : "") : "") : "";
      var sec = el("section", TEXT + "max-width:72rem;margin:0 auto 1.5rem;border-left:4px solid " +
        (p.kind === "markdown" ? "#d29922" : "#e5534b") + ";padding-left:1rem");
      sec.className = "nurdocs-problem";
      sec.appendChild(el("h2", TEXT + "margin:0 0 .4rem;font-size:1.05rem;font-weight:700;color:" +
        (p.kind === "markdown" ? "#f2cc60" : "#ff938a"), TITLES[p.kind] || "Problem"));
      if (where) sec.appendChild(el("p", TEXT + "margin:0 0 .4rem;color:#9cdcfe", where));
      sec.appendChild(el("pre", TEXT + "white-space:pre-wrap;overflow-wrap:anywhere", p.message));
      box.appendChild(sec);
    });
    box.appendChild(el("p", TEXT + "max-width:72rem;margin:0 auto;color:#c8c8c8", failed ?
      "The last good build is still being served. Fix the file and this page reloads." :
      "The page was rebuilt with these problems (nurdocs check fails on them). Fix the file and this page reloads."));
    (document.body || document.documentElement).appendChild(box);
    close.focus({ preventScroll: true });
  }

  // location.reload keeps the reader's scroll position (browsers restore
  // it on reload), so a writer stays at the paragraph they are editing.
  function reload() { location.reload(); }

  function apply(s) {
    if (!s) return;
    if (s.build && build && s.build !== build) { reload(); return; }
    if (s.build) build = s.build;
    show(s.problems);
  }

  // This page's address as the server lists changed pages: decoded, a
  // folder's index.html as the folder.
  function here() {
    var p = location.pathname;
    try { p = decodeURI(p); } catch (e) { /* keep it encoded */ }
    return p.replace(/\/index\.html$/, "/");
  }

  // A build changed some pages. A tab whose page did not change only takes
  // the new state. One whose page changed fetches it and, when only the
  // page's <main> (and title) differ, swaps that in place: the style
  // sheets, scripts and search index stay loaded and the scroll position
  // stays, which makes the new text show in a fraction of a reload's time.
  // Anything else (a style sheet or script changed, the frame around
  // <main> changed, a missed build, the fetch failed) reloads the page.
  var frame = me.getAttribute("data-frame") || "";
  var swaps = 0;
  function rebuilt(s) {
    if (!s) return;
    if (s.build === build) { show(s.problems); return; }
    if (!s.changes || s.from !== build || s.changes.assets || !frame) { reload(); return; }
    build = s.build;
    if (s.changes.pages.indexOf(here()) < 0) { show(s.problems); return; }
    var n = ++swaps;
    fetch(location.href, { cache: "no-store", credentials: "same-origin" }).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      if (!r.ok || r.redirected || type.indexOf("text/html") !== 0) throw new Error("not a page");
      return r.text();
    }).then(function (text) {
      if (n !== swaps) return; // a later build's swap is on its way
      var doc = new DOMParser().parseFromString(text, "text/html");
      var tag = doc.getElementById("nurdocs-live");
      var main = doc.getElementById("main"), old = document.getElementById("main");
      if (!tag || tag.getAttribute("data-frame") !== frame || !main || !old ||
        document.getElementById("search-page")) throw new Error("the frame changed");
      var ns = parse(tag.getAttribute("data-state") || "") || {};
      old.replaceWith(document.adoptNode(main));
      document.title = doc.title;
      ["meta[name=description]", "link[rel=canonical]"].forEach(function (sel) {
        var a = document.querySelector(sel), b = doc.querySelector(sel);
        if (a && b) a.replaceWith(document.adoptNode(b));
        else if (a) a.remove();
        else if (b) document.head.appendChild(document.adoptNode(b));
      });
      if (ns.build) build = ns.build;
      // nurdocs.js adds copy buttons, filters and the like to the new content.
      document.dispatchEvent(new CustomEvent("nurdocs:content"));
      document.documentElement.setAttribute("data-live-swapped", String(n));
      show(ns.problems || s.problems);
    }).catch(function () { if (n === swaps) reload(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { show(state.problems); });
  } else {
    show(state.problems);
  }
  var es = new EventSource(me.getAttribute("data-events"));
  // Marks the page while the stream is open (tests wait for it).
  es.addEventListener("open", function () { document.documentElement.setAttribute("data-live", "open"); });
  es.addEventListener("error", function () { document.documentElement.removeAttribute("data-live"); });
  es.addEventListener("state", function (e) { apply(parse(e.data)); });
  es.addEventListener("reload", function (e) { var s = parse(e.data); if (s) rebuilt(s); else reload(); });
  es.addEventListener("problems", function (e) { var s = parse(e.data); if (s) show(s.problems); });
})();
