// Signing list: "select all" and the count of dossiers chosen. A static file, not inline handlers:
// the Content-Security-Policy allows no inline script (docs/architecture.md §27).
(function () {
  "use strict";
  function init() {
    var all = document.querySelector("[data-select-all]");
    if (!all) return;
    var name = all.getAttribute("data-select-all");
    var boxes = function () { return document.querySelectorAll('input[name="' + name + '"]'); };
    var count = document.getElementById("so-chon");
    var recount = function () {
      if (count) count.textContent = document.querySelectorAll('input[name="' + name + '"]:checked').length;
    };
    all.addEventListener("click", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      recount();
    });
    boxes().forEach(function (box) { box.addEventListener("change", recount); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
