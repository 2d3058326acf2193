/* Drafts kept on the device for field forms (a form with data-draft="<key>"): what was typed survives a
 * lost connection or a closed tab, and a form sent while offline goes out when the network is back.
 *
 * - Every change is saved in localStorage under the form's key, with the form's client id (a hidden
 *   field marked data-client-id, made here once per form). The server treats a second submission with
 *   the same id as the first one, so a resent form never makes a second record.
 * - A page that confirms a saved record lists the ids it is done with in data-drafts-done; those drafts
 *   are removed there.
 * - Files cannot be kept: the draft keeps their names so the user is told which photos to choose again.
 * - A page re-shown by the server with errors (data-draft-bound) keeps what the server sent.
 */
(function () {
  "use strict";

  var PREFIX = "qingyuan.draft.";
  var TEXT = {
    restored: "已恢复未提交的草稿",
    offline: "网络中断，草稿已保存在本机，恢复网络后可再次提交",
    sending: "网络已恢复，正在重新提交……",
    files: "照片未能保存在本机，请重新选择：",
  };

  function storage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; // private mode or storage full: the form still works, without drafts
    }
  }

  var store = storage();

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context; getRandomValues does not (a plain-http intranet address).
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function load(key) {
    if (!store) return null;
    try {
      return JSON.parse(store.getItem(PREFIX + key) || "null");
    } catch (e) {
      return null;
    }
  }

  function save(key, draft) {
    if (!store) return;
    try {
      store.setItem(PREFIX + key, JSON.stringify(draft));
    } catch (e) {
      /* storage full: nothing more can be kept */
    }
  }

  function remove(key) {
    if (store) store.removeItem(PREFIX + key);
  }

  function forgetDone() {
    if (!store) return;
    var done = [];
    document.querySelectorAll("[data-drafts-done]").forEach(function (el) {
      done = done.concat((el.getAttribute("data-drafts-done") || "").split(/\s+/).filter(Boolean));
    });
    if (!done.length) return;
    for (var i = store.length - 1; i >= 0; i--) {
      var name = store.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        var draft = load(name.slice(PREFIX.length));
        if (draft && done.indexOf(draft.clientId) !== -1) store.removeItem(name);
      }
    }
  }

  function skipped(el) {
    return !el.name || el.disabled || el.name === "csrfmiddlewaretoken" || el.type === "submit" || el.type === "button";
  }

  function collect(form) {
    var fields = {};
    var files = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (skipped(el)) return;
      if (el.type === "file") {
        Array.prototype.forEach.call(el.files || [], function (f) {
          files.push(f.name);
        });
        return;
      }
      if (el.type === "hidden" && !el.hasAttribute("data-client-id")) return;
      var values = fields[el.name] || (fields[el.name] = []);
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values.push(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) {
          values.push(o.value);
        });
      } else {
        values.push(el.value);
      }
    });
    return { fields: fields, files: files };
  }

  function restore(form, fields) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (skipped(el) || el.type === "file" || !(el.name in fields)) return;
      if (el.type === "hidden" && !el.hasAttribute("data-client-id")) return;
      var values = fields[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = values.indexOf(o.value) !== -1;
        });
      } else {
        var index = seen[el.name] || 0;
        seen[el.name] = index + 1;
        if (index < values.length) el.value = values[index];
      }
    });
  }

  function noteFor(form) {
    var note = form.previousElementSibling;
    if (note && note.hasAttribute("data-draft-note")) return note;
    note = document.createElement("div");
    note.className = "alert alert-warning";
    note.setAttribute("role", "status");
    note.setAttribute("data-draft-note", "");
    var text = document.createElement("span");
    text.setAttribute("data-draft-text", "");
    note.appendChild(text);
    form.parentNode.insertBefore(note, form);
    return note;
  }

  function show(form, lines) {
    var note = noteFor(form);
    var text = note.querySelector("[data-draft-text]") || note;
    text.textContent = "";
    lines.forEach(function (line, i) {
      var div = document.createElement("div");
      if (i === 0) div.className = "fw-semibold";
      div.textContent = line;
      text.appendChild(div);
    });
    note.hidden = false;
  }

  function hide(form) {
    var note = noteFor(form);
    note.hidden = true;
  }

  function setup(form) {
    var key = form.getAttribute("data-draft");
    var idField = form.querySelector("[data-client-id]");
    var bound = form.hasAttribute("data-draft-bound");
    var draft = load(key);
    var waiting = false; // this page held back a submission while offline

    if (draft && !bound) {
      restore(form, draft.fields || {});
      var lines = [TEXT.restored];
      if (draft.pending) lines.push(TEXT.offline);
      if (draft.files && draft.files.length) lines.push(TEXT.files + draft.files.join("、"));
      show(form, lines);
    }
    if (idField && !idField.value) idField.value = (draft && draft.clientId) || newId();

    function keep(pending) {
      var state = collect(form);
      var previous = load(key) || {};
      save(key, {
        clientId: idField ? idField.value : previous.clientId || "",
        savedAt: Date.now(),
        pending: pending === undefined ? !!previous.pending : pending,
        fields: state.fields,
        files: state.files.length ? state.files : previous.files || [],
      });
    }

    form.addEventListener("input", function () {
      keep();
    });
    form.addEventListener("change", function () {
      keep();
    });
    form.addEventListener("submit", function (event) {
      // Kept until a page confirms the record: the request may still be lost on its way.
      keep(true);
      if (navigator.onLine === false) {
        event.preventDefault();
        waiting = true;
        show(form, [TEXT.offline]);
      }
    });
    window.addEventListener("online", function () {
      if (!waiting) return;
      waiting = false;
      show(form, [TEXT.sending]);
      form.submit();
    });

    var discard = noteFor(form).querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        remove(key);
        waiting = false;
        form.reset();
        if (idField) idField.value = newId();
        form.querySelectorAll("[data-file-names]").forEach(function (el) {
          el.textContent = "未选择文件";
        });
        hide(form);
      });
    }
  }

  function start() {
    forgetDone();
    document.querySelectorAll("form[data-draft]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
