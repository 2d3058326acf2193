/* Small behaviours every page shares, kept out of the templates so that the Content-Security-Policy
 * needs no 'unsafe-inline' (core/headers.py): a style attribute or a javascript: link in a template
 * would be blocked by the browser. */
(function () {
  "use strict";

  function apply(root) {
    // Progress bars carry their percentage as data-width; HTMX swaps in new ones every second.
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(value)) {
        el.style.width = Math.max(0, Math.min(100, value)) + "%";
      }
    });
  }

  document.addEventListener("click", function (event) {
    // 取消 on a form opened without a known return address goes back where the user came from.
    var link = event.target.closest && event.target.closest("[data-history-back]");
    if (link && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  if (window.htmx) {
    window.htmx.onLoad(apply);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      apply(document);
    });
  }
})();
