// Draws the member's counted steps per day from the JSON embedded in the page (no inline script: CSP).
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("trend-chart");
  const source = document.getElementById("trend-data");
  if (!canvas || !source || typeof window.Chart === "undefined") return;
  const days = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: days.map((d) => d.day.slice(5)),
      datasets: [{ data: days.map((d) => d.steps), backgroundColor: "#c52f21" }],
    },
    options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
  });
});
