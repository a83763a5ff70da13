// KKPD card form (procurement package page): the card details go to the gateway's token endpoint from the
// browser, and only the token is posted to our server. The inputs carry no name, so the form itself never
// sends the number. (The sandbox endpoint answers like Midtrans' GET /v2/token; no inline JS: the CSP.)
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "kkpd-form") { return; }
    var token = form.querySelector("#kkpd-token");
    if (token.value) { return; }
    event.preventDefault();
    var error = form.querySelector("#kkpd-error");
    var button = form.querySelector("button[type=submit]");
    var data = new FormData();
    form.querySelectorAll("[data-card]").forEach(function (input) {
      data.append(input.getAttribute("data-card"), input.value.trim());
    });
    button.disabled = true;
    error.hidden = true;
    fetch(form.getAttribute("data-token-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value}
    }).then(function (answer) {
      return answer.json();
    }).then(function (body) {
      if (body.status_code !== "200" || !body.token_id) {
        throw new Error((body.validation_messages || [body.status_message]).join("; "));
      }
      token.value = body.token_id;
      form.querySelectorAll("[data-card]").forEach(function (input) { input.value = ""; });
      form.submit();
    }).catch(function (problem) {
      error.textContent = form.getAttribute("data-error") + " " + problem.message;
      error.hidden = false;
      button.disabled = false;
    });
  });
})();
