// Cart: a refused quantity (e.g. 2.5) comes back as a 400 with the cart redrawn, the old quantity and the reason at
// that line, marked by an HX-Reswap header; htmx leaves error responses out by default, so let such a one in (a
// bare 400 for a tampered request stays out). Without JavaScript the form posts normally and the server answers
// with the whole cart page and the same message.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status === 400 && xhr.getResponseHeader("HX-Reswap")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
