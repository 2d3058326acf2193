/* The dashboard's charts (工作看板). The figures come from the page's json_script block
 * (#dashboard-data), never from inline script, so a Content-Security-Policy without
 * 'unsafe-inline' holds. Every chart has a data table under it; clicking a bar or slice opens the
 * list behind the number where the page provides one. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof window.echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var COLOURS = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#ffc107", "#0dcaf0"];
  // One colour per kind of record in every chart, whatever order a chart lists them in.
  var KIND_COLOURS = { "线索": "#0d6efd", "案件": "#dc3545", "检查": "#198754" };
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  function base() {
    return {
      color: COLOURS,
      textStyle: { fontFamily: FONT },
      // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style attributes, which the
      // Content-Security-Policy (style-src 'self') refuses.
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      animation: false
    };
  }

  function seriesOf(spec, type) {
    return spec.series.map(function (s) {
      return { name: s.name, type: type, data: s.data, urls: s.urls, color: KIND_COLOURS[s.name] };
    });
  }

  var BUILDERS = {
    monthly: function (spec) {
      var option = base();
      option.legend = { top: 0 };
      option.xAxis = { type: "category", data: spec.labels };
      option.yAxis = { type: "value", minInterval: 1 };
      option.series = seriesOf(spec, "bar").map(function (s, i) {
        // Leads as a line over the cases and inspections bars: the two kinds read apart at a glance.
        return i === 0 ? Object.assign(s, { type: "line", smooth: false, symbolSize: 6 }) : s;
      });
      return option;
    },
    regions: function (spec) {
      var option = base();
      option.legend = { top: 0 };
      // Highest first from the top: ECharts draws category axes bottom-up, so the order is reversed.
      var labels = spec.labels.slice().reverse();
      option.yAxis = { type: "category", data: labels };
      option.xAxis = { type: "value", minInterval: 1 };
      option.series = spec.series.map(function (s) {
        return {
          name: s.name,
          type: "bar",
          color: KIND_COLOURS[s.name],
          data: s.data.slice().reverse(),
          urls: s.urls.slice().reverse()
        };
      });
      return option;
    },
    categories: function (spec) {
      var option = base();
      var labels = spec.labels.slice().reverse();
      option.yAxis = { type: "category", data: labels };
      option.xAxis = { type: "value", minInterval: 1 };
      option.series = [{ name: "线索", type: "bar", data: spec.data.slice().reverse(), urls: spec.urls.slice().reverse() }];
      return option;
    },
    institutions: function (spec, element) {
      var option = base();
      option.tooltip = { trigger: "item", formatter: "{b}：{c}（{d}%）", renderMode: "richText" };
      option.legend = { bottom: 0 };
      var slices = [];
      var urls = [];
      spec.labels.forEach(function (label, i) {
        // Empty types would only crowd the ring with "0" labels; the table lists them all.
        if (spec.data[i]) {
          slices.push({ name: label, value: spec.data[i] });
          urls.push(spec.urls ? spec.urls[i] : "");
        }
      });
      option.series = [{
        name: "立案",
        type: "pie",
        radius: ["35%", "65%"],
        // On a phone the legend names the slices; labels around the ring would not fit.
        label: { show: element.clientWidth > 480, formatter: "{b} {c}" },
        data: slices,
        urls: urls // indexed like the slices drawn, not like spec.labels
      }];
      return option;
    }
  };

  function heightFor(name, spec) {
    if (name === "regions") {
      return Math.max(240, 26 * spec.labels.length * spec.series.length / 2 + 80);
    }
    if (name === "categories") {
      return Math.max(240, 28 * spec.labels.length + 40);
    }
    return 300;
  }

  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var name = element.getAttribute("data-chart");
    var spec = data[name];
    var build = BUILDERS[name];
    if (!spec || !build) {
      return;
    }
    element.style.height = heightFor(name, spec) + "px";
    element.style.width = "100%";
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var option = build(spec, element);
    chart.setOption(option);
    chart.on("click", function (params) {
      var series = option.series[params.seriesIndex];
      var url = series && series.urls ? series.urls[params.dataIndex] : "";
      if (url) {
        window.location.href = url;
      }
    });
    element.setAttribute("data-chart-ready", "true");
    charts.push(chart);
  });

  // Redraw when a chart's own box changes (window narrowed, sidebar shown), not only on the
  // window's resize event.
  if (typeof window.ResizeObserver !== "undefined") {
    var observer = new window.ResizeObserver(function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
    document.querySelectorAll("[data-chart-ready]").forEach(function (element) { observer.observe(element); });
  } else {
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }
})();
