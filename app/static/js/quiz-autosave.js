// Saves quiz answers in the background a moment after each change, so that they survive a closed tab or an expired
// session. Progressive enhancement only: without this script the "Save answers" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }

  // Submitting with questions left blank asks first: a blank answer is graded as wrong, and may use up an attempt.
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.hasAttribute("formaction")) { return; }  // "Save answers"
    var blank = Array.prototype.filter.call(form.querySelectorAll("fieldset.quiz-question"), function (question) {
      var chosen = question.querySelector("input:checked");
      var typed = Array.prototype.some.call(question.querySelectorAll("input[type=text], textarea"),
                                            function (box) { return box.value.trim() !== ""; });
      return !chosen && !typed;
    }).length;
    var question = form.getAttribute("data-unanswered-question");
    if (blank && question && !window.confirm(question.replace("{n}", String(blank)))) { event.preventDefault(); }
  });

  if (!window.fetch || !window.FormData) { return; }
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
