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

  // A filter box hides the rows of its list that do not contain every
  // word typed, matching names and descriptions case-insensitively.
  function addFilters() {
    document.querySelectorAll("input.filter[data-filter]").forEach(function (input) {
      var list = document.querySelector(input.getAttribute("data-filter"));
      if (!list) return;
      var rows = Array.prototype.slice.call(list.querySelectorAll("li, tbody tr"));
      var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
      var timer = 0;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
          for (var i = 0; i < rows.length; i++) {
            var ok = true;
            for (var j = 0; j < words.length && ok; j++) ok = texts[i].indexOf(words[j]) >= 0;
            rows[i].hidden = !ok;
          }
        }, 60);
      });
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

  function init() {
    addCopyButtons();
    wrapTables();
    focusableScrollers();
    var resized = 0;
    window.addEventListener("resize", function () {
      clearTimeout(resized);
      resized = setTimeout(focusableScrollers, 150);
    });
    addFilters();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
