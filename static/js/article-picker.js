/* Agent ticket page: find an article by its title as you type (GET /api/v1/suggest, the
   session's own visibility) and choose it; the choice becomes a checked box that the form
   sends. Without JavaScript the field takes an article's id or its whole title as typed. */
(function () {
  "use strict";

  function setUp(picker) {
    var input = picker.querySelector("input[type=search]");
    var list = picker.querySelector(".picker-results");
    var chosen = picker.querySelector(".picker-chosen");
    if (!input || !list || !chosen) { return; }
    var name = input.getAttribute("name");
    var chosenName = picker.getAttribute("data-chosen-name");
    var multiple = picker.hasAttribute("data-multiple");
    var url = picker.getAttribute("data-suggest-url");
    var timer = null;
    var asked = 0;
    var items = [];
    var active = -1;

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function restoreName() {
      if (!multiple && !chosen.querySelector("input:checked")) {
        chosen.textContent = "";
        input.setAttribute("name", name);
      }
    }

    function choose(item) {
      if (!multiple) {
        chosen.textContent = "";
        input.removeAttribute("name");  // the box below names the article now
      }
      var existing = chosen.querySelector('input[value="' + CSS.escape(item.id) + '"]');
      if (!existing) {
        var label = document.createElement("label");
        label.className = "check chosen-article";
        var box = document.createElement("input");
        box.type = "checkbox";
        box.name = chosenName;
        box.value = item.id;
        box.checked = true;
        box.addEventListener("change", restoreName);
        var title = document.createElement("span");
        title.textContent = item.title;
        title.setAttribute("lang", item.lang);
        title.setAttribute("dir", item.lang === "ar" ? "rtl" : "ltr");
        label.appendChild(box);
        label.appendChild(document.createTextNode(" "));
        label.appendChild(title);
        chosen.appendChild(label);
      }
      input.value = "";
      close();
      input.focus();
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      for (var i = 0; i < options.length; i += 1) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(found) {
      list.textContent = "";
      items = found;
      active = -1;
      if (!found.length) {
        var empty = document.createElement("li");
        empty.className = "picker-empty";
        empty.textContent = picker.getAttribute("data-empty");
        list.appendChild(empty);
      }
      found.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = input.id + "-option-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("lang", item.lang);
        option.setAttribute("dir", item.lang === "ar" ? "rtl" : "ltr");
        option.textContent = item.title;
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(item); });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchNow() {
      var text = input.value.trim();
      if (!text) { close(); return; }
      var number = ++asked;
      fetch(url + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (found) { if (number === asked) { show(found.slice(0, 8)); } })
        .catch(function () { if (number === asked) { close(); } });
    }

    input.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(fetchNow, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function init() {
    var pickers = document.querySelectorAll("[data-article-picker]");
    for (var i = 0; i < pickers.length; i += 1) { setUp(pickers[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
