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

// The bulk upload shows how much of the file has been sent, then that the server is
// checking it (a file of 500 items takes a few seconds to check and number).
document.addEventListener("htmx:xhr:progress", function (event) {
  var form = event.target && event.target.closest && event.target.closest("form#bulk-upload");
  if (!form || !event.detail.lengthComputable) {
    return;
  }
  var bar = form.querySelector("[data-upload-progress]");
  if (bar) {
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  }
  var processing = form.querySelector("[data-processing]");
  if (processing && event.detail.loaded >= event.detail.total) {
    processing.hidden = false;
  }
});
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.target && event.target.closest && event.target.closest("form#bulk-upload");
  if (!form) {
    return;
  }
  var processing = form.querySelector("[data-processing]");
  if (processing) {
    processing.hidden = true;
  }
});

// After a refused acceptance the summary of problems takes the focus, so a keyboard user
// hears it and can follow its links to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
