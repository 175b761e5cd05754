/* Counter intake: «Tra cứu CSDL dân cư». Progressive enhancement: the button posts the form with
   intent=population and the server fills the empty applicant fields (IntakeForm.population_fill).
   With this script the same lookup runs in place (POST to data-url with the page's CSRF token): the
   empty name, date of birth and address fill, each marked "điền từ CSDL dân cư" in its label (read with
   the field) and listed in the status line (a live region); a refusal or failure says why there. */
(function () {
  "use strict";
  var box = document.querySelector("[data-population-box]");
  var button = box && box.querySelector("[data-population-lookup]");
  if (!button || !button.form) return;
  var form = button.form;
  var status = box.querySelector("[data-population-status]");

  button.addEventListener("click", function (event) {
    var number = form.elements.namedItem("applicant_id_number");
    var token = form.elements.namedItem("csrfmiddlewaretoken");
    if (!number || !token || !window.fetch) return;  // the server does it
    event.preventDefault();
    var body = new URLSearchParams();
    body.set("personal_id", number.value.trim());
    button.disabled = true;
    fetch(box.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token.value, "Content-Type": "application/x-www-form-urlencoded" },
      body: body
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (!answer.fields) {
          status.textContent = answer.detail || box.getAttribute("data-failed");
          return;
        }
        var filled = window.motcuaIntakeFill.fillEmpty(form, answer.fields, box.getAttribute("data-marker"));
        status.textContent = box.getAttribute("data-filled") + " " + (filled.join(", ") || "—");
      })
      .catch(function () { status.textContent = box.getAttribute("data-failed"); })
      .then(function () { button.disabled = false; });
  });
})();
