// 상환 계산: let HTMX swap a 422 answer in (the panel with each error beside its field), like a 200.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr && event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
