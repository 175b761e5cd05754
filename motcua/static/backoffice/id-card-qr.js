/* Counter intake: the chip ID card's QR (CCCD gắn chip). Progressive enhancement: a scanner acting as
   a keyboard types the QR text into the field and ends with Enter; this fills the applicant's empty
   fields at once and marks them "điền từ mã QR" in their label (screen readers read it with the field)
   and in the status line (a live region). Without this script Enter presses the form's first button,
   «Đọc mã QR», and the server does the same (backoffice IntakeForm.id_card_qr).

   Only a light reading here: the check of record is the server's parser (accounts/id_card_qr.py), run
   again on the QR text when the form is posted (the text stays in the field for that). A text this
   reading cannot place is left to the server at once: Enter then posts it and the page comes back with
   the parser's message beside the field. */
(function () {
  "use strict";
  var input = document.querySelector("[data-id-card-qr]");
  var box = document.querySelector("[data-id-card-qr-box]");
  if (!input || !input.form || !box) return;
  var form = input.form;
  var status = box.querySelector("[data-id-card-qr-status]");

  // ddmmyyyy → yyyy-mm-dd (an <input type="date"> value), or null for a date that does not exist.
  function cardDate(text) {
    if (!/^\d{8}$/.test(text)) return null;
    var d = +text.slice(0, 2), m = +text.slice(2, 4), y = +text.slice(4);
    var t = new Date(Date.UTC(y, m - 1, d));
    if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
    return text.slice(4) + "-" + text.slice(2, 4) + "-" + text.slice(0, 2);
  }

  function clean(text) {
    return text.normalize("NFC").replace(/\s+/g, " ").trim();
  }

  // The card's fields (the accepted variants are the server's: 6 fields, 7, or more), or null.
  function read(text) {
    var fields = text.trim().split("|").map(function (f) { return f.trim(); });
    while (fields.length && !fields[fields.length - 1]) fields.pop();
    if (fields.length < 6 || fields.length > 12) return null;
    if (fields.length === 6) fields.splice(1, 0, "");  // no old-ID field on this card
    var born = cardDate(fields[3]);
    if (!/^\d{12}$/.test(fields[0]) || !clean(fields[2]) || !born || !clean(fields[5])) return null;
    return { id: fields[0], name: clean(fields[2]), born: born, address: clean(fields[5]) };
  }

  function fill(card) {
    var kind = form.querySelector('input[name="applicant_kind"]:checked');
    // An organisation's applicant is not on the card: the person at the counter is its representative.
    var values = kind && kind.value === "organisation"
      ? { representative_name: card.name, representative_id_number: card.id }
      : {
          applicant_name: card.name,
          applicant_id_number: card.id,
          applicant_birth_date: card.born,
          applicant_address: card.address
        };
    var filled = window.motcuaIntakeFill.fillEmpty(form, values, box.getAttribute("data-marker"));
    if (status) {
      status.textContent = filled.length
        ? box.getAttribute("data-filled") + " " + filled.join(", ")
        : box.getAttribute("data-nothing");
    }
  }

  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    var card = read(input.value);
    if (!card) return;  // the server's parser says what is wrong
    event.preventDefault();
    fill(card);
    input.select();  // the next scan replaces the text
  });

  // A filled field the officer then edits is theirs: the mark goes.
  form.addEventListener("input", function (event) {
    var target = event.target;
    if (target !== input && target.closest && target.closest(".bo-field--qr")) {
      window.motcuaIntakeFill.unmark(form, target);
    }
  });
})();
