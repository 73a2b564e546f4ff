// Small courtesies on every page; each page works without them.
(function () {
  "use strict";
  // Forms whose action cannot be undone carry data-confirm="question": ask before sending them.
  // Without JavaScript the form is sent at once: the check is a courtesy, not a permission.
  // A form already sent is not asked about again (a double click): the guard below drops the second send.
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute("data-sent")) { return; }
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // A second press of a button while the first is still being answered would send the form again, and the browser
  // shows the last answer: a second batch of accounts, or "already created" instead of the cards. A form is sent
  // once from a page; the server's own checks (one-shot tokens, attempt tokens) stay the real guard.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || String(form.method).toLowerCase() !== "post") { return; }
    if (form.hasAttribute("data-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-sent", "");
  });
  // The browser's Back may show this page again as it was left: its forms can be sent again.
  window.addEventListener("pageshow", function () {
    var sent = document.querySelectorAll("form[data-sent]");
    for (var s = 0; s < sent.length; s++) { sent[s].removeAttribute("data-sent"); }
  });

  // "Go back" on an error page: the browser's own Back, which returns to the form with what was typed still in
  // it. Without JavaScript (or without a page to go back to) the link's address is used.
  var backLinks = document.querySelectorAll("a[data-go-back]");
  for (var k = 0; k < backLinks.length; k++) {
    backLinks[k].addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  }

  // A table wider than its box scrolls inside it. A shadow at an edge says more lies hidden there; drawn by a frame
  // above the cells, since cells that paint their own background (the heat-map, the grid's names) hide the box's
  // own shadows, which stay for pages without this script.
  var scrollers = document.querySelectorAll(".table-scroll");
  for (var t = 0; t < scrollers.length; t++) { frameScroller(scrollers[t]); }
  function frameScroller(scroller) {
    var frame = document.createElement("div");
    frame.className = "scroll-frame";
    scroller.parentNode.insertBefore(frame, scroller);
    frame.appendChild(scroller);
    var stuck = scroller.querySelector("tbody th");
    function markHiddenEdges() {
      if (stuck && window.getComputedStyle(stuck).position === "sticky") {
        frame.style.setProperty("--sticky-start", stuck.offsetWidth + "px");
      }
      var scrolled = Math.abs(scroller.scrollLeft);  // negative in a right-to-left page
      frame.toggleAttribute("data-more-before", scrolled > 1);
      frame.toggleAttribute("data-more-after", scrolled + scroller.clientWidth < scroller.scrollWidth - 1);
    }
    scroller.addEventListener("scroll", markHiddenEdges, { passive: true });
    window.addEventListener("resize", markHiddenEdges);
    markHiddenEdges();
  }

  // Buttons marked data-print open the browser's print dialog; they are shown only when this script runs.
  var printButtons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < printButtons.length; i++) {
    printButtons[i].hidden = false;
    printButtons[i].addEventListener("click", function () { window.print(); });
  }

  // The account page offers this device's time zone when the list has it and another one is chosen.
  var deviceZone = document.getElementById("device-time-zone");
  var zoneSelect = document.getElementById("time_zone");
  var zone = deviceZone && zoneSelect && window.Intl ? Intl.DateTimeFormat().resolvedOptions().timeZone : null;
  var offered = zone && Array.prototype.some.call(zoneSelect.options, function (option) { return option.value === zone; });
  if (offered && zoneSelect.value !== zone) {
    deviceZone.querySelector("span").textContent = zone.replace(/_/g, " ");
    deviceZone.hidden = false;
    deviceZone.querySelector("button").addEventListener("click", function () {
      zoneSelect.value = zone;
      deviceZone.hidden = true;
      zoneSelect.focus();
    });
  }
}());
