/* Agent ticket page: the action bar (reply, note, status, assign, escalate, resolve) shows one
   form at a time, and buttons insert an article link into the reply. Without JavaScript the
   bar and the insert buttons stay hidden and every form is on the page. */
(function () {
  "use strict";

  function insert(button) {
    var target = document.getElementById(button.getAttribute("data-insert-into"));
    if (!target) { return; }
    var panel = target.closest("[data-action-panel]");
    if (panel && panel.hidden) {  // bring the reply form up first
      var opener = document.querySelector('[data-action-bar] [aria-controls="' + panel.id + '"]');
      if (opener) { opener.click(); }
    }
    var text = button.getAttribute("data-insert") || "";
    var start = target.selectionStart || target.value.length;
    var end = target.selectionEnd || start;
    var before = target.value.slice(0, start);
    var separator = before && !/\s$/.test(before) ? " " : "";
    target.value = before + separator + text + target.value.slice(end);
    var caret = (before + separator + text).length;
    target.focus();
    target.setSelectionRange(caret, caret);
  }

  function actionBar() {
    var bar = document.querySelector("[data-action-bar]");
    if (!bar) { return; }
    var buttons = bar.querySelectorAll(".action-button");
    var panels = document.querySelectorAll("[data-action-panel]");

    function open(button, focus) {
      var target = button.getAttribute("aria-controls");
      for (var i = 0; i < panels.length; i += 1) { panels[i].hidden = panels[i].id !== target; }
      for (var j = 0; j < buttons.length; j += 1) {
        var on = buttons[j] === button;
        buttons[j].setAttribute("aria-expanded", on ? "true" : "false");
        buttons[j].classList.toggle("is-active", on);
      }
      var panel = document.getElementById(target);
      if (!panel) { return; }
      panel.setAttribute("data-mode", button.getAttribute("data-mode"));
      if (focus) {
        var field = panel.querySelector("textarea, select, input:not([type=hidden])");
        if (field) { field.focus(); }
      }
    }

    bar.hidden = false;
    var kept = document.querySelector("[data-action-panel][data-open]");
    // A refused note reopens as a note (data-open="note"), a refused reply as a reply.
    var keptMode = kept ? kept.getAttribute("data-open") : "";
    var first = (kept && keptMode &&
                 bar.querySelector('[aria-controls="' + kept.id + '"][data-mode="' + keptMode + '"]')) ||
                (kept && bar.querySelector('[aria-controls="' + kept.id + '"]')) || buttons[0];
    if (first) { open(first, false); }
    for (var k = 0; k < buttons.length; k += 1) {
      buttons[k].addEventListener("click", function (event) { open(event.currentTarget, true); });
    }
  }

  function init() {
    actionBar();
    var buttons = document.querySelectorAll("[data-insert]");
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) { insert(event.currentTarget); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
