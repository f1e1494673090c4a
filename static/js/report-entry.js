// Report entry: show the percentage of each ratio as the officer types (decimal comma).
(function () {
  "use strict";
  function parse(text) {
    var s = (text || "").trim().replace(/\s/g, "");
    if (!s) return null;
    if (s.indexOf(",") >= 0) s = s.replace(/\./g, "").replace(",", ".");
    else if ((s.match(/\./g) || []).length > 1) s = s.replace(/\./g, "");
    var n = Number(s);
    return isFinite(n) ? n : NaN;
  }
  function format(n) {
    return n.toFixed(2).replace(".", ",");
  }
  function update(row) {
    var num = row.querySelector('[data-role="numerator"]');
    var den = row.querySelector('[data-role="denominator"]');
    var out = row.querySelector('[data-role="percent"]');
    if (!num || !den || !out) return;
    var n = parse(num.value), d = parse(den.value);
    if (n === null || d === null || isNaN(n) || isNaN(d) || d === 0) { out.textContent = "—"; return; }
    out.textContent = format((n / d) * 100);
  }
  document.querySelectorAll('.entry-row[data-kind="ratio"]').forEach(function (row) {
    row.addEventListener("input", function () { update(row); });
  });
})();
