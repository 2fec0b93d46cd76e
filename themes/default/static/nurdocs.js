// nurdocs page behaviour: copy buttons on code blocks and the filter boxes
// of list pages. No dependencies, nothing loaded from elsewhere.
(function () {
  "use strict";

  // Markdown code blocks arrive as <div class="code"> with a copy button
  // already in the markup; other <pre> blocks (defaults, examples, install
  // snippets) get the same wrapper here.
  function addCopyButtons() {
    document.querySelectorAll("pre").forEach(function (pre) {
      var parent = pre.parentNode;
      if (parent.classList && parent.classList.contains("code")) return;
      var wrap = document.createElement("div");
      wrap.className = "code";
      parent.insertBefore(wrap, pre);
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "copy";
      btn.textContent = "Copy";
      btn.setAttribute("aria-label", "Copy code");
      wrap.appendChild(btn);
      wrap.appendChild(pre);
    });
    document.querySelectorAll("div.code > button.copy").forEach(function (btn) {
      var pre = btn.parentNode.querySelector("pre");
      if (!pre) return;
      btn.addEventListener("click", function () {
        var text = pre.innerText.replace(/\n$/, "");
        var done = function () {
          btn.textContent = "Copied";
          setTimeout(function () { btn.textContent = "Copy"; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
        } else {
          fallbackCopy(text);
          done();
        }
      });
    });
  }

  // Pages served over plain http (a LAN preview) have no clipboard API.
  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed";
    ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing else to try */ }
    document.body.removeChild(ta);
  }

  // A filter box shows the rows of its list that contain every word typed,
  // matching names and descriptions case-insensitively. The rows' texts
  // are read once; each filtering scans those strings and shows copies of
  // the first matching rows in a second list while the full one is hidden,
  // so a keystroke never touches the 20,000 rows of a big option set.
  var FILTER_SHOW = 200;

  function addFilters() {
    document.querySelectorAll("input.filter[data-filter]").forEach(function (input) {
      var list = document.querySelector(input.getAttribute("data-filter"));
      if (!list) return;
      var body = list.tBodies ? list.tBodies[0] : list;
      if (!body) return;
      var rows = null, texts = null, view, status, more, limit = FILTER_SHOW, timer = 0;

      function prepare() {
        var t0 = performance.now();
        rows = Array.prototype.slice.call(body.children);
        texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
        view = body.cloneNode(false);
        view.removeAttribute("id");
        view.hidden = true;
        body.parentNode.insertBefore(view, body.nextSibling);
        status = document.createElement("p");
        status.className = "filter-status";
        status.setAttribute("role", "status");
        input.parentNode.parentNode.insertBefore(status, input.parentNode.nextSibling);
        more = document.createElement("button");
        more.type = "button";
        more.className = "filter-more";
        more.hidden = true;
        more.addEventListener("click", function () { limit = Infinity; apply(); });
        list.parentNode.insertBefore(more, list.nextSibling);
        input.setAttribute("data-filter-ready-ms", (performance.now() - t0).toFixed(1));
      }

      function apply() {
        var t0 = performance.now();
        if (!rows) prepare();
        var q = input.value, words = q.toLowerCase().split(/\s+/).filter(Boolean);
        if (!words.length) {
          view.hidden = true;
          view.textContent = "";
          body.classList.remove("filtered-away");
          more.hidden = true;
          status.textContent = "";
        } else {
          var matches = [], i, j, ok;
          for (i = 0; i < texts.length; i++) {
            ok = true;
            for (j = 0; j < words.length && ok; j++) ok = texts[i].indexOf(words[j]) >= 0;
            if (ok) matches.push(i);
          }
          var frag = document.createDocumentFragment(), n = Math.min(limit, matches.length);
          for (i = 0; i < n; i++) frag.appendChild(rows[matches[i]].cloneNode(true));
          view.textContent = "";
          view.appendChild(frag);
          view.hidden = false;
          body.classList.add("filtered-away");
          status.textContent = matches.length === 0 ? "Nothing matches “" + q + "”." :
            matches.length + " of " + rows.length + " match" + (n < matches.length ? ", showing the first " + n : "") + ".";
          more.hidden = n >= matches.length;
          more.textContent = "Show all " + matches.length;
        }
        // Layout is part of the cost of a keystroke: measured with it.
        void list.offsetHeight;
        input.setAttribute("data-filter-ms", (performance.now() - t0).toFixed(1));
        input.setAttribute("data-filter-q", q);
      }

      input.addEventListener("input", function () {
        clearTimeout(timer);
        limit = FILTER_SHOW;
        timer = setTimeout(apply, 40);
      });
      // Reading the rows costs ~100 ms on the largest lists: it is done
      // when the browser is idle after loading (or on focus, if sooner),
      // not on the first keystroke.
      var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 200); };
      idle(function () { if (!rows) prepare(); });
      input.addEventListener("focus", function () { if (!rows) prepare(); });
      // A filter typed before a reload (or kept by the browser) applies.
      if (input.value) apply();
    });
  }

  // Wide tables scroll inside a box of their own instead of widening the
  // page on a phone.
  function wrapTables() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.parentNode.classList && table.parentNode.classList.contains("table-wrap")) return;
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
  }

  // A box that scrolls sideways must be reachable with the keyboard to be
  // scrolled without a mouse; boxes that fit get no extra tab stop.
  function focusableScrollers() {
    document.querySelectorAll("main pre, main .table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
    });
  }

  // The list beside a module page or a guide: open on wide screens (closed
  // on phones so that the page's own content comes first), and marking the
  // option the address points at, scrolled into view inside the list.
  function optionList() {
    var wide = window.matchMedia("(min-width: 50.01rem)").matches;
    document.querySelectorAll("details.toc-options").forEach(function (d) { if (wide) d.open = true; });
    followHash();
  }
  function followHash() {
    var details = document.querySelector("details.toc-options");
    if (!details) return;
    var aside = details.closest("aside");
    var id = decodeURIComponent(location.hash.slice(1)), found = null;
    details.querySelectorAll("a[href^='#']").forEach(function (a) {
      var here = id !== "" && a.getAttribute("href").slice(1) === id;
      if (here) { a.setAttribute("aria-current", "location"); found = a; }
      else a.removeAttribute("aria-current");
    });
    if (found && details.open && aside.scrollHeight > aside.clientHeight) {
      var top = found.offsetTop - aside.offsetTop;
      if (top < aside.scrollTop || top > aside.scrollTop + aside.clientHeight - found.offsetHeight) {
        aside.scrollTop = Math.max(0, top - aside.clientHeight / 3);
      }
    }
  }

  // What the page's content needs: run on load and again when the
  // preview (nurdocs serve) swaps new content into the page in place.
  function enhance() {
    optionList();
    addCopyButtons();
    wrapTables();
    focusableScrollers();
    addFilters();
  }

  function init() {
    enhance();
    window.addEventListener("hashchange", followHash);
    var resized = 0;
    window.addEventListener("resize", function () {
      clearTimeout(resized);
      resized = setTimeout(focusableScrollers, 150);
    });
    document.addEventListener("nurdocs:content", enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
