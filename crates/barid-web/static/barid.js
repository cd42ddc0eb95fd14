// Barid's own script. Pages work without it; it only polishes what htmx does.
//
// A form marked data-scan is a scanning form: once htmx has shown the answer, the field is
// emptied and focused again, so the next barcode (typed by a scanner, ending in Enter)
// replaces the previous one instead of being appended to it.
"use strict";
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.target && event.target.closest && event.target.closest("form[data-scan]");
  if (!form || !event.detail.successful) {
    return;
  }
  var field = form.querySelector("[data-scan-field]");
  if (field) {
    field.value = "";
    field.focus();
  }
});
