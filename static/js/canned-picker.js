/* Agent ticket page: find a canned response as you type and insert it into the reply box.
   Asks GET /api/v1/canned-responses?ticket=<reference> for replies filled for this ticket (same-origin, session cookie); no inline script (CSP). */
(function () {
  "use strict";

  function insertInto(target, text) {
    var start = typeof target.selectionStart === "number" ? target.selectionStart : target.value.length;
    var end = typeof target.selectionEnd === "number" ? target.selectionEnd : start;
    var before = target.value.slice(0, start);
    var separator = before && !/\s$/.test(before) ? " " : "";
    target.value = before + separator + text + target.value.slice(end);
    var caret = (before + separator + text).length;
    target.focus();
    target.setSelectionRange(caret, caret);
  }

  function setUp(picker) {
    var input = picker.querySelector("input[type=search]");
    var list = picker.querySelector(".canned-results");
    var status = picker.querySelector(".canned-status");
    var target = document.getElementById(picker.getAttribute("data-insert-into"));
    if (!input || !list || !status || !target) { return; }
    var timer = null;
    var asked = 0;

    function show(items) {
      list.textContent = "";
      status.textContent = items.length ? "" : picker.getAttribute("data-empty");
      items.forEach(function (item) {
        var entry = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button-quiet button-small";
        button.textContent = item.title;
        button.setAttribute("lang", item.lang);
        button.setAttribute("dir", item.lang === "ar" ? "rtl" : "ltr");
        button.addEventListener("click", function () { insertInto(target, item.body); });
        entry.appendChild(button);
        list.appendChild(entry);
      });
    }

    function fetchNow() {
      var number = ++asked;
      var url = picker.getAttribute("data-canned-url") +
        "?q=" + encodeURIComponent(input.value) +
        "&ticket=" + encodeURIComponent(picker.getAttribute("data-canned-ticket") || "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) { if (number === asked) { show(data.items || []); } })
        .catch(function () {
          if (number === asked) { list.textContent = ""; status.textContent = picker.getAttribute("data-failed"); }
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchNow, 200);
    });
    picker.hidden = false;
    fetchNow();
  }

  function init() {
    var pickers = document.querySelectorAll("[data-canned-picker]");
    for (var i = 0; i < pickers.length; i += 1) { setUp(pickers[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
