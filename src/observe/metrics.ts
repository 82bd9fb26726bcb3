/**
 * A small metrics registry that renders the Prometheus text exposition format (0.0.4):
 * counters, gauges and histograms with labels. Enough for `/metrics`, and nothing a client
 * library would add (no summaries, no exemplars, no push).
 */

export type Labels = Record<string, string>;
type Kind = "counter" | "gauge" | "histogram";

interface Series {
  labels: Labels;
  /** The labels as rendered, without braces (`server="a",tool="b"`), made once. */
  text: string;
  value: number;
  /** Histograms: cumulative counts per bucket bound, then the sum. */
  buckets?: number[];
  sum?: number;
}

interface Family {
  name: string;
  help: string;
  kind: Kind;
  bounds: number[];
  /** `le="0.005"` for each bound, made once. */
  les: string[];
  series: Map<string, Series>;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

export interface Gauge {
  set(labels: Labels, value: number): void;
  /** Forgets every series (a collector that re-sets all of them on each scrape). */
  reset(): void;
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
}

/** Latency bounds in seconds: 5 ms to 2 min, roughly ×2.5 apart. */
export const LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly collectors: (() => void)[] = [];

  counter(name: string, help: string): Counter {
    const family = this.family(name, help, "counter");
    return {
      inc: (labels = {}, by = 1) => {
        this.series(family, labels).value += by;
      },
    };
  }

  gauge(name: string, help: string): Gauge {
    const family = this.family(name, help, "gauge");
    return {
      set: (labels, value) => {
        this.series(family, labels).value = value;
      },
      reset: () => family.series.clear(),
    };
  }

  histogram(name: string, help: string, bounds: number[] = LATENCY_BUCKETS): Histogram {
    const family = this.family(name, help, "histogram", bounds);
    return {
      observe: (labels, value) => {
        const series = this.series(family, labels);
        series.value += 1;
        series.sum = (series.sum ?? 0) + value;
        series.buckets ??= bounds.map(() => 0);
        const buckets = series.buckets;
        for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) buckets[i]!++;
      },
    };
  }

  /** Runs before each render: for values read at scrape time (breaker state, sessions). */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  /** The exposition text; with `keep`, only the series whose labels it keeps. */
  render(keep?: (labels: Labels) => boolean): string {
    for (const collect of this.collectors) collect();
    const lines: string[] = [];
    for (const family of this.families.values()) {
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
      lines.push(`# TYPE ${family.name} ${family.kind}`);
      for (const series of family.series.values()) {
        if (keep && !keep(series.labels)) continue;
        const braced = series.text ? `{${series.text}}` : "";
        if (family.kind !== "histogram") {
          lines.push(`${family.name}${braced} ${number(series.value)}`);
          continue;
        }
        const bucket = `${family.name}_bucket{${series.text}${series.text ? "," : ""}`;
        for (let i = 0; i < family.les.length; i++) {
          lines.push(`${bucket}${family.les[i]}} ${series.buckets?.[i] ?? 0}`);
        }
        lines.push(`${bucket}le="+Inf"} ${series.value}`);
        lines.push(`${family.name}_sum${braced} ${number(series.sum ?? 0)}`);
        lines.push(`${family.name}_count${braced} ${series.value}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }

  private family(name: string, help: string, kind: Kind, bounds: number[] = []): Family {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
    if (this.families.has(name)) throw new Error(`metric ${name} is registered twice`);
    const les = bounds.map((bound) => `le="${number(bound)}"`);
    const family: Family = { name, help, kind, bounds, les, series: new Map() };
    this.families.set(name, family);
    return family;
  }

  private series(family: Family, labels: Labels): Series {
    const key = JSON.stringify(labels);
    let series = family.series.get(key);
    if (!series) {
      series = { labels, text: labelText(labels), value: 0 };
      family.series.set(key, series);
    }
    return series;
  }
}

function labelText(labels: Labels): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
    .join(",");
}

/** Label values escape backslash, double quote and newline (the exposition format's rules). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
