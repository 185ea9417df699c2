/* Follows a background job (a student-list import, a PDF regeneration) by polling its JSON status.
 * The element [data-job] names the status URL; [data-job-bar] is a <progress> or a bar whose width
 * follows; [data-job-text] says how far; with data-job-reload the page reloads when the job ends,
 * to show its results. One script for every job page. */
(function () {
  "use strict";
  var box = document.querySelector("[data-job]");
  if (!box) return;
  var url = box.getAttribute("data-job");
  var bar = box.querySelector("[data-job-bar]");
  var text = box.querySelector("[data-job-text]");

  function finished(job) {
    return job.status === "done" || job.status === "failed";
  }

  function show(job) {
    var handled = job.done + (job.failed || 0);
    var percent = job.total ? Math.floor(handled * 100 / job.total) : (finished(job) ? 100 : 0);
    if (bar && bar.tagName === "PROGRESS") {
      bar.value = percent;
    } else if (bar) {
      bar.style.width = percent + "%";
      bar.parentNode.setAttribute("aria-valuenow", String(handled));
    }
    if (text) text.textContent = job.done + " / " + job.total + (job.failed ? " (" + job.failed + " ✗)" : "");
  }

  (function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (finished(job) && box.hasAttribute("data-job-reload")) {
          window.location.reload();
          return;
        }
        show(job);
        if (!finished(job)) setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  })();
})();
