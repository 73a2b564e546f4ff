// Live preview for the course editor: debounced, rendered and sanitised by the server.
// Without JavaScript the Preview button does the same through a normal form post.
(function () {
  "use strict";
  var source = document.querySelector("textarea[data-preview-url]");
  var preview = document.getElementById("preview");
  var problems = document.getElementById("problems");
  if (!source || !preview || !window.fetch) { return; }
  var form = source.form;
  var token = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var latest = 0;

  function renderProblems(list) {
    problems.textContent = "";
    if (!list.length) { return; }
    var box = document.createElement("div");
    var hasErrors = list.some(function (p) { return p.severity === "error"; });
    box.className = "problems" + (hasErrors ? " has-errors" : "");
    var heading = document.createElement("h2");
    heading.textContent = hasErrors ? "Errors (not saved until fixed)" : "Warnings";
    box.appendChild(heading);
    var items = document.createElement("ul");
    list.forEach(function (p) {
      var item = document.createElement("li");
      item.className = "problem-" + p.severity;
      item.textContent = "Line " + p.line + ": " + (p.severity === "warning" ? "warning: " : "") + p.message;
      items.appendChild(item);
    });
    box.appendChild(items);
    problems.appendChild(box);
  }

  function refresh() {
    var request = ++latest;
    var body = new FormData();
    body.append("source", source.value);
    body.append("module", source.getAttribute("data-module") || "");
    if (token) { body.append("csrf_token", token.value); }
    fetch(source.getAttribute("data-preview-url"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || request !== latest) { return; }
        if (data.html) { preview.innerHTML = data.html; }  // sanitised by the server (nh3 allow-list)
        renderProblems(data.problems || []);
      })
      .catch(function () { /* offline: the Preview button still works */ });
  }

  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
}());
