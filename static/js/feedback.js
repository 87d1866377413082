/* "Was this helpful?": vote without leaving the page. Progressive enhancement: without this
   file the form posts and the page comes back with the thank-you. The same form is sent with
   fetch (its CSRF field included) and Accept: application/json. After "No" the reason box
   appears; sending it updates the same vote. No innerHTML. */
(function () {
  "use strict";

  function setup(section) {
    var form = section.querySelector("[data-feedback-form]");
    var thanks = section.querySelector("[data-feedback-thanks]");
    var reasonBox = section.querySelector("[data-feedback-reason]");
    var buttons = section.querySelector("[data-feedback-buttons]");
    if (!form || !thanks || !reasonBox || !window.fetch || !window.FormData) { return; }
    var textarea = reasonBox.querySelector("textarea");
    var fallback = false;
    if (thanks.hidden) { reasonBox.hidden = true; } // first the question, then the reason

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (fallback || !submitter || submitter.name !== "helpful") { return; }
      event.preventDefault();
      var data = new FormData(form);
      data.set("helpful", submitter.value);
      var sendingReason = submitter.hasAttribute("data-feedback-send");
      if (!sendingReason) { data.delete("reason"); }
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("vote refused: " + response.status); }
        return response.json();
      }).then(function (result) {
        thanks.textContent = result.message;
        thanks.hidden = false;
        var choices = buttons.querySelectorAll("button");
        for (var i = 0; i < choices.length; i += 1) {
          choices[i].setAttribute("aria-pressed", String(choices[i].value === submitter.value));
        }
        if (sendingReason) {
          reasonBox.hidden = true;
        } else if (result.helpful === false) {
          reasonBox.hidden = false;
          if (textarea) { textarea.focus(); }
        } else {
          reasonBox.hidden = true;
        }
      }).catch(function () {
        fallback = true; // let the server answer the ordinary way
        if (form.requestSubmit) { form.requestSubmit(submitter); }
      });
    });
  }

  function init() {
    var sections = document.querySelectorAll("[data-feedback]");
    for (var i = 0; i < sections.length; i += 1) { setup(sections[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
