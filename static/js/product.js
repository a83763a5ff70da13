// Variant picker: show the chosen variant's price and stock (the radios work without this file too).
document.addEventListener("change", (event) => {
  const input = event.target.closest(".variant-picker input[name=variant]");
  if (!input) return;
  document.getElementById("variant-price").textContent = input.dataset.price;
  document.getElementById("variant-stock").textContent = input.dataset.stock;
});
