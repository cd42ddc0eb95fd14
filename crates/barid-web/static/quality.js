// Barid's quality charts, drawn with uPlot (vendored, see static/README.md). Pages that show
// charts load uPlot.min.css, uPlot.iife.min.js and this file in their `scripts` block; the
// page's numbers stay readable without JavaScript (the chart only adds a picture of them).
//
// Every element marked data-quality-chart="trend" or "distribution" is one chart. Its data is
// JSON, read from the first of:
//   - the element's data-chart attribute (survives htmx swaps: with allowScriptTags false,
//     htmx removes every <script> from swapped-in content, JSON ones included);
//   - the <script type="application/json"> whose id the element's data-source names;
//   - a <script type="application/json"> inside the element.
//
// trend:        {"labels": ["2026-01", ...], "met": [85.2, null, ...], "target": 85.0,
//                "series_label": "...", "target_label": "...", "links": [url or null, ...]}
// distribution: {"days": [0, 1, ...], "items": [12, 40, ...], "target_day": 5,
//                "series_label": "...", "target_label": "...", "links": [url or null, ...]}
//
// links is optional: clicking a month or a day goes to its URL (the items behind it). Only
// same-origin URLs are followed.
//
// uPlot lays its axes and legend out left to right and garbles them under dir="rtl", so the
// chart's element is made dir="ltr" (the x axis runs left to right in every language). Once
// drawn, the element gets data-rendered="true".
(function () {
  "use strict";

  var HEIGHT = 220;
  var MIN_WIDTH = 280;
  var FONT = "12px Barid, system-ui, sans-serif";
  var INK = "#3b4651";
  var GRID = "#e1e7ec";
  var BLUE = "#0a5c8a";
  var BLUE_FILL = "rgba(10, 92, 138, 0.35)";
  var RED = "#b42318";
  // The legend's first entry is the month or day under the cursor, shown without a label (an
  // empty one would make uPlot write "Value"; barid.css hides the colon after it).
  var X_LABEL = " ";

  // Whole-number steps only: the x values are indices or days, the y values of a
  // distribution are item counts.
  var WHOLE_STEPS = (function () {
    var steps = [];
    for (var magnitude = 1; magnitude <= 1e9; magnitude *= 10) {
      steps.push(magnitude, 2 * magnitude, 5 * magnitude);
    }
    return steps;
  })();

  function readData(el) {
    var text = el.getAttribute("data-chart");
    if (!text) {
      var source = el.getAttribute("data-source");
      var tag = source
        ? document.getElementById(source)
        : el.querySelector('script[type="application/json"]');
      text = tag ? tag.textContent : "";
    }
    if (!text) {
      return null;
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      if (window.console) {
        window.console.error("quality chart: bad JSON", error);
      }
      return null;
    }
  }

  function chartWidth(el) {
    return Math.max(MIN_WIDTH, Math.floor(el.clientWidth || 0));
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  function numbers(values) {
    return (Array.isArray(values) ? values : []).map(function (value) {
      return isNumber(value) ? value : null;
    });
  }

  function percent(value) {
    return isNumber(value) ? value.toFixed(1) + " %" : "–";
  }

  // The link to follow for data index idx, if it is one of this site's.
  function linkAt(links, idx) {
    if (!Array.isArray(links) || idx == null || typeof links[idx] !== "string") {
      return null;
    }
    try {
      var url = new URL(links[idx], window.location.href);
      return url.origin === window.location.origin ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function axis(values, extra) {
    var options = {
      stroke: INK,
      font: FONT,
      grid: { stroke: GRID, width: 1 },
      ticks: { stroke: GRID, width: 1 },
      values: values,
    };
    for (var key in extra) {
      options[key] = extra[key];
    }
    return options;
  }

  // The x scale holds indices (trend) or days (distribution): numbers, not times.
  function xScale(first, last) {
    return {
      time: false,
      range: function () {
        return [first - 0.5, last + 0.5];
      },
    };
  }

  function trendOptions(data) {
    var labels = Array.isArray(data.labels) ? data.labels.map(String) : [];
    var n = labels.length;
    var x = [];
    for (var i = 0; i < n; i++) {
      x.push(i);
    }
    var met = numbers(data.met).slice(0, n);
    while (met.length < n) {
      met.push(null);
    }
    var target = isNumber(data.target) ? data.target : null;
    var targets = x.map(function () {
      return target;
    });
    var options = {
      scales: {
        x: xScale(0, Math.max(n - 1, 0)),
        y: {
          range: function () {
            return [0, 100];
          },
        },
      },
      series: [
        {
          label: X_LABEL,
          value: function (u, value) {
            return value == null ? "" : labels[Math.round(value)] || "";
          },
        },
        {
          label: String(data.series_label || ""),
          stroke: BLUE,
          width: 2,
          spanGaps: false,
          points: { show: true, size: 6, fill: BLUE },
          value: function (u, value) {
            return percent(value);
          },
        },
        {
          label: String(data.target_label || ""),
          stroke: RED,
          width: 1.5,
          dash: [6, 4],
          points: { show: false },
          value: function (u, value) {
            return percent(value);
          },
        },
      ],
      axes: [
        axis(
          function (u, splits) {
            return splits.map(function (split) {
              return Number.isInteger(split) ? labels[split] || "" : "";
            });
          },
          { incrs: WHOLE_STEPS, space: 60 },
        ),
        axis(
          function (u, splits) {
            return splits.map(function (split) {
              return split + " %";
            });
          },
          { size: 56 },
        ),
      ],
    };
    return { options: options, data: [x, met, targets] };
  }

  function distributionOptions(data) {
    var days = numbers(data.days).filter(function (day) {
      return day !== null;
    });
    var n = days.length;
    var items = numbers(data.items).slice(0, n);
    while (items.length < n) {
      items.push(null);
    }
    var targetDay = isNumber(data.target_day) ? data.target_day : null;
    var paths = window.uPlot.paths || {};
    var barSeries = {
      label: String(data.series_label || ""),
      stroke: BLUE,
      fill: BLUE_FILL,
      width: 1,
      points: { show: false },
    };
    if (paths.bars) {
      barSeries.paths = paths.bars({ size: [0.8, 48], gap: 1 });
    } else if (paths.stepped) {
      barSeries.paths = paths.stepped({ align: 1 });
    }
    // The target day is a vertical marker drawn by the draw hook; this empty series only
    // puts it in the legend (and switching it off there hides the marker).
    var markerSeries = {
      label: String(data.target_label || ""),
      stroke: RED,
      width: 2,
      dash: [6, 4],
      points: { show: false },
      value: function () {
        return targetDay == null ? "–" : String(targetDay);
      },
    };
    var first = n ? Math.min.apply(null, days) : 0;
    var last = n ? Math.max.apply(null, days) : 0;
    var options = {
      scales: {
        x: xScale(first, last),
        y: {
          range: function (u, min, max) {
            return [0, isNumber(max) && max > 0 ? Math.ceil(max * 1.1) : 1];
          },
        },
      },
      series: [
        {
          label: X_LABEL,
          value: function (u, value) {
            return value == null ? "" : String(value);
          },
        },
        barSeries,
        markerSeries,
      ],
      axes: [
        axis(
          function (u, splits) {
            return splits.map(function (split) {
              return Number.isInteger(split) ? String(split) : "";
            });
          },
          { incrs: WHOLE_STEPS, space: 30 },
        ),
        axis(
          function (u, splits) {
            return splits.map(function (split) {
              return Number.isInteger(split) ? String(split) : "";
            });
          },
          { incrs: WHOLE_STEPS, size: 48 },
        ),
      ],
      hooks: {
        draw: [
          function (u) {
            if (targetDay == null || !u.series[2].show) {
              return;
            }
            var ratio = window.uPlot.pxRatio || window.devicePixelRatio || 1;
            var left = u.valToPos(targetDay, "x", true);
            var ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = RED;
            ctx.lineWidth = 2 * ratio;
            ctx.setLineDash([6 * ratio, 4 * ratio]);
            ctx.beginPath();
            ctx.moveTo(left, u.bbox.top);
            ctx.lineTo(left, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    return {
      options: options,
      data: [
        days,
        items,
        days.map(function () {
          return null;
        }),
      ],
    };
  }

  function render(el) {
    if (el.getAttribute("data-rendered") === "true" || !window.uPlot) {
      return;
    }
    var data = readData(el);
    if (!data) {
      return;
    }
    var kind = el.getAttribute("data-quality-chart");
    var built;
    if (kind === "trend") {
      built = trendOptions(data);
    } else if (kind === "distribution") {
      built = distributionOptions(data);
    } else {
      return;
    }
    el.setAttribute("dir", "ltr");
    el.classList.add("quality-chart");
    var options = built.options;
    options.width = chartWidth(el);
    options.height = HEIGHT;
    options.legend = { show: true, live: true };
    options.cursor = {
      drag: { x: false, y: false, setScale: false },
      points: { show: kind === "trend" },
      y: false,
    };
    var links = data.links;
    options.hooks = options.hooks || {};
    options.hooks.setCursor = [
      function (u) {
        u.over.style.cursor = linkAt(links, u.cursor.idx) ? "pointer" : "";
      },
    ];
    if (el.qualityPlot) {
      el.qualityPlot.destroy();
    }
    var plot = new window.uPlot(options, built.data, el);
    plot.over.addEventListener("click", function () {
      var url = linkAt(links, plot.cursor.idx);
      if (url) {
        window.location.assign(url);
      }
    });
    el.qualityPlot = plot;
    el.setAttribute("data-rendered", "true");
    if (observer) {
      observer.observe(el);
    }
  }

  function renderAll() {
    var charts = document.querySelectorAll("[data-quality-chart]");
    for (var i = 0; i < charts.length; i++) {
      try {
        render(charts[i]);
      } catch (error) {
        if (window.console) {
          window.console.error("quality chart", error);
        }
      }
    }
  }

  var resizeTimer = null;
  function resizeAll() {
    var charts = document.querySelectorAll('[data-quality-chart][data-rendered="true"]');
    for (var i = 0; i < charts.length; i++) {
      var el = charts[i];
      var plot = el.qualityPlot;
      var width = chartWidth(el);
      if (plot && plot.width !== width) {
        plot.setSize({ width: width, height: HEIGHT });
      }
    }
  }

  function resizeSoon() {
    if (resizeTimer !== null) {
      window.clearTimeout(resizeTimer);
    }
    resizeTimer = window.setTimeout(function () {
      resizeTimer = null;
      resizeAll();
    }, 150);
  }
  window.addEventListener("resize", resizeSoon);
  // A container can change width without the window doing so (a scroll bar appearing once
  // the charts make the page taller, a column reflowing).
  var observer = window.ResizeObserver ? new window.ResizeObserver(resizeSoon) : null;

  // A chart htmx swaps out lets go of uPlot's window listeners.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var el = event.target;
    if (el && el.qualityPlot) {
      el.qualityPlot.destroy();
      el.qualityPlot = null;
      if (observer) {
        observer.unobserve(el);
      }
    }
  });
  document.addEventListener("htmx:afterSettle", renderAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();
