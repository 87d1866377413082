/* "Still need help?" form: while the subject is typed, show articles that may answer it.
   Opening one goes through /tickets/suggested/…, which counts it as a deflection attempt.
   Progressive enhancement: without this file the form works the same. No innerHTML. */
(function () {
  "use strict";

  var DELAY_MS = 250;
  var MIN_CHARS = 3;

  function setup(field) {
    var input = field.querySelector("input[data-suggest-url]");
    var box = field.querySelector(".ticket-suggestions");
    if (!input || !box) { return; }
    var list = box.querySelector("ul");
    var url = input.getAttribute("data-suggest-url");
    var openUrl = input.getAttribute("data-open-url");
    var pageLang = document.documentElement.lang;
    var timer = null;
    var controller = null;
    var lastQuery = null;

    function render(results) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      results.forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.className = "article-link";
        link.href = openUrl.replace("LANG", encodeURIComponent(item.lang))
          .replace("ID", encodeURIComponent(item.id));
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = item.title;
        if (item.lang && item.lang !== pageLang) {
          link.lang = item.lang;
          link.dir = item.lang === "ar" ? "rtl" : "ltr";
        }
        li.appendChild(link);
        list.appendChild(li);
      });
      box.hidden = results.length === 0;
    }

    function lookUp() {
      var query = input.value.trim();
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (query.length < MIN_CHARS) { render([]); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller.signal,
        credentials: "same-origin"
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (results) {
          if (input.value.trim() === query && Array.isArray(results)) { render(results); }
        })
        .catch(function () { /* aborted or offline: the form still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, DELAY_MS);
    });
    lookUp();
  }

  function init() {
    var fields = document.querySelectorAll("[data-ticket-suggest]");
    for (var i = 0; i < fields.length; i += 1) { setup(fields[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
