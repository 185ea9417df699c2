/* The exam attempt page: a countdown and saving each answer as it is given.
 *
 * The server is the clock and keeps the answers: without this script the page still works (the
 * time left is printed, "Save answers" saves every question). With it, each question is saved when
 * it changes (fetch, the form's CSRF token in the X-CSRFToken header), the time left counts down,
 * and when it runs out the page reloads after the grace period, showing the scored attempt. */
(function () {
  "use strict";

  function text(element, value) {
    if (element) element.textContent = value;
  }

  function clock(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)), ss = String(s).padStart(2, "0");
    return (h ? h + ":" : "") + mm + ":" + ss;
  }

  function countdown(timer) {
    var remaining = parseInt(timer.getAttribute("data-remaining"), 10);
    var grace = parseInt(timer.getAttribute("data-grace"), 10) || 0;
    var shown = timer.querySelector("[data-exam-clock]");
    var announce = document.querySelector("[data-exam-announce]");
    var ends = Date.now() + remaining * 1000;
    function tick() {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      text(shown, clock(left));
      if (left === 300) text(announce, timer.getAttribute("data-five-text"));
      if (left === 60) text(announce, timer.getAttribute("data-one-text"));
      if (left <= 0) {
        text(timer, timer.getAttribute("data-expired-text"));
        document.querySelectorAll("[data-exam-form] input, [data-exam-form] select, [data-exam-form] button")
          .forEach(function (input) { input.disabled = true; });
        window.setTimeout(function () { window.location.reload(); }, (grace + 1) * 1000);
        return;
      }
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  function autosave(form) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    // Not form.action: the form's buttons are named "action", and a named control shadows the property.
    var url = form.getAttribute("action");
    var pending = {};
    function save(section) {
      var id = section.getAttribute("data-question");
      var status = section.querySelector("[data-save-status]");
      var body = new FormData();
      body.append("question", id);
      section.querySelectorAll("input, select").forEach(function (input) {
        if (!input.name || input.name === "shown") return;
        if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
        body.append(input.name, input.value);
      });
      text(status, form.getAttribute("data-saving") || "…");
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          text(status, form.getAttribute("data-saved"));
        } else {
          text(status, result.data.error || "");
          if (result.data.closed) window.setTimeout(function () { window.location.reload(); }, 3000);
        }
      }).catch(function () {
        text(status, form.getAttribute("data-offline"));
      });
    }
    form.addEventListener("change", function (event) {
      var section = event.target.closest("[data-question]");
      if (section) save(section);
    });
    form.addEventListener("input", function (event) {
      var section = event.target.closest("[data-question]");
      if (!section || event.target.type !== "text") return;
      var id = section.getAttribute("data-question");
      window.clearTimeout(pending[id]);
      pending[id] = window.setTimeout(function () { save(section); }, 800);
    });
  }

  function start() {
    var timer = document.querySelector("[data-exam-timer]");
    if (timer) countdown(timer);
    var form = document.querySelector("[data-exam-form]");
    if (form && window.fetch && window.FormData) autosave(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
