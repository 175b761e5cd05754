/* Main navigation menu button (narrow screens). Progressive enhancement: without this script the
   button stays hidden and every link is shown, wrapped; with it, the links fold behind the button.
   The button is a real <button> (Enter/Space for free) carrying aria-expanded; Escape closes the
   open menu and returns focus to the button. */
(function () {
  "use strict";
  var nav = document.querySelector("[data-site-nav]");
  var toggle = nav && nav.querySelector("[data-site-nav-toggle]");
  if (!toggle) return;
  var list = document.getElementById(toggle.getAttribute("aria-controls"));
  if (!list) return;

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("site-nav--open", open);
  }

  nav.classList.add("site-nav--js");
  setOpen(false);
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();
