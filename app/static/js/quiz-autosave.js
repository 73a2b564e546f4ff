// Saves quiz answers in the background a moment after each change, so that they survive a closed tab or an expired
// session. Progressive enhancement only: without this script the "Save answers" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }

  var questions = form.querySelectorAll("fieldset.quiz-question");

  function blankCount() {
    return Array.prototype.filter.call(questions, function (question) {
      var chosen = question.querySelector("input:checked");
      var typed = Array.prototype.some.call(question.querySelectorAll("input[type=text], textarea"),
                                            function (box) { return box.value.trim() !== ""; });
      return !chosen && !typed;
    }).length;
  }

  // "Answered: 3 of 5 questions", kept true as the learner answers (a long quiz on a phone hides the blank ones).
  var counter = form.querySelector("[data-answered-count]");
  function count() {
    if (!counter) { return; }
    counter.textContent = counter.getAttribute("data-text")
      .replace("{answered}", String(questions.length - blankCount())).replace("{total}", String(questions.length));
  }
  form.addEventListener("input", count);
  form.addEventListener("change", count);
  count();

  // Submitting with questions left blank asks first: a blank answer is graded as wrong, and may use up an attempt.
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.hasAttribute("formaction")) { return; }  // "Save answers"
    if (form.hasAttribute("data-sent")) { return; }  // a double tap: site.js drops it; asking again would mislead
    var blank = blankCount();
    var question = form.getAttribute("data-unanswered-question");
    // All blank: nothing to confirm, the server refuses it and says why (nothing is graded).
    if (blank && blank < questions.length && question && !window.confirm(question.replace("{n}", String(blank)))) {
      event.preventDefault();
    }
  });

  if (!window.fetch || !window.FormData) { return; }
  var saveButton = form.querySelector("button[formaction]");
  var status = form.querySelector("[data-autosave-status]");
  var timer = null;

  // A copy of the answers in this tab until the server has them: if the session ended (or the connection dropped),
  // the learner signs in again in this tab and, back on the quiz, finds what they had typed.
  var storageKey = "a26-quiz-answers:" + saveButton.getAttribute("formaction");
  var fields = Array.prototype.filter.call(form.elements, function (field) {
    return field.name && field.name !== "csrf_token" && field.type !== "submit";
  });

  function snapshot() {
    return fields.map(function (field) {
      return (field.type === "checkbox" || field.type === "radio") ? field.checked : field.value;
    });
  }

  function keepCopy() {
    try { window.sessionStorage.setItem(storageKey, JSON.stringify(snapshot())); } catch (e) { /* storage off */ }
  }

  function dropCopy() {
    try { window.sessionStorage.removeItem(storageKey); } catch (e) { /* storage off */ }
  }

  function say(text) {
    if (status) { status.textContent = text || ""; status.classList.remove("is-stale"); }
  }

  function restoreCopy() {
    var kept = null;
    try { kept = JSON.parse(window.sessionStorage.getItem(storageKey) || "null"); } catch (e) { kept = null; }
    if (!kept || kept.length !== fields.length) { return; }
    if (JSON.stringify(kept) === JSON.stringify(snapshot())) { dropCopy(); return; }  // the server has them
    fields.forEach(function (field, index) {
      if (field.type === "checkbox" || field.type === "radio") { field.checked = kept[index] === true; }
      else { field.value = kept[index]; }
    });
    say(status && status.getAttribute("data-restored-text"));
    count();
    schedule();
  }

  function save() {
    timer = null;
    var sent = JSON.stringify(snapshot());
    fetch(saveButton.getAttribute("formaction"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      // A sign-in page reached through a redirect is "ok" too: only the save's own answer counts.
      if (response.ok && !response.redirected) {
        if (JSON.stringify(snapshot()) === sent) { dropCopy(); }
        say(status && status.getAttribute("data-saved-text"));
      } else if (response.status === 409) {  // submitted from another tab: nothing here can be saved any more
        dropCopy();
        say(status && status.getAttribute("data-submitted-text"));
      } else {
        say(status && status.getAttribute("data-failed-text"));
      }
    }).catch(function () { say(status && status.getAttribute("data-failed-text")); });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }

  function changed() {
    // "Answers saved." would no longer be true. Hidden, not removed: the page below it must not move up under
    // the finger that is about to tap Submit.
    if (status) { status.classList.add("is-stale"); }
    keepCopy();
    schedule();
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  // Enter in an answer box (a phone keyboard's "Go") would press the form's first button, "Save answers", and
  // reload the page at its top: save here instead, and stay on the question.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT" || event.target.type !== "text") { return; }
    if (event.isComposing || event.keyCode === 229) { return; }  // Enter that confirms a word in an input method
    event.preventDefault();
    if (timer) { clearTimeout(timer); }
    save();
  });
  restoreCopy();
}());
