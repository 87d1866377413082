/* Agent ticket page: say when another agent is replying to the same ticket. While this
   agent's reply box is in use (focused, or holding text), the page tells the server every
   15 s (POST /api/v1/tickets/<ref>/presence); otherwise it only asks who else is replying
   (GET). The server keeps each mark ~60 s, so a closed tab fades out. No inline script (CSP). */
(function () {
  "use strict";
  var INTERVAL = 15000;
  var note = document.querySelector("[data-presence]");
  if (!note || !window.fetch) { return; }
  var url = note.getAttribute("data-presence-url");
  var token = note.getAttribute("data-csrf");
  var box = document.getElementById(note.getAttribute("data-reply-box"));
  var announced = false;

  function active() {
    return !!box && (document.activeElement === box || box.value.trim() !== "");
  }

  function show(data) {
    var message = data && data.message ? data.message : "";
    if (note.textContent !== message) { note.textContent = message; }
  }

  function send(replying, keepalive) {
    var options = { credentials: "same-origin", headers: { Accept: "application/json" } };
    if (replying !== null) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = token;
      options.body = JSON.stringify({ replying: replying });
      options.keepalive = !!keepalive;
    }
    return fetch(url, options)
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(show)
      .catch(function () { /* a missed beat: the next one tries again */ });
  }

  function beat() {
    if (document.visibilityState === "hidden") { return; }
    if (active()) {
      announced = true;
      send(true);
    } else if (announced) {
      announced = false;
      send(false);
    } else {
      send(null);
    }
  }

  if (box) {
    box.addEventListener("focus", function () {
      if (!announced) { announced = true; send(true); }
    });
    box.addEventListener("blur", function () {
      if (announced && !active()) { announced = false; send(false); }
    });
  }
  window.addEventListener("pagehide", function () {
    if (announced) { announced = false; send(false, true); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { beat(); }
  });
  beat();
  window.setInterval(beat, INTERVAL);
}());
