// Dashboard: a small trend line (value and target over the last 8 quarters) in each card.
(function () {
  "use strict";
  var source = document.getElementById("trend-data");
  if (!source || typeof Chart === "undefined") return;
  var series = JSON.parse(source.textContent);
  var byCode = {};
  series.forEach(function (s) { byCode[s.code] = s; });
  document.querySelectorAll("canvas.sparkline").forEach(function (canvas) {
    var s = byCode[canvas.dataset.code];
    if (!s) return;
    new Chart(canvas, {
      type: "line",  // tooltips say the figures as the page writes them (texts, from the server)
      data: {
        labels: s.labels,
        datasets: [
          { label: "Kết quả", data: s.values, borderColor: "#8a1c1c", backgroundColor: "#8a1c1c", spanGaps: true, pointRadius: 2, tension: 0.2 },
          { label: "Chỉ tiêu", data: s.targets, borderColor: "#6c757d", borderDash: [4, 3], pointRadius: 0, stepped: true }
        ]
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + s.texts[c.datasetIndex][c.dataIndex]; } } } },
        scales: { x: { display: false }, y: { display: false } }
      }
    });
  });
})();
