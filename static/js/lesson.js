/* After an answer the server sends the learner back to the question (#q-<id>). The answered
 * question is focusable (tabindex=-1) and named by its result, so moving the focus to it makes a
 * screen reader read the result. Chromium focuses a focusable fragment target by itself; other
 * browsers only scroll to it, so this script focuses it too (the same element either way). */
(function () {
  "use strict";
  function announce() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!/^q-[\w-]+$/.test(id)) return;
    var question = document.getElementById(id);
    if (question && question.querySelector("[data-answer-result]") && question.hasAttribute("tabindex")) {
      question.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", announce);
  } else {
    announce();
  }
})();
