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

  document.addEventListener("change", function (event) {
    // A file input drawn as a button shows what was chosen next to it (data-file-names="<input id>").
    var input = event.target;
    if (!input || input.type !== "file" || !input.id) return;
    var list = document.querySelector('[data-file-names="' + input.id + '"]');
    if (!list) return;
    var names = Array.prototype.map.call(input.files || [], function (f) {
      return f.name;
    });
    list.textContent = names.length ? "已选择" + names.length + "个：" + names.join("、") : "未选择文件";
  });

  document.addEventListener("submit", function (event) {
    // Logging out forgets the field drafts kept on this device (static/js/drafts.js): a phone or a
    // desk shared by several officers must not show one officer's unsent findings to the next.
    if (!event.target.hasAttribute || !event.target.hasAttribute("data-clear-drafts")) return;
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var name = window.localStorage.key(i);
        if (name && name.indexOf("qingyuan.draft.") === 0) window.localStorage.removeItem(name);
      }
    } catch (e) {
      /* no storage: nothing was kept */
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
