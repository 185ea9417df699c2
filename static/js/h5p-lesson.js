/* The lesson page's side of the H5P player: it embeds each activity from the player's own origin
 * and is the only one that talks to Kyky.
 *
 * A message counts only when it comes from the player origin and from one of this page's player
 * iframes; a statement counts only when it is about that iframe's activity. Each statement gets an
 * id before it is sent, so a retry after a network failure is recognised by the server and changes
 * nothing. The server ignores the statement's actor. */
(function () {
  "use strict";
  // Loaded in the page's head, before the iframes exist, so no message from a player is missed.
  var DATA_TYPE = /^[A-Za-z0-9_-]{1,127}$/;
  var players = [];
  var lesson = null, statementsUrl = "", preview = true, learner = "";

  function playerFor(source) {
    var known = players.find(function (p) { return p.frame.contentWindow === source; });
    if (known) return known;
    var frame = Array.prototype.find.call(document.querySelectorAll("iframe[data-h5p-player]"), function (f) {
      return f.contentWindow === source;
    });
    var section = frame && frame.closest("[data-h5p-activity]");
    lesson = lesson || document.querySelector("[data-lesson]");
    if (!section || !lesson) return null;
    statementsUrl = lesson.getAttribute("data-statements-url");
    preview = lesson.hasAttribute("data-preview");
    learner = lesson.getAttribute("data-learner");
    known = {
      frame: frame,
      origin: section.getAttribute("data-player-origin"),
      iri: section.getAttribute("data-object-iri"),
      userDataUrl: section.getAttribute("data-user-data-url"),
      state: section.getAttribute("data-state"),
    };
    players.push(known);
    return known;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function post(url, body, contentType, attempt, done) {
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": contentType, "X-CSRFToken": csrfToken() },
      body: body,
    }).then(function (response) {
      if (response.status >= 500 && attempt < 5) {
        setTimeout(function () { post(url, body, contentType, attempt + 1, done); }, 1000 * Math.pow(2, attempt));
      } else if (response.ok && done) {
        done();
      }
    }).catch(function () {
      if (attempt < 5) setTimeout(function () { post(url, body, contentType, attempt + 1, done); }, 1000 * Math.pow(2, attempt));
    });
  }

  function about(player, statement) {
    var id = statement && statement.object && typeof statement.object.id === "string" ? statement.object.id : "";
    return id === player.iri || id.indexOf(player.iri + "?") === 0;
  }

  // A random (version 4) UUID. crypto.randomUUID exists only in secure contexts (HTTPS or
  // localhost); crypto.getRandomValues exists everywhere, so on plain HTTP the UUID is built from
  // it as RFC 4122 section 4.4 says: 122 random bits, the version (0100) and the variant (10).
  function uuid4() {
    if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function record(player, statement) {
    if (preview || !about(player, statement)) return;
    statement.id = statement.id || uuid4();
    // When it happened, by this browser's clock: a statement sent late (a retry, a slow network)
    // keeps its moment. The server replaces a timestamp it cannot believe.
    statement.timestamp = statement.timestamp || new Date().toISOString();
    post(statementsUrl, JSON.stringify(statement), "application/json", 0, function () {
      document.dispatchEvent(new CustomEvent("kyky:statement-stored", { detail: statement }));
    });
  }

  function save(player, message) {
    if (preview || !DATA_TYPE.test(String(message.dataType)) || !/^\d{1,9}$/.test(String(message.subContentId))) return;
    var url = player.userDataUrl
      .replace(":dataType", encodeURIComponent(message.dataType))
      .replace(":subContentId", String(message.subContentId));
    var body = new URLSearchParams({
      data: String(message.data),
      preload: message.preload ? "1" : "0",
      invalidate: message.invalidate ? "1" : "0",
    });
    post(url, body.toString(), "application/x-www-form-urlencoded", 0);
    if (message.dataType === "state" && String(message.subContentId) === "0") {
      player.state = message.data === "0" ? null : String(message.data);  // what a reloaded player resumes from
    }
  }

  function tell(player, message) {
    message.kyky = "h5p";
    player.frame.contentWindow.postMessage(message, player.origin);
  }

  window.addEventListener("message", function (event) {
    var player = event.source ? playerFor(event.source) : null;
    if (!player || event.origin !== player.origin) return;
    var message = event.data;
    if (!message || message.kyky !== "h5p") return;
    if (message.type === "ready") {
      tell(player, { type: "init", record: !preview, learner: learner, state: player.state ? { 0: { state: player.state } } : {} });
    } else if (message.type === "xapi") {
      record(player, message.statement);
    } else if (message.type === "state") {
      save(player, message);
    } else if (message.type === "resize") {
      var height = Number(message.height);
      if (height > 0) player.frame.style.height = Math.min(Math.max(height, 80), 20000) + "px";
    }
  });
})();
