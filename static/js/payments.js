// Payment page: copy buttons and the countdown to the payment deadline (no inline JS: the CSP forbids it).
(function () {
  "use strict";

  function copyText(text, button) {
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-done");
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectFallback(text, done); });
    } else {
      selectFallback(text, done);
    }
  }

  function selectFallback(text, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); done(); } finally { document.body.removeChild(area); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (source) { copyText(source.textContent.trim(), button); }
  });

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    // Paid while the page is open (the status poll swapped in the paid state): the countdown stops.
    var paid = document.querySelector(".pay-status.pay-paid");
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      if (paid) {
        el.textContent = el.getAttribute("data-paid");
        el.removeAttribute("data-deadline");
        return;
      }
      var left = Math.floor((new Date(el.getAttribute("data-deadline")) - new Date()) / 1000);
      if (left <= 0) { el.textContent = el.getAttribute("data-expired"); return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = el.getAttribute("data-prefix") + " " + pad(h) + ":" + pad(m) + ":" + pad(s);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    var timer = setInterval(function () {
      tick();
      if (!document.querySelector(".countdown[data-deadline]")) { clearInterval(timer); }
    }, 1000);
  });
  document.addEventListener("htmx:afterSwap", tick);
})();
