/* OncoCenter's page behaviour, kept out of the HTML so the Content-Security-Policy can forbid
   inline scripts and style attributes (script-src 'self'; style-src 'self').
   - data-autosubmit on a select or checkbox: submit its form when it changes.
   - data-print on a button: print the page.
   - data-top / data-height (px) and data-cols / data-h: positions computed on the server
     (the scheduling board), applied through the CSS object model, which CSP allows. */
(function () {
  "use strict";
  function px(value) { return value + "px"; }
  function apply(root) {
    root.querySelectorAll("[data-top]").forEach(function (el) {
      el.style.top = px(el.dataset.top);
      if (el.dataset.height) { el.style.height = px(el.dataset.height); }
    });
    root.querySelectorAll("[data-cols]").forEach(function (el) {
      el.style.setProperty("--cols", el.dataset.cols);
      if (el.dataset.h) { el.style.setProperty("--h", px(el.dataset.h)); }
    });
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var el = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (el) { window.print(); }
  });
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
  document.addEventListener("htmx:afterSwap", function (event) { apply(event.target); });
})();
