// Forms whose action cannot be undone carry data-confirm="question": ask before sending them.
// Without JavaScript the form is sent at once, as before: the check is a courtesy, not a permission.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);
}());
