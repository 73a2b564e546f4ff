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
          // Sent to the sign-in page (the session cookie expired or was cleared): say so, never paste that page here.
          if (response.redirected || response.status === 401) { signedOut(); return null; }
          if (response.status !== 200) { return null; }
          etag = response.headers.get("ETag") || etag;
          return response.text();
        })
        .then(function (html) {
          if (html === null || html === undefined) { return; }
          // The presenter's page shows its step around this region: when the session moved on (another teacher
          // pressed Next), the whole page is out of date, not only the answers.
          var pageVersion = region.getAttribute("data-page-version");
          if (pageVersion !== null) {
            var fresh = document.createElement("template");
            fresh.innerHTML = html;
            var marker = fresh.content.querySelector("[data-live-version]");
            if (marker && marker.getAttribute("data-live-version") !== pageVersion) {
              window.clearInterval(timer);
              window.location.reload();
              return;
            }
          }
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

    function signedOut() {
      window.clearInterval(timer);
      var notice = document.createElement("p");
      notice.className = "flash flash-warning";
      // Announced once: by the region itself where it is a live region (the student's stage), else as an alert.
      if (!region.hasAttribute("aria-live")) { notice.setAttribute("role", "alert"); }
      notice.appendChild(document.createTextNode(region.getAttribute("data-signed-out") + " "));
      var link = document.createElement("a");
      link.href = region.getAttribute("data-sign-in");
      link.textContent = region.getAttribute("data-sign-in-label");
      notice.appendChild(link);
      region.innerHTML = "";
      region.appendChild(notice);
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
