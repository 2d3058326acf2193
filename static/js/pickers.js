/* The cascading region picker (core.widgets.RegionSelect): the plain select of every allowed region
 * becomes one select per level (省 → 市 → 区县 → 乡镇), built from the branch of the tree the page
 * carries as JSON beside it. The plain select stays in the form, hidden, and holds the value that is
 * submitted; without JavaScript it is what the user sees. */
(function () {
  "use strict";

  var LEVELS = { 1: "省", 2: "市", 3: "区县", 4: "乡镇/街道", 5: "村/社区" };

  function picker(select) {
    if (select.getAttribute("data-picker-ready")) {
      return;
    }
    var data = document.getElementById(select.getAttribute("data-region-picker"));
    if (!data) {
      return;
    }
    var nodes;
    try {
      nodes = JSON.parse(data.textContent);
    } catch (e) {
      return;
    }
    var codes = Object.keys(nodes).sort();
    if (!codes.length) {
      return;
    }
    select.setAttribute("data-picker-ready", "1");
    var children = {};
    codes.forEach(function (code) {
      var parent = nodes[code].p && nodes[nodes[code].p] ? nodes[code].p : "";
      (children[parent] = children[parent] || []).push(code);
    });

    var box = document.createElement("div");
    box.className = "region-picker";
    select.parentNode.insertBefore(box, select.nextSibling);
    select.classList.add("d-none");
    select.removeAttribute("required");
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var small = select.classList.contains("form-select-sm");
    // Each level is named after the field and its level (所在区划（区县）) for screen readers.
    var fieldName = label ? label.textContent.replace("*", "").trim() : "";

    function pathTo(code) {
      var path = [];
      while (code && nodes[code]) {
        path.unshift(code);
        code = nodes[code].p;
      }
      return path;
    }

    function levelName(list) {
      return LEVELS[nodes[list[0]].l] || "下级";
    }

    function render(path, focus) {
      box.textContent = "";
      var parent = "";
      var level = 0;
      var chosen = [];
      while (children[parent] && children[parent].length) {
        var list = children[parent];
        var part = document.createElement("select");
        part.className = small ? "form-select form-select-sm" : "form-select";
        part.id = (select.id || select.name) + "-level" + level;
        part.setAttribute("aria-label", fieldName ? fieldName + "（" + levelName(list) + "）" : levelName(list));
        part.setAttribute("data-level", String(level));
        var blank = document.createElement("option");
        blank.value = "";
        blank.textContent = parent && nodes[parent].s ? "（不再细分）" : "请选择" + levelName(list);
        part.appendChild(blank);
        list.forEach(function (code) {
          var option = document.createElement("option");
          option.value = code;
          option.textContent = nodes[code].n;
          part.appendChild(option);
        });
        var pick = path[level];
        if (!pick && list.length === 1 && !nodes[list[0]].s) {
          pick = list[0]; // the only way down: no need to ask
        }
        part.value = pick && list.indexOf(pick) >= 0 ? pick : "";
        box.appendChild(part);
        if (!part.value) {
          break;
        }
        chosen.push(part.value);
        parent = part.value;
        level += 1;
      }
      var last = chosen[chosen.length - 1];
      var value = last && nodes[last].s ? last : "";
      if (select.value !== value) {
        select.value = value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      var first = box.querySelector("select");
      if (label && first) {
        label.setAttribute("for", first.id);
      }
      if (focus !== undefined && box.children[focus]) {
        box.children[focus].focus();
      }
      return chosen;
    }

    var path = render(pathTo(select.value));
    box.addEventListener("change", function (event) {
      var part = event.target;
      var level = parseInt(part.getAttribute("data-level"), 10);
      path = path.slice(0, level);
      if (part.value) {
        path.push(part.value);
      }
      path = render(path, level);
    });
  }

  function scan(root) {
    root.querySelectorAll("select[data-region-picker]").forEach(picker);
  }

  if (window.htmx) {
    window.htmx.onLoad(scan);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      scan(document);
    });
  }
})();
