/* "Still need help?" form: while the subject is typed, show articles that may answer it.
   Opening one goes through /tickets/suggested/…, which counts it as a deflection attempt.
   Progressive enhancement: without this file the form works the same. No innerHTML.
   The typing/fetching part is suggest.js's shared `SanadSuggest.live`. */
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
      describe(!box.hidden);
    }

    // The hint names the suggestions only while there are some: a described-by element is
    // read out even when hidden, and "these articles may answer" with none would mislead.
    function describe(on) {
      var hint = box.querySelector("[id]");
      if (!hint) { return; }
      var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/)
        .filter(function (id) { return id && id !== hint.id; });
      if (on) { ids.unshift(hint.id); }
      if (ids.length) {
        input.setAttribute("aria-describedby", ids.join(" "));
      } else {
        input.removeAttribute("aria-describedby");
      }
    }

    window.SanadSuggest.live(input, url, DELAY_MS, MIN_CHARS, render).now();
  }

  function init() {
    if (!window.SanadSuggest) { return; } // suggest.js (loaded by every page) not there
    var fields = document.querySelectorAll("[data-ticket-suggest]");
    for (var i = 0; i < fields.length; i += 1) { setup(fields[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
