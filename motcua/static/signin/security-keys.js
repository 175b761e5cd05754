// Security keys page (motcua/signin): once the library's script has stored a new key, reload the page so
// the list shows it with its name field (the library only updates its own button and status line).
document.addEventListener("otp_webauthn.register_complete", function () {
  window.location.reload();
});
