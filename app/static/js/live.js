// Live sessions: keep [data-live-poll] regions up to date without reloading the page.
// Every 2 s it asks the region's URL with If-None-Match; the server answers 304 until the session changes,
// then a fresh HTML fragment replaces the region. Without JavaScript the page's Refresh link does the same.
(function () {
  "use strict";
  var INTERVAL_MS = 2000;

  function follow(region) {
    var url = region.getAttribute("data-live-poll");
    var etag = '"' + region.getAttribute("data-etag") + '"';
    var busy = false;

    function typing() {
      // Never replace a form the person is filling in: their unsent answer would vanish.
      var active = document.activeElement;
      return active && region.contains(active) && active.tagName === "INPUT" && active.type === "text";
    }

    function poll() {
      if (busy || document.hidden || typing()) { return; }
      busy = true;
      fetch(url, { headers: { "If-None-Match": etag, "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status !== 200) { return null; }
          etag = response.headers.get("ETag") || etag;
          return response.text();
        })
        .then(function (html) {
          if (html === null || html === undefined) { return; }
          // A list the person opened (who has not answered yet) stays open when the region is replaced.
          var opened = Array.prototype.map.call(region.querySelectorAll("details[id][open]"), function (d) { return d.id; });
          region.innerHTML = html;
          opened.forEach(function (id) {
            var details = document.getElementById(id);
            if (details && region.contains(details)) { details.open = true; }
          });
          // Messages about the previous step ("Answer saved …") no longer apply to the new one.
          var flashes = document.querySelector(".flashes");
          if (flashes) { flashes.remove(); }
          if (region.querySelector("[data-live-ended]")) { window.clearInterval(timer); }
        })
        .catch(function () { /* offline for a moment: the next tick tries again */ })
        .then(function () { busy = false; });
    }

    var timer = window.setInterval(poll, INTERVAL_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
  }

  var regions = document.querySelectorAll("[data-live-poll]");
  for (var i = 0; i < regions.length; i++) { follow(regions[i]); }

  // <details data-remember-open> (the facilitator notes) stays as the person left it when the next step loads.
  var remembered = document.querySelectorAll("details[data-remember-open][id]");
  for (var j = 0; j < remembered.length; j++) {
    (function (details) {
      var key = "a26-open-" + details.id;
      try {
        if (window.sessionStorage.getItem(key) === "1") { details.open = true; }
        details.addEventListener("toggle", function () {
          window.sessionStorage.setItem(key, details.open ? "1" : "0");
        });
      } catch (e) { /* storage refused (private mode): the notes simply start closed */ }
    }(remembered[j]));
  }
}());
