/* Plays the lesson's H5P activities with h5p-standalone and reports their xAPI statements.
 *
 * Each statement gets an id before it is sent, so a retry after a network failure is
 * recognised by the server and changes nothing. The server ignores the statement's actor. */
(function () {
  "use strict";
  var lesson = document.querySelector("[data-lesson]");
  var activities = document.querySelectorAll("[data-h5p-activity]");
  if (!lesson || !activities.length || !window.H5PStandalone) return;
  var statementsUrl = lesson.getAttribute("data-statements-url");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function send(statement, attempt) {
    fetch(statementsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(statement),
    }).then(function (response) {
      if (response.status >= 500 && attempt < 5) {
        setTimeout(function () { send(statement, attempt + 1); }, 1000 * Math.pow(2, attempt));
      } else if (response.ok) {
        document.dispatchEvent(new CustomEvent("kyky:statement-stored", { detail: statement }));
      }
    }).catch(function () {
      if (attempt < 5) setTimeout(function () { send(statement, attempt + 1); }, 1000 * Math.pow(2, attempt));
    });
  }

  var players = Array.prototype.map.call(activities, function (element) {
    var data = element.dataset;
    return new H5PStandalone.H5P(element.querySelector("[data-h5p-player]"), {
      id: data.activityId,
      h5pJsonPath: data.h5pJsonPath,
      contentJsonPath: data.contentJsonPath,
      librariesPath: data.librariesPath,
      frameJs: data.frameJs,
      frameCss: data.frameCss,
      xAPIObjectIRI: data.objectIri,
      frame: false,
      copyright: false,
      export: false,
      embed: false,
      saveFreq: lesson.hasAttribute("data-preview") ? false : 2,
      user: { name: "learner", mail: lesson.getAttribute("data-learner") },
      ajax: { contentUserDataUrl: data.userDataUrl },
      // H5P starts the content before an ajax answer could arrive, so the saved state comes with the page.
      contentUserData: data.state ? [{ state: data.state }] : undefined,
    });
  });

  Promise.all(players).then(function () {
    if (lesson.hasAttribute("data-preview")) return;
    H5P.externalDispatcher.on("xAPI", function (event) {
      var statement = JSON.parse(JSON.stringify(event.data.statement));
      statement.id = statement.id || (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
      send(statement, 0);
    });
    document.documentElement.setAttribute("data-h5p-ready", "true");
  });
})();
