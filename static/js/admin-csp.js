/* Starts what Wagtail's admin would start with inline scripts, which Kyky's Content-Security-Policy
 * does not run: chooser widgets, inline panels, multiple-chooser panels and the date and time
 * pickers (lms/cms/admin_csp.py). Each leaves a hidden element naming the constructor or function
 * and its options; this runs each once, for the page as loaded and for anything added later. */
(function () {
  "use strict";
  var PANELS = { InlinePanel: true, MultipleChooserPanel: true };
  var NAME = /^[A-Za-z][A-Za-z0-9]*$/;

  function start(element) {
    if (element.hasAttribute("data-kyky-started")) return;
    element.setAttribute("data-kyky-started", "");
    var name = element.getAttribute("data-kyky-init");
    var options = JSON.parse(element.getAttribute("data-kyky-options") || "null");
    var target = element.getAttribute("data-kyky-target");
    if (!NAME.test(name || "") || typeof window[name] !== "function") return;
    if (PANELS[name]) {
      new window[name](options);  // new InlinePanel(options)
    } else if (/^init/.test(name)) {
      window[name](target, options);  // initDateChooser(id, options)
    } else {
      new window[name](target, options);  // new PageChooser(id, options)
    }
  }

  function startAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-kyky-init]"), start);
  }

  function watch() {
    startAll(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        Array.prototype.forEach.call(change.addedNodes, function (node) {
          if (node.nodeType !== 1) return;
          if (node.hasAttribute("data-kyky-init")) start(node);
          startAll(node);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
