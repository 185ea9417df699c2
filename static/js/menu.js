/* The header's menu on narrow screens: a disclosure button (aria-expanded, aria-controls) that shows
 * and hides the site menu; Escape closes it and gives the focus back to the button. Loaded right
 * after the header so the menu folds before the page is first drawn. Without this script the
 * button stays hidden and the menu stays open: nothing is out of reach. */
(function () {
  "use strict";
  var button = document.querySelector("[data-menu-toggle]");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;
  var header = button.closest("header") || document.body;

  function open() {
    return button.getAttribute("aria-expanded") === "true";
  }

  function show(expanded) {
    button.setAttribute("aria-expanded", String(expanded));
    menu.classList.toggle("open", expanded);
  }

  header.classList.add("menu-ready");
  button.hidden = false;
  button.addEventListener("click", function () {
    show(!open());
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open()) {
      show(false);
      button.focus();
    }
  });
})();
