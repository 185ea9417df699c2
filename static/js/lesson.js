/* After an answer the server sends the learner back to the question (#q-<id>); the result is then
 * on the page, but a screen reader would not say so. Move the focus to the result (tabindex=-1),
 * which reads it out and leaves the next Tab at the question's own controls. */
(function () {
  "use strict";
  function announce() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!/^q-[\w-]+$/.test(id)) return;
    var section = document.getElementById(id);
    var result = section && section.querySelector("[data-answer-result]");
    if (result) result.focus();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", announce);
  } else {
    announce();
  }
})();
