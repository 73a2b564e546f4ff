// Small courtesies on every page; each page works without them.
(function () {
  "use strict";
  // Forms whose action cannot be undone carry data-confirm="question": ask before sending them.
  // Without JavaScript the form is sent at once: the check is a courtesy, not a permission.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // Buttons marked data-print open the browser's print dialog; they are shown only when this script runs.
  var printButtons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < printButtons.length; i++) {
    printButtons[i].hidden = false;
    printButtons[i].addEventListener("click", function () { window.print(); });
  }
}());
