// Cart: a refused quantity (e.g. 2.5) comes back as a 400 with the cart redrawn, the old quantity and the reason at
// that line; htmx leaves error responses out by default, so let this one in. Without JavaScript the form posts
// normally and the server answers with the whole cart page and the same message.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 400 && event.detail.target.id === "cart-body") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
