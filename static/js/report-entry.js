// Report entry: show the percentage of each ratio as the officer types (decimal comma), and say
// at once what the server would refuse on saving (numerator over denominator, a negative
// figure, "1.234" that could be a thousand or a decimal) — the words come from the page, in
// the interface's language (the form's data-msg-* attributes).
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) return;
  var AMBIGUOUS = "ambiguous";
  function parse(text) {
    var s = (text || "").trim().replace(/\s/g, "");
    if (!s) return null;
    if (s.indexOf(",") >= 0) {
      var whole = s.slice(0, s.lastIndexOf(","));
      if (whole.indexOf(",") >= 0) return NaN;
      s = whole.replace(/\./g, "") + "." + s.slice(s.lastIndexOf(",") + 1);
    } else if ((s.match(/\./g) || []).length > 1) {
      s = s.replace(/\./g, "");
    } else if (/^[+-]?[1-9][0-9]*\.[0-9]{3}$/.test(s)) {
      return AMBIGUOUS; // "1.234": the server refuses it too (parc/lib/numbers.py)
    }
    var n = Number(s);
    return isFinite(n) ? n : NaN;
  }
  function format(n) {
    return n.toFixed(2).replace(".", ",");
  }
  function problem(values) {
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v === AMBIGUOUS) return form.dataset.msgAmbiguous;
      if (typeof v === "number" && isNaN(v)) return form.dataset.msgNan;
      if (typeof v === "number" && v < 0) return form.dataset.msgNegative;
    }
    return "";
  }
  function mark(input, bad) {
    if (bad) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  function update(row) {
    var num = row.querySelector('[data-role="numerator"]');
    var den = row.querySelector('[data-role="denominator"]');
    var out = row.querySelector('[data-role="percent"]');
    var hint = row.querySelector('[data-role="hint"]');
    if (!num || !den || !out) return;
    var n = parse(num.value), d = parse(den.value);
    var message = problem([n, d]);
    if (!message && typeof n === "number" && typeof d === "number" && n > d) message = form.dataset.msgOver;
    mark(num, !!message);
    mark(den, !!message && !(typeof n === "number" && typeof d === "number" && n > d));
    if (hint) hint.textContent = message || "";
    if (message || n === null || d === null || d === 0) { out.textContent = "—"; return; }
    out.textContent = format((n / d) * 100);
  }
  form.querySelectorAll('.entry-row[data-kind="ratio"]').forEach(function (row) {
    row.addEventListener("input", function () { update(row); });
  });
  // "Không phát sinh": the row's figures are set aside (disabled: not sent, not lost) while the
  // box is ticked; unticked, they are back as typed. Without JavaScript the server says that a
  // row cannot have both.
  function setAside(box) {
    var row = box.closest(".entry-row");
    row.querySelectorAll('input[name^="n_"], input[name^="d_"], input[name^="v_"]').forEach(function (input) {
      input.disabled = box.checked;
    });
    var out = row.querySelector('[data-role="percent"]');
    if (out && box.checked) out.textContent = "—";
    else if (!box.checked) update(row);
  }
  form.querySelectorAll('[data-role="not-occurred"]').forEach(function (box) {
    if (box.disabled) return;
    if (box.checked) setAside(box);
    box.addEventListener("change", function () { setAside(box); });
  });
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus(); // after a refused save, a screen reader starts at the list
})();
