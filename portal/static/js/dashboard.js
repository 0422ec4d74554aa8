// Draws the admin dashboard's three daily charts (Chart.js) from the JSON embedded in the page: the node
// itself and its largest children, one line each. No inline script (CSP); without JavaScript the page
// keeps its table of the same figures.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("dashboard-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = ["#c52f21", "#1d3a6b", "#14532d", "#8a5a00", "#6b2a7a", "#0f6b6b"];
  const labels = data.days.map((day) => day.slice(5));
  for (const [id, key] of [["chart-active", "active"], ["chart-steps", "steps"], ["chart-enrolled", "enrolled"]]) {
    const canvas = document.getElementById(id);
    if (!canvas) continue;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels,
        datasets: data.series.map((series, index) => ({
          label: series.name,
          data: series[key],
          borderColor: colours[index % colours.length],
          backgroundColor: colours[index % colours.length],
          borderWidth: index === 0 ? 3 : 1.5,
          pointRadius: 2,
          tension: 0,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
});
