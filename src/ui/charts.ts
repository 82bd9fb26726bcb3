/**
 * The dashboard's charts and units, drawn as SVG with DOM calls (no library, no markup strings).
 * Like `client.ts`, `charts` runs in the page: it is sent as its own source text (`CHARTS_JS`),
 * defines `gatewayCharts` for the client script, and must not refer to anything outside its body.
 */

/** One line of a chart: a name and its values, one per bucket. */
export interface ChartLine {
  name: string;
  values: number[];
}

export interface Charts {
  /** Lines over time buckets (`from`, every `bucketMs`), with a y axis labelled by `format`. */
  lineChart(options: {
    title: string;
    lines: ChartLine[];
    from: number;
    bucketMs: number;
    format: (value: number) => string;
    empty: string;
  }): HTMLElement;
  /** A bar from 0 to `max` (a budget, a hit rate), coloured by how full it is when `warnAt`. */
  gauge(label: string, value: number, max: number, text: string, warnAt?: number): HTMLElement;
  /** Horizontal bars, one per row, scaled to the largest. */
  bars(rows: { label: string; value: number; text: string }[], empty: string): HTMLElement;
  duration(ms: number): string;
  bytes(count: number): string;
  count(value: number): string;
}

function charts(): Charts {
  const SVG = "http://www.w3.org/2000/svg";
  const WIDTH = 600;
  const HEIGHT = 150;
  const PAD = { left: 4, right: 4, top: 8, bottom: 4 };
  const SERIES = 6;

  function svg(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    return node;
  }

  function html(tag: string, text?: string, className?: string): HTMLElement {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function duration(ms: number): string {
    if (!Number.isFinite(ms)) return "";
    if (ms < 1) return `${ms.toFixed(2)} ms`;
    if (ms < 100) return `${Number(ms.toFixed(1))} ms`;
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
    if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
    if (ms < 86_400_000) {
      const minutes = Math.round((ms % 3_600_000) / 60_000);
      return `${Math.floor(ms / 3_600_000)} h${minutes ? ` ${minutes} min` : ""}`;
    }
    return `${Number((ms / 86_400_000).toFixed(1))} d`;
  }

  function bytes(count: number): string {
    if (count < 1000) return `${count} B`;
    const units = ["kB", "MB", "GB", "TB"];
    let value = count;
    let unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return `${Number(value.toFixed(value < 10 ? 1 : 0))} ${units[unit]}`;
  }

  function count(value: number): string {
    if (Math.abs(value) < 10_000) return value.toLocaleString();
    if (Math.abs(value) < 1e6) return `${Number((value / 1000).toFixed(1))}k`;
    return `${Number((value / 1e6).toFixed(1))}M`;
  }

  /** A round number at or above `value`, so the axis reads 0 / 5 / 10 rather than 0 / 7.3. */
  function niceMax(value: number): number {
    if (value <= 0) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
    return 10 * power;
  }

  function clock(at: number): string {
    return new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function lineChart(options: Parameters<Charts["lineChart"]>[0]): HTMLElement {
    const figure = html("figure", undefined, "chart");
    figure.append(html("figcaption", options.title));
    const buckets = options.lines[0]?.values.length ?? 0;
    const top = niceMax(Math.max(0, ...options.lines.flatMap((line) => line.values)));
    if (!buckets || top <= 0 || options.lines.every((l) => l.values.every((v) => v === 0))) {
      figure.append(html("p", options.empty, "muted empty"));
      return figure;
    }
    const plot = svg("svg", {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      preserveAspectRatio: "none",
      role: "img",
      "aria-label": `${options.title}: ${options.lines.map((l) => l.name).join(", ")}`,
    });
    const x = (i: number) =>
      PAD.left + (buckets === 1 ? 0 : (i * (WIDTH - PAD.left - PAD.right)) / (buckets - 1));
    const y = (v: number) => PAD.top + (1 - v / top) * (HEIGHT - PAD.top - PAD.bottom);
    for (const share of [0, 0.5, 1]) {
      const level = y(top * share);
      plot.append(svg("line", { x1: 0, x2: WIDTH, y1: level, y2: level, class: "grid" }));
    }
    options.lines.forEach((line, n) => {
      const points = line.values.map((value, i) => `${x(i).toFixed(1)},${y(value).toFixed(1)}`);
      plot.append(
        svg("polyline", { points: points.join(" "), class: `line series-${n % SERIES}` }),
      );
      line.values.forEach((value, i) => {
        if (value === 0) return;
        const dot = svg("circle", {
          cx: x(i).toFixed(1),
          cy: y(value).toFixed(1),
          r: 2.5,
          class: `point series-${n % SERIES}`,
          "data-value": value,
        });
        const title = svg("title");
        title.textContent = `${line.name} ${clock(options.from + i * options.bucketMs)}: ${options.format(value)}`;
        dot.append(title);
        plot.append(dot);
      });
    });
    const frame = html("div", undefined, "plot");
    const axis = html("div", undefined, "axis-y");
    axis.append(html("span", options.format(top)), html("span", "0"));
    frame.append(axis, plot);
    const times = html("div", undefined, "axis-x muted");
    const span = buckets * options.bucketMs;
    times.title = `${clock(options.from)} to ${clock(options.from + span)}`;
    times.append(html("span", `${duration(span)} ago`), html("span", "now"));
    const legend = html("ul", undefined, "legend");
    options.lines.forEach((line, n) => {
      const total = line.values.reduce((sum, value) => sum + value, 0);
      const item = html("li", undefined, `series-${n % SERIES}`);
      item.append(html("span", "", "swatch"), html("span", line.name));
      item.title = `${line.name}: ${options.format(total)} in all`;
      legend.append(item);
    });
    figure.append(frame, times, legend);
    return figure;
  }

  function gauge(label: string, value: number, max: number, text: string, warnAt = 0.8) {
    const share = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
    const level = !warnAt ? "ok" : share >= 1 ? "bad" : share >= warnAt ? "warn" : "ok";
    const row = html("div", undefined, `gauge gauge-${level}`);
    const bar = svg("svg", {
      viewBox: "0 0 100 8",
      preserveAspectRatio: "none",
      role: "meter",
      "aria-valuemin": 0,
      "aria-valuemax": max,
      "aria-valuenow": value,
      "aria-label": label,
    });
    bar.append(
      svg("rect", { x: 0, y: 0, width: 100, height: 8, rx: 2, class: "track" }),
      svg("rect", { x: 0, y: 0, width: (share * 100).toFixed(2), height: 8, rx: 2, class: "fill" }),
    );
    row.append(html("span", label, "gauge-label"), bar, html("span", text, "gauge-text"));
    return row;
  }

  function bars(rows: { label: string; value: number; text: string }[], empty: string) {
    const box = html("div", undefined, "bars");
    if (!rows.length) {
      box.append(html("p", empty, "muted empty"));
      return box;
    }
    const top = Math.max(1, ...rows.map((row) => Math.abs(row.value)));
    for (const row of rows) box.append(gauge(row.label, Math.abs(row.value), top, row.text, 0));
    return box;
  }

  return { lineChart, gauge, bars, duration, bytes, count };
}

/** The script `/ui/charts.js` serves: `gatewayCharts`, for `/ui/app.js` (loaded after it). */
export const CHARTS_JS = `"use strict";\nvar gatewayCharts = (${charts.toString()})();\n`;
