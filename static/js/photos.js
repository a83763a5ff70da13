// Photo upload: several photos in one request through htmx, with the upload's progress on a <progress> bar.
// Without this file (or htmx) the form is an ordinary multipart POST.
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest && event.target.closest("form[data-upload-progress]");
  if (!form || !event.detail.lengthComputable || !event.detail.total) return;
  const percent = Math.round((100 * event.detail.loaded) / event.detail.total);
  const bar = form.querySelector("progress");
  const label = form.querySelector(".upload-status");
  bar.hidden = false;
  bar.value = percent;
  if (label) label.textContent = label.dataset.template.replace("{n}", percent);
});
// A refused upload (422) carries its messages: show it like a page would.
document.addEventListener("htmx:beforeSwap", (event) => {
  const form = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (form && form.matches && form.matches("form[data-upload-progress]") && event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
