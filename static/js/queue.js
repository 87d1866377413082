/* Agent queue: "select all" ticks every ticket of the page for the bulk actions. Without
   JavaScript the box stays hidden and each ticket is ticked by hand; no inline script (CSP). */
(function () {
  "use strict";
  var all = document.querySelector("[data-pick-all]");
  if (!all) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=references]"));
  all.hidden = false;
  function sync() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length && ticked > 0;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
}());
