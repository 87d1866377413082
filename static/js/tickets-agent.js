/* Agent ticket page: buttons that insert a canned response or an article link into the reply.
   They stay hidden without JavaScript, where copying by hand still works. */
(function () {
  "use strict";

  function insert(button) {
    var target = document.getElementById(button.getAttribute("data-insert-into"));
    if (!target) { return; }
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

  function init() {
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
