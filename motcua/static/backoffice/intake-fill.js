/* Counter intake: filling the applicant's empty fields from a source the officer asked for — the chip ID
   card's QR (id-card-qr.js) or the national population database (population-lookup.js). What the
   officer typed stays; each filled field is marked in its label (screen readers read the mark with the
   field) and its label text is returned for the status line. Loaded before both scripts. */
window.motcuaIntakeFill = (function () {
  "use strict";

  function labelOf(form, field) {
    return field.id ? form.querySelector('label[for="' + field.id + '"]') : null;
  }

  function labelText(form, field) {
    var label = labelOf(form, field);
    if (!label) return field.name;
    var copy = label.cloneNode(true);
    copy.querySelectorAll(".bo-req, .bo-qr-filled").forEach(function (n) { n.remove(); });
    return copy.textContent.trim();
  }

  function mark(form, field, marker) {
    var wrapper = field.closest(".bo-field");
    if (wrapper) wrapper.classList.add("bo-field--qr");
    var label = labelOf(form, field);
    if (label && !label.querySelector(".bo-qr-filled")) {
      var span = document.createElement("span");
      span.className = "bo-qr-filled";
      span.textContent = marker;
      label.append(" ", span);
    }
    var details = field.closest("details");
    if (details) details.open = true;  // a filled field folded away would go unseen
  }

  // A filled field the officer then edits is theirs: the mark goes.
  function unmark(form, field) {
    var wrapper = field.closest(".bo-field");
    if (wrapper) wrapper.classList.remove("bo-field--qr");
    var label = labelOf(form, field);
    var span = label && label.querySelector(".bo-qr-filled");
    if (span) span.remove();
  }

  // values: {field name: value}; returns the labels of the fields filled.
  function fillEmpty(form, values, marker) {
    var filled = [];
    Object.keys(values).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (!field || field.value.trim()) return;
      field.value = values[name];
      mark(form, field, marker);
      filled.push(labelText(form, field));
    });
    return filled;
  }

  return { fillEmpty: fillEmpty, unmark: unmark };
})();
