/* The article editor: a live preview of the Markdown body, rendered by the server with the
   same sanitizer as the live site (POST /review/preview), while the person types.
   Progressive enhancement: without this file the page shows the preview of the saved text,
   and the workshop fields stay visible. The HTML comes back sanitized; it is parsed with
   DOMParser (which runs no scripts) and moved in node by node. */
(function () {
  "use strict";

  var DELAY_MS = 400;

  function direction(lang) { return lang === "ar" ? "rtl" : "ltr"; }

  function setupPreview(panes) {
    var form = panes.closest("form");
    var text = panes.querySelector("textarea");
    var target = panes.querySelector(".preview-body");
    var status = panes.querySelector(".preview-status");
    var url = panes.getAttribute("data-preview-url");
    var token = panes.getAttribute("data-csrf");
    var failed = panes.getAttribute("data-preview-failed");
    if (!form || !text || !target || !url) { return; }
    var timer = null;
    var sent = 0;

    function show(html) {
      var parsed = new DOMParser().parseFromString(html, "text/html");
      var nodes = Array.prototype.slice.call(parsed.body.childNodes);
      target.replaceChildren.apply(target, nodes.map(function (n) {
        return document.importNode(n, true);
      }));
    }

    function refresh() {
      var mine = ++sent;
      var body = new URLSearchParams();
      body.set("markdown", text.value);
      body.set("csrf_token", token);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token, "Accept": "application/json" },
        body: body
      }).then(function (response) {
        if (!response.ok) { throw new Error("preview " + response.status); }
        return response.json();
      }).then(function (data) {
        if (mine !== sent) { return; }  // an older answer arriving late
        show(data.html || "");
        if (status) { status.textContent = ""; }
      }).catch(function () {
        if (status && mine === sent) { status.textContent = failed || ""; }
      });
    }

    text.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(refresh, DELAY_MS);
    });

    // The preview reads in the article's own direction (Arabic right to left).
    var lang = form.querySelector("select[name=lang]");
    if (lang) {
      lang.addEventListener("change", function () {
        [target, text].forEach(function (el) {
          el.lang = lang.value;
          el.dir = direction(lang.value);
        });
      });
    }
  }

  function setupKind(form) {
    var kind = form.querySelector("select[name=kind]");
    var only = form.querySelectorAll("[data-kind-only]");
    if (!kind || !only.length) { return; }
    function apply() {
      Array.prototype.forEach.call(only, function (el) {
        el.hidden = el.getAttribute("data-kind-only") !== kind.value;
      });
    }
    kind.addEventListener("change", apply);
    apply();
  }

  document.querySelectorAll("[data-editor]").forEach(setupPreview);
  document.querySelectorAll("form.editor-form").forEach(setupKind);
}());
