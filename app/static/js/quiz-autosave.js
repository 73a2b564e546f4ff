// Saves quiz answers in the background a moment after each change, so that they survive a closed tab or an expired
// session. Progressive enhancement only: without this script the "Save answers" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var saveButton = form.querySelector("button[formaction]");
  var status = form.querySelector("[data-autosave-status]");
  var timer = null;

  function save() {
    timer = null;
    fetch(saveButton.getAttribute("formaction"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (status && response.ok) {
        status.textContent = status.getAttribute("data-saved-text") || "Answers saved.";
      }
    }).catch(function () { /* offline: the buttons still work */ });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
}());
