/* The H5P player, inside the lesson's iframe, in the player's own origin (no Kyky session here).
 *
 * It talks only to the lesson page that embeds it, by postMessage, and only to the origin the
 * server signed into this page's grant: "ready" when loaded; then it waits for "init" (the
 * learner's saved state) and reports xAPI statements, saved state and its height. Saved state
 * never goes over the network from here: H5P's ajax calls for it are answered in the page and
 * handed to the lesson page, which alone can post to Kyky. */
(function () {
  "use strict";
  var root = document.getElementById("player");
  if (!root || !window.H5PStandalone || window.parent === window) return;
  var data = root.dataset;
  var parentOrigin = data.parentOrigin;
  var STATE_URL = "kyky-state:/:contentId/:dataType/:subContentId";
  var saved = {};  // {subContentId: {dataType: data}}: what the lesson page sent, and what H5P saved since
  var started = false;

  function tell(message) {
    message.kyky = "h5p";
    window.parent.postMessage(message, parentOrigin);
  }

  // Called by h5p-frame-bridge.js inside H5P's frame (same origin) when H5P reads or writes state.
  window.kykyPlayer = {
    saved: function (dataType, subContentId) {
      var value = saved[subContentId] && saved[subContentId][dataType];
      return value === undefined || value === "0" ? undefined : value;
    },
    save: function (dataType, subContentId, value, preload, invalidate) {
      saved[subContentId] = saved[subContentId] || {};
      saved[subContentId][dataType] = value;
      tell({ type: "state", dataType: dataType, subContentId: subContentId, data: value,
             preload: preload, invalidate: invalidate });
    },
  };

  function absolute(path) {
    return window.location.origin + path;
  }

  function reportHeight() {
    tell({ type: "resize", height: Math.ceil(document.documentElement.scrollHeight) });
  }

  function start(init) {
    started = true;
    saved = init.state && typeof init.state === "object" ? init.state : {};
    // The bridge must run in H5P's frame before H5P's core; h5p-standalone keeps this order.
    window.H5PIntegration = { core: { scripts: [absolute(data.bridgeJs), absolute(data.frameJs)], styles: [] } };
    new H5PStandalone.H5P(root, {
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
      saveFreq: init.record ? 2 : false,
      user: { name: "learner", mail: String(init.learner || "") },
      ajax: { contentUserDataUrl: STATE_URL },
    }).then(function () {
      H5P.externalDispatcher.on("xAPI", function (event) {
        tell({ type: "xapi", statement: JSON.parse(JSON.stringify(event.data.statement)) });
      });
      if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
      reportHeight();
      document.documentElement.setAttribute("data-h5p-ready", "true");
    });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) return;
    var message = event.data;
    if (!message || message.kyky !== "h5p" || started) return;
    if (message.type === "init") start(message);
  });
  tell({ type: "ready" });
})();
