// Live preview for the course editor: debounced, rendered and sanitised by the server.
// Without JavaScript the Preview button does the same through a normal form post.
(function () {
  "use strict";
  var source = document.querySelector("textarea[data-preview-url]");
  var preview = document.getElementById("rendered-preview");
  var problems = document.getElementById("problems");
  if (!source || !preview || !window.fetch) { return; }
  var form = source.form;
  var token = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var latest = 0;

  function refresh() {
    var request = ++latest;
    var body = new FormData();
    body.append("source", source.value);
    var newModuleSlug = form.querySelector("input[name=slug]");  // only on the new-module page
    if (newModuleSlug) {
      body.append("new_module_slug", newModuleSlug.value);
    } else {
      body.append("module", source.getAttribute("data-module") || "");
    }
    if (token) { body.append("csrf_token", token.value); }
    fetch(source.getAttribute("data-preview-url"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || request !== latest) { return; }
        // Both rendered by the server: the HTML sanitised (nh3 allow-list), the problems escaped and translated.
        if (data.html) {
          preview.innerHTML = data.html;
          var savedNote = document.getElementById("preview-is-saved");
          if (savedNote) { savedNote.remove(); }
        }
        problems.innerHTML = data.problems_html || "";
        var hasErrors = (data.problems || []).some(function (problem) { return problem.severity === "error"; });
        source.setAttribute("aria-invalid", hasErrors ? "true" : "false");
      })
      .catch(function () { /* offline: the Preview button still works */ });
  }

  // Text that is not saved yet (typed here, or sent back by the server after a preview, a refused save or a
  // conflict) makes leaving the page ask first; submitting the form is how it gets saved, so it never asks.
  var unsaved = source.getAttribute("data-unsaved") === "1";
  form.addEventListener("submit", function () { unsaved = false; });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved) { event.preventDefault(); event.returnValue = ""; }
  });

  // "Line 43" in the problem list selects that line in the editor (the textarea wraps and has no line numbers).
  problems.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-line]");
    if (!link) { return; }
    event.preventDefault();
    var lines = source.value.split("\n");
    var number = Math.min(Number(link.getAttribute("data-line")), lines.length);
    var start = 0;
    for (var i = 0; i < number - 1; i++) { start += lines[i].length + 1; }
    source.focus();
    source.setSelectionRange(start, start + lines[number - 1].length);
    // Put the line near the top of the box: the share of the text above it, in the box's scroll height.
    source.scrollTop = Math.max(0, source.scrollHeight * (start / Math.max(1, source.value.length)) - 40);
  });

  // After a refused save what the person needs next takes the focus: the newer version saved by someone else, or
  // the list of problems.
  var refused = document.querySelector("[data-takes-focus]");
  if (refused) { refused.focus(); }

  source.addEventListener("input", function () {
    unsaved = true;
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
}());
