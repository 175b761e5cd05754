// The assistant's chat panel and page: open/close the panel (focus into the input, Escape closes and
// returns focus to the button), keep the input ready after each answer, and load the conversation so
// far when the panel opens. Posting is htmx's (hx-post on the forms); without JavaScript the button
// is a link to /tro-ly-ao and the forms post normally.
(function () {
  "use strict";

  function scrollDown(log) {
    if (log) log.scrollTop = log.scrollHeight;
  }

  function setup() {
    var toggle = document.querySelector("[data-chat-toggle]");
    var panel = document.querySelector("[data-chat-panel]");
    if (toggle && panel) {
      var loaded = false;
      var open = function () {
        panel.hidden = false;
        toggle.setAttribute("aria-expanded", "true");
        if (!loaded && window.fetch) {
          loaded = true;
          fetch(panel.getAttribute("data-src") + "?log=1", { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.text() : ""; })
            .then(function (html) {
              if (html) {
                var log = panel.querySelector("#chat-log");
                log.innerHTML = html;
                if (window.htmx) window.htmx.process(log);
                scrollDown(log);
              }
            });
        }
        var input = panel.querySelector("input[name=message]");
        if (input) input.focus();
      };
      var close = function () {
        panel.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      };
      toggle.addEventListener("click", function (e) {
        e.preventDefault();
        if (panel.hidden) open(); else close();
      });
      toggle.addEventListener("keydown", function (e) {
        if (e.key === " ") { e.preventDefault(); toggle.click(); }
      });
      var closer = panel.querySelector("[data-chat-close]");
      if (closer) closer.addEventListener("click", close);
      panel.addEventListener("keydown", function (e) {
        if (e.key === "Escape") close();
      });
    }
    document.body.addEventListener("htmx:afterSwap", function (e) {
      var target = e.detail && e.detail.target;
      if (!target || target.id !== "chat-log") return;
      scrollDown(target);
      var form = target.closest(".chat") && target.closest(".chat").querySelector("[data-chat-form]");
      if (form) {
        var input = form.querySelector("input[name=message]");
        input.value = "";
        input.focus();
      }
    });
    // A failed answer (400/429) still carries its message: show it rather than drop it.
    document.body.addEventListener("htmx:beforeSwap", function (e) {
      if (e.detail.target && e.detail.target.id === "chat-log" && (e.detail.xhr.status === 400 || e.detail.xhr.status === 429)) {
        e.detail.shouldSwap = true;
        e.detail.isError = false;
      }
    });
    document.body.addEventListener("htmx:beforeRequest", function (e) {
      var form = e.detail.elt;
      if (form && form.hasAttribute && form.hasAttribute("data-chat-form")) {
        var input = form.querySelector("input[name=message]");
        if (input && !input.value.trim()) e.preventDefault();
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll("#chat-log"), scrollDown);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
