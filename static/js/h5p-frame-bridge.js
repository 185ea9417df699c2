/* Runs inside H5P's own frame, before H5P's core: it answers H5P's saved-state requests in the
 * page instead of over the network. The player page (our parent, same origin) keeps the state
 * and hands it to the lesson page; nothing here can reach Kyky.
 *
 * H5P's core attaches its jQuery to window.H5P; we create that object first and catch the moment
 * jQuery arrives, so the very first request for saved state is already ours. */
(function () {
  "use strict";
  var PREFIX = "kyky-state:/";
  var H5P = (window.H5P = window.H5P || {});
  var jq;

  function answer(options, reply) {
    // At once: H5P's init reads the saved state through this call and builds the content right after it.
    if (options.success) options.success(reply);
  }

  function patch($) {
    var original = $.ajax;
    $.ajax = function (options) {
      var url = options && typeof options.url === "string" ? options.url : "";
      if (url.indexOf(PREFIX) !== 0) return original.apply(this, arguments);
      var parts = url.slice(PREFIX.length).split("/");  // contentId, dataType, subContentId
      var store = window.parent.kykyPlayer;
      if (options.type === "POST") {
        var body = options.data || {};
        store.save(parts[1], parts[2] || "0", body.data === 0 || body.data === "0" ? "0" : String(body.data),
          !!Number(body.preload), !!Number(body.invalidate));
        answer(options, { success: true });
      } else {
        var known = store.saved(parts[1], parts[2] || "0");
        answer(options, { success: true, data: known === undefined ? false : known });
      }
      return $.Deferred().resolve().promise();
    };
  }

  // The player is a third-party frame in the lesson page; a browser that blocks third-party storage
  // throws on any touch of localStorage, and H5P's core touches it (its clipboard) while starting.
  // A page-lifetime stand-in keeps the content running; nothing of value is kept there.
  try {
    window.localStorage.getItem("kyky");
  } catch (blocked) {
    var items = {};
    Object.defineProperty(window, "localStorage", {
      configurable: true,
      value: {
        getItem: function (key) { return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null; },
        setItem: function (key, value) { items[key] = String(value); },
        removeItem: function (key) { delete items[key]; },
        clear: function () { items = {}; },
        key: function (index) { return Object.keys(items)[index] || null; },
        get length() { return Object.keys(items).length; },
      },
    });
  }

  Object.defineProperty(H5P, "jQuery", {
    configurable: true,
    enumerable: true,
    get: function () { return jq; },
    set: function (value) {
      jq = value;
      if (value && typeof value.ajax === "function") patch(value);
    },
  });
})();
