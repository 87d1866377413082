/* Search-as-you-type for every search box (ARIA 1.2 combobox with a listbox popup).
   Progressive enhancement: without this file the box is a plain GET form. No innerHTML:
   titles are set as text, so article titles can never inject markup. */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var MIN_CHARS = 2;
  var counter = 0;

  /* Debounced, abortable GET of `url?q=<input text>` while the person types; `render` gets
     the JSON list (or [] below `minChars`). Shared with the ticket form (tickets.js). */
  function live(input, url, delayMs, minChars, render) {
    var timer = null;
    var controller = null;
    var lastQuery = "";

    function lookUp() {
      var query = input.value.trim();
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (query.length < minChars) { render([]); return; }
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
      timer = window.setTimeout(lookUp, delayMs);
    });
    return {
      now: lookUp,
      query: function () { return lastQuery; },
      forget: function () { lastQuery = ""; }
    };
  }

  window.SanadSuggest = { live: live };

  function setup(row) {
    var input = row.querySelector("input[data-suggest-url]");
    if (!input) { return; }
    var form = input.form;
    var url = input.getAttribute("data-suggest-url");
    var pageLang = document.documentElement.lang;
    counter += 1;
    var listId = "suggestions-" + counter;

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-suggest-label") || "");
    list.hidden = true;
    row.appendChild(list);

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    row.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.children;
      for (var i = 0; i < options.length; i += 1) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function go(index) {
      if (items[index]) { window.location.assign(items[index].url); }
    }

    function render(results) {
      items = results;
      while (list.firstChild) { list.removeChild(list.firstChild); }
      results.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.title;
        if (item.lang && item.lang !== pageLang) {
          option.lang = item.lang;
          option.dir = item.lang === "ar" ? "rtl" : "ltr";
        }
        // mousedown, not click: keep focus in the box until the page changes.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          go(index);
        });
        list.appendChild(option);
      });
      active = -1;
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        var template = input.getAttribute("data-suggest-count") || "{n}";
        status.textContent = template.replace("{n}", String(results.length));
      } else {
        close();
        status.textContent = "";
      }
    }

    var lookup = live(input, url, DELAY_MS, MIN_CHARS, render);

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        if (!open && items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (items.length) {
          event.preventDefault();
          highlight(active + 1 >= items.length ? 0 : active + 1);
        }
      } else if (event.key === "ArrowUp") {
        if (open) {
          event.preventDefault();
          highlight(active <= 0 ? items.length - 1 : active - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          go(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        } else if (input.value) {
          input.value = "";
          lookup.forget();
        }
      }
    });

    input.addEventListener("blur", function () { close(); });
    input.addEventListener("focus", function () {
      if (items.length && input.value.trim() === lookup.query()) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    });
    if (form) { form.addEventListener("submit", close); }
  }

  function init() {
    var rows = document.querySelectorAll("[data-suggest]");
    for (var i = 0; i < rows.length; i += 1) { setup(rows[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
