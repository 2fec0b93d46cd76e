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

  function show(problems) {
    if (box) { box.remove(); box = null; }
    if (!problems || !problems.length) return;
    box = el("div", "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.82);" +
      "color:#f4f4f4;font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
      "overflow:auto;padding:2rem;box-sizing:border-box");
    box.id = "nurdocs-overlay";
    box.setAttribute("role", "alert");
    var close = el("button", "float:right;font:inherit;cursor:pointer", "Dismiss");
    close.addEventListener("click", function () { show(null); });
    box.appendChild(close);
    problems.forEach(function (p) {
      var where = p.file ? p.file + (p.line ? ":" + p.line + (p.column ? ":" + p.column : "") : "") : "";
      var title = p.kind === "nix" ? "Nix evaluation failed" : "Build failed";
      var sec = el("section", "max-width:72rem;margin:0 auto 2rem;border-left:4px solid #e5534b;padding-left:1rem");
      sec.className = "nurdocs-problem";
      sec.appendChild(el("h2", "margin:0 0 .5rem;font-size:1.1rem;color:#ff938a", title));
      if (where) sec.appendChild(el("p", "margin:0 0 .5rem;color:#9cdcfe", where));
      sec.appendChild(el("pre", "margin:0;white-space:pre-wrap", p.message));
      box.appendChild(sec);
    });
    box.appendChild(el("p", "max-width:72rem;margin:0 auto;color:#aaa",
      "The last good build is still being served. Fix the file and this page reloads."));
    (document.body || document.documentElement).appendChild(box);
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
  es.addEventListener("reload", reload);
  es.addEventListener("problems", function (e) { var s = parse(e.data); if (s) show(s.problems); });
})();
