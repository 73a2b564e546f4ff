// "Go back" on an error page: the browser's own Back, which returns to the form with what was typed still in it.
// Without JavaScript (or without a page to go back to) the link's address is used.
(function () {
  "use strict";
  var links = document.querySelectorAll("a[data-go-back]");
  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
}());
