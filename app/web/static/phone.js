// The phone simulator: scroll each thread to its newest text, and reload when a new text
// arrives (checked every 3 s) unless a reply is being typed.
(function () {
  "use strict";
  var threads = document.querySelectorAll(".thread");
  for (var i = 0; i < threads.length; i++) { threads[i].scrollTop = threads[i].scrollHeight; }
  var url = document.body.getAttribute("data-latest-url");
  var bubbles = document.querySelectorAll(".bubble");
  var newest = null;
  var latestTime = "";
  for (var j = 0; j < bubbles.length; j++) {
    var time = bubbles[j].querySelector("time");
    var at = time ? time.getAttribute("datetime") : "";
    if (at >= latestTime) { latestTime = at; newest = bubbles[j].getAttribute("data-sid"); }
  }
  function typing() {
    var fields = document.querySelectorAll(".reply input[name=body]");
    for (var k = 0; k < fields.length; k++) { if (fields[k].value) { return true; } }
    return false;
  }
  window.setInterval(function () {
    if (document.hidden || typing()) { return; }
    fetch(url, { cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer && answer.latest !== newest) { window.location.reload(); } })
      .catch(function () {});
  }, 3000);
}());
