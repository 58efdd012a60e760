// Keep the tracking page current while the parcel is on its way: poll the JSON endpoint
// (every data-poll-seconds while out for delivery, six times slower before that), update the
// live texts in place, and reload when the page's shape changed (unless the recipient is busy
// typing in a form). Nothing is polled once the journey ended.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-poll-url");
  var mode = body.getAttribute("data-live");
  var seconds = (parseInt(body.getAttribute("data-poll-seconds"), 10) || 20) * (mode === "fast" ? 1 : 6);
  if (!url || (mode !== "fast" && mode !== "slow")) { return; }

  function busy() {
    var active = document.activeElement;
    if (active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA")) { return true; }
    var fields = document.querySelectorAll("input[type=text], textarea");
    for (var i = 0; i < fields.length; i++) { if (fields[i].value) { return true; } }
    return false;
  }

  function setText(name, value) {
    var element = document.querySelector('[data-field="' + name + '"]');
    if (!element) { return; }
    element.textContent = value || "";
    element.classList.toggle("is-empty", !value);
  }

  function apply(live) {
    if (live.state !== body.getAttribute("data-state")) {
      if (!busy()) { window.location.reload(); }
      return;
    }
    setText("headline", live.headline);
    setText("window", live.window);
    setText("minutes_away", live.minutes_away);
    setText("delay", live.delay);
    if (!live.live && !live.watching) { stop(); }
  }

  var timer = null;
  function poll() {
    if (document.hidden) { return; }
    fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store", credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (live) { if (live) { apply(live); } })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  function stop() { if (timer) { window.clearInterval(timer); timer = null; } }

  timer = window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
}());
