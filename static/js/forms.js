// Every form of the portal, in the page's language where the browser would speak its own.
//
// 1. The browser's validation messages ("Please fill out this field.") come in the language of
//    the browser, which on many office computers is English. On `invalid` each field gets our
//    message instead, written by the server in the page's language: base.html puts them on this
//    <script> element as data attributes (a script, not inline code: the CSP forbids that).
// 2. File inputs show "Choose File" / "No file chosen", again in the browser's language, and no
//    CSS changes that. The portal renders the input visually hidden (still focusable) inside a
//    .file-picker with a label drawn as a button and the file's name (includes/_file_picker.html);
//    this file writes the chosen name there.
(function () {
  "use strict";

  var script = document.currentScript;
  var text = script ? script.dataset : {};
  var language = document.documentElement.lang || undefined;

  function number(value) {
    var n = Number(value);
    return value !== "" && isFinite(n) ? n.toLocaleString(language) : value;
  }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function messageFor(field) {
    var v = field.validity;
    var type = field.type;
    // Before valueMissing: a number input holding "1e" has an empty value, and would be "missing".
    if (v.badInput) return type === "number" ? text.number : text.invalid;
    if (v.valueMissing) {
      if (type === "checkbox") return text.checkbox;
      if (type === "radio") return text.radio;
      if (type === "file") return text.file;
      if (field.tagName === "SELECT") return text.select;
      return text.required;
    }
    if (v.typeMismatch) return type === "email" ? text.email : type === "url" ? text.url : text.invalid;
    if (v.rangeUnderflow) return fill(text.min, { min: number(field.min) });
    if (v.rangeOverflow) return fill(text.max, { max: number(field.max) });
    if (v.stepMismatch) return Number(field.step) === 1 ? text.integer : fill(text.step, { step: number(field.step) });
    if (v.tooShort) return fill(text.minlength, { min: field.minLength, count: field.value.length });
    if (v.tooLong) return fill(text.maxlength, { max: field.maxLength, count: field.value.length });
    if (v.patternMismatch) return field.title ? text.pattern + " " + field.title : text.pattern;
    return text.invalid;
  }

  // Fields carrying one of our messages. Another script's own message (setCustomValidity) is left
  // alone: it knows more than "this field is wrong".
  var ours = new WeakSet();

  document.addEventListener("invalid", function (event) {
    var field = event.target;
    if (!field.setCustomValidity) return;
    if (field.validity.customError && !ours.has(field)) return;
    field.setCustomValidity("");
    if (field.validity.valid) return;
    var message = messageFor(field);
    if (!message) return;
    field.setCustomValidity(message);
    ours.add(field);
  }, true);

  function forget(event) {
    var field = event.target;
    if (ours.has(field)) {
      field.setCustomValidity("");  // checked afresh on the next submit
      ours.delete(field);
    }
  }
  document.addEventListener("input", forget, true);
  document.addEventListener("change", forget, true);

  function showChosen(input) {
    var picker = input.closest(".file-picker");
    var name = picker && picker.querySelector(".file-picker-name");
    if (!name) return;
    var names = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
    name.textContent = names.length ? names.join(", ") : name.dataset.none;
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(".file-picker-input")) showChosen(event.target);
  });
  document.addEventListener("reset", function (event) {
    // The form empties its fields after this event: look once it has.
    window.setTimeout(function () {
      event.target.querySelectorAll(".file-picker-input").forEach(showChosen);
    });
  });
  // A page restored from the back-forward cache keeps the files chosen before.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(".file-picker-input").forEach(showChosen);
  });
})();
