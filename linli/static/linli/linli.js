/* Linli's page behaviour, kept out of the templates: the Content-Security-Policy allows no inline
   event handlers or style attributes (docs/security.md). Loaded by base.html on every page.
   data-confirm="question"   on a form or a submit button: ask before submitting
   data-autosubmit           on a select: submit its form when it changes
   data-print                on a link: print the page
   data-collect="selector"   on a form: before submitting, put the values of the checked boxes
                             matching the selector, comma-separated, into its field named by
                             data-collect-into
   data-width="42"           width in per cent (progress bars), also in content htmx swaps in
   .table-responsive         when its table is wider than the screen, it takes the keyboard focus
                             (tabindex 0), so it can be scrolled with the arrow keys (axe:
                             scrollable-region-focusable) */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var asker = (event.submitter && event.submitter.closest("[data-confirm]")) || form.closest("[data-confirm]");
    if (asker && !window.confirm(asker.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.collect) {
      var values = Array.prototype.map.call(document.querySelectorAll(form.dataset.collect + ":checked"), function (box) { return box.value; });
      form.elements[form.dataset.collectInto].value = values.join(",");
    }
  }, true);
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
  function widths(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = el.dataset.width + "%"; });
  }
  function scrollables(root) {
    root.querySelectorAll(".table-responsive").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth) el.tabIndex = 0;
      else el.removeAttribute("tabindex");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { widths(document); scrollables(document); });
  document.addEventListener("htmx:load", function (event) { widths(event.target); scrollables(event.target); });
  window.addEventListener("resize", function () { scrollables(document); });
})();
