/* The dashboard (evaluation/dashboards.py): draws its charts with the portal's own copy of Chart.js
   from the JSON the page embeds (id "dashboard-charts"; every label already translated), and follows
   an evaluation run: polls its JSON status every second, moves the progress bar, and when the run
   has succeeded shows 100 % and reloads the dashboard with the new values. Each chart's numbers are
   also in a table under it (the accessible fallback, and what remains without JavaScript). */
(function () {
  "use strict";

  var FONT = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", ' +
    '"Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';

  function formatter(unit) {
    return function (value) {
      if (value === null || value === undefined) return "—";
      if (unit === "ratio") return value + " %";
      if (unit === "cny") return "¥" + Number(value).toLocaleString();
      if (unit === "count") return Number(value).toLocaleString();
      return value;
    };
  }

  function draw(canvas, spec) {
    var horizontal = spec.kind === "hbar";
    var format = formatter(spec.unit);
    var datasets = spec.datasets.map(function (d) {
      var set = {label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.colors || d.color,
                 maxBarThickness: 64};
      if (spec.kind === "line") {
        set.backgroundColor = d.color;
        set.tension = 0;
        set.pointRadius = d.dashed ? 0 : 4;
        set.borderWidth = d.dashed ? 2 : 3;
        set.spanGaps = true;
        if (d.dashed) set.borderDash = [6, 4];
      }
      return set;
    });
    var valueAxis = {beginAtZero: true, ticks: {callback: function (v) { return format(v); }}};
    if (spec.unit === "count") valueAxis.ticks.precision = 0;
    var categoryAxis = {title: {display: !!spec.category, text: spec.category}, ticks: {autoSkip: !horizontal}};
    return new window.Chart(canvas, {
      type: spec.kind === "line" ? "line" : "bar",
      data: {labels: spec.labels, datasets: datasets},
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        scales: horizontal ? {x: valueAxis, y: categoryAxis} : {x: categoryAxis, y: valueAxis},
        plugins: {
          legend: {display: datasets.length > 1, position: "bottom",
                   labels: spec.kind === "line" ? {boxWidth: 28, boxHeight: 3} : {}},
          tooltip: {callbacks: {title: function (items) {
            return items.length ? spec.names[items[0].dataIndex] : "";
          }, label: function (item) {
            return item.dataset.label + ": " + format(horizontal ? item.parsed.x : item.parsed.y);
          }}}
        }
      }
    });
  }

  function charts() {
    var data = document.getElementById("dashboard-charts");
    if (!data || !window.Chart) return;
    var specs = JSON.parse(data.textContent).charts || [];
    window.Chart.defaults.font.family = FONT;
    window.Chart.defaults.color = "#1c2733";
    specs.forEach(function (spec) {
      var canvas = document.querySelector('canvas[data-chart="' + spec.id + '"]');
      if (canvas) draw(canvas, spec);
    });
  }

  function progress(box) {
    var url = box.dataset.runStatus;
    var bar = box.querySelector("[data-run-bar]");
    var percent = box.querySelector("[data-run-percent]");
    var label = box.querySelector("[data-run-label]");
    var text = box.querySelector("[data-run-text]");
    function show(status) {
      bar.value = status.progress;
      bar.textContent = status.progress + " %";
      percent.textContent = status.progress + " %";
      label.textContent = status.label;
      var template = box.dataset["text" + status.status.charAt(0).toUpperCase() + status.status.slice(1)];
      if (template) text.textContent = template.replace("{step}", status.step || "");
    }
    function tick() {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin", cache: "no-store"})
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (status) {
          show(status);
          if (status.status === "succeeded") {
            window.setTimeout(function () { window.location.replace(box.dataset.runDone); }, 1500);
          } else if (!status.finished) {
            window.setTimeout(tick, 1000);
          }
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }

  function autosubmit(form) {
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () { form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    charts();
    document.querySelectorAll("[data-run-status]").forEach(progress);
    document.querySelectorAll("form[data-autosubmit]").forEach(autosubmit);
  });
})();
