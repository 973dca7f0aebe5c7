/* The dashboard's requests-per-month chart (Chart.js), from the JSON the page embeds. */
(function () {
  "use strict";
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  new Chart(document.getElementById("months"), {
    type: "bar",
    data: {labels: d.labels, datasets: [{data: d.values, backgroundColor: "#dc3545aa"}]},
    options: {plugins: {legend: {display: false}}, animation: false}
  });
})();
