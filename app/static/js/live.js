// Live sessions: keep [data-live-poll] regions up to date without reloading the page.
// Every 2 s it asks the region's URL with If-None-Match; the server answers 304 until the session changes,
// then a fresh HTML fragment replaces the region. Without JavaScript the page's Refresh link does the same.
// A student's answer is sent in the background, and sent again once the Wi-Fi comes back.
(function () {
  "use strict";
  var INTERVAL_MS = 2000;
  var RETRY_MS = 3000;
  var FAILED_POLLS_BEFORE_NOTICE = 2; // one lost poll on a classroom's Wi-Fi is normal; say so from the second
  var TIMEOUT_MS = 10000; // a Wi-Fi that is connected but passes nothing never fails a request: give up and retry

  function timedFetch(url, options) {
    if (!window.AbortController) { return fetch(url, options); }
    var controller = new AbortController();
    var timeout = window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    options.signal = controller.signal;
    return fetch(url, options).then(function (response) {
      window.clearTimeout(timeout);
      return response;
    }, function (error) {
      window.clearTimeout(timeout);
      throw error;
    });
  }

  function follow(region) {
    var url = region.getAttribute("data-live-poll");
    var etag = '"' + region.getAttribute("data-etag") + '"';
    var busy = false;
    var failedPolls = 0;
    var connectionNotice = null;

    function notice(text) {
      var paragraph = document.createElement("p");
      paragraph.className = "flash flash-warning";
      paragraph.textContent = text;
      return paragraph;
    }

    function showConnectionLost(lost) {
      if (lost && !connectionNotice) {
        connectionNotice = notice(region.getAttribute("data-reconnecting"));
        connectionNotice.setAttribute("role", "status");
        region.parentNode.insertBefore(connectionNotice, region);
      } else if (!lost && connectionNotice) {
        connectionNotice.remove();
        connectionNotice = null;
      }
    }

    // What the person chose or typed and has not sent yet: carried into a fresh stage that still asks the same
    // question, so that a poll never wipes it (it would, when the teacher reopens a question or someone joins).
    function unsentAnswer() {
      var form = region.querySelector("form.live-answer[data-changed], form.live-answer[data-unsent]");
      if (!form) { return null; }
      var active = document.activeElement;
      var text = form.querySelector("input[name=text]");
      return {
        question: form.querySelector("input[name=question]").value,
        text: text ? text.value : null,
        choices: Array.prototype.filter.call(form.querySelectorAll("input[name=choice]"), function (input) {
          return input.checked;
        }).map(function (input) { return input.value; }),
        focused: active && form.contains(active) ? active.id : null,
        waitingToBeSent: form.hasAttribute("data-unsent")
      };
    }

    function restore(answer) {
      var form = region.querySelector("form.live-answer");
      if (!answer || !form || form.querySelector("input[name=question]").value !== answer.question) { return; }
      var text = form.querySelector("input[name=text]");
      if (text && answer.text !== null) { text.value = answer.text; }
      Array.prototype.forEach.call(form.querySelectorAll("input[name=choice]"), function (input) {
        input.checked = answer.choices.indexOf(input.value) !== -1;
      });
      form.setAttribute("data-changed", "");
      if (answer.waitingToBeSent) { markUnsent(form); }
      var focused = answer.focused && document.getElementById(answer.focused);
      if (focused && region.contains(focused)) { focused.focus(); }
    }

    function show(html, keepUnsent) {
      var unsent = keepUnsent ? unsentAnswer() : null;
      // A list the person opened (who has not answered yet) stays open when the region is replaced.
      var opened = Array.prototype.map.call(region.querySelectorAll("details[id][open]"), function (d) { return d.id; });
      region.innerHTML = html;
      opened.forEach(function (id) {
        var details = document.getElementById(id);
        if (details && region.contains(details)) { details.open = true; }
      });
      restore(unsent);
      if (region.querySelector("[data-live-ended]")) { window.clearInterval(timer); }
    }

    function poll() {
      if (busy || document.hidden) { return; }
      busy = true;
      timedFetch(url, { headers: { "If-None-Match": etag, "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          failedPolls = 0;
          showConnectionLost(false);
          // Sent to the sign-in page (the session cookie expired or was cleared): say so, never paste that page here.
          if (response.redirected || response.status === 401) {
            stop("signed-out");
            return null;
          }
          // Removed from the class, or the class is gone: the page would otherwise sit on its last step for ever.
          if (response.status === 404) {
            stop("gone");
            return null;
          }
          if (response.status !== 200) { return null; }
          etag = response.headers.get("ETag") || etag;
          return response.text();
        }, function () {
          failedPolls += 1;
          showConnectionLost(failedPolls >= FAILED_POLLS_BEFORE_NOTICE);
          return null;
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
          show(html, true);
          replaceFlashes(null); // messages about the previous step ("Answer saved …") no longer apply
        })
        .catch(function () { /* a page that could not be read: the next tick tries again */ })
        .then(function () { busy = false; });
    }

    function replaceFlashes(fresh) {
      var flashes = document.querySelector(".flashes");
      if (flashes) { flashes.remove(); }
      if (fresh) { region.parentNode.insertBefore(document.importNode(fresh, true), region.parentNode.firstChild); }
    }

    // Why the page stopped following ("signed-out", "gone"): the region's data-<why>, -link and -label say it.
    function stop(why) {
      window.clearInterval(timer);
      showConnectionLost(false);
      var paragraph = notice(region.getAttribute("data-" + why) + " ");
      // Announced once: by the region itself where it is a live region (the student's stage), else as an alert.
      if (!region.hasAttribute("aria-live")) { paragraph.setAttribute("role", "alert"); }
      var link = document.createElement("a");
      link.href = region.getAttribute("data-" + why + "-link");
      link.textContent = region.getAttribute("data-" + why + "-label");
      paragraph.appendChild(link);
      region.innerHTML = "";
      region.appendChild(paragraph);
    }

    // --- A student's answer, sent without leaving the page ------------------------------------------------------

    function markChanged(event) {
      var form = event.target.form;
      if (form && form.classList.contains("live-answer")) { form.setAttribute("data-changed", ""); }
    }
    region.addEventListener("input", markChanged);
    region.addEventListener("change", markChanged);

    region.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList.contains("live-answer") || !window.URLSearchParams || !window.FormData) { return; }
      event.preventDefault();
      send(form); // a tap while a resend waits sends now
    });

    var resendTimer = null; // one per page: taps while offline do not start more

    function send(form) {
      window.clearTimeout(resendTimer);
      if (form.hasAttribute("data-sending")) { return; }
      form.setAttribute("data-sending", "");
      timedFetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)),
                                credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.status >= 500) { throw new Error("server unavailable"); } // a restart: send it again
          if (!response.ok) {
            // Refused (an expired form, a removal from the class ...): nothing was saved, so the browser sends it
            // as it would without JavaScript and shows the page that says why.
            form.removeAttribute("data-sending");
            HTMLFormElement.prototype.submit.call(form);
            return null;
          }
          return response.text();
        })
        .then(function (html) {
          form.removeAttribute("data-sending");
          if (html === null) { return; }
          // The answer's reply is the lesson's page with a message ("Answer saved", or why it was not).
          var page = new DOMParser().parseFromString(html, "text/html");
          var stage = page.getElementById(region.id);
          if (!stage) { // sent to the sign-in page: the answer was not saved
            stop("signed-out");
            return;
          }
          etag = '"' + stage.getAttribute("data-etag") + '"';
          replaceFlashes(page.querySelector(".flashes"));
          show(stage.innerHTML, false);
        })
        .catch(function () {
          // No connection, or no answer in time: say so, keep the answer on screen, and send it again while its
          // question is still on the page (a poll that brings a fresh stage carries the mark over: restore()).
          form.removeAttribute("data-sending");
          markUnsent(form);
          resendTimer = window.setTimeout(function () {
            var unsent = region.querySelector("form.live-answer[data-unsent]");
            if (unsent) { send(unsent); }
          }, RETRY_MS);
        });
    }

    function markUnsent(form) {
      form.setAttribute("data-unsent", "");
      if (!form.querySelector(".send-status")) {
        var status = notice(region.getAttribute("data-answer-offline"));
        status.classList.add("send-status");
        status.setAttribute("role", "status");
        form.appendChild(status);
      }
    }

    var timer = window.setInterval(poll, INTERVAL_MS);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
  }

  var regions = document.querySelectorAll("[data-live-poll]");
  for (var i = 0; i < regions.length; i++) { follow(regions[i]); }

  // The class screen's Full screen button, shown where the browser can do it and hidden once it has.
  var fullScreen = document.querySelector("[data-full-screen]");
  if (fullScreen && document.fullscreenEnabled) {
    fullScreen.hidden = false;
    fullScreen.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
    document.addEventListener("fullscreenchange", function () { fullScreen.hidden = !!document.fullscreenElement; });
  }

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
