/**
 * The dashboard's views drawn with charts: traffic per backend, tokens saved, search hit rate,
 * budgets, and the search explained. Like `client.ts`, `views` runs in the page: it is sent as
 * its own source text (`VIEWS_JS`), gets the client's helpers as an argument, and must not
 * refer to anything outside its body.
 */
import type { BackendSeries, SeriesAnswer } from "../observe/timeseries.ts";
import type { Explanation } from "../search/index.ts";
import type { Charts } from "./charts.ts";
import type { CostView, SearchQuality } from "./client.ts";

interface SavingsView {
  window: string;
  note?: string;
  callers: { caller: string; lists: number; saved: number | null; flatTools?: number }[];
}

interface ExplainView {
  matches: {
    rank: number;
    server: string;
    tool: string;
    description: string;
    score: number;
    why: Explanation;
  }[];
}

/** What the views need of the client: its DOM and fetch helpers. */
export interface ViewHelpers {
  $: (selector: string) => HTMLElement;
  el: (tag: string, text?: string | number, attrs?: Record<string, string>) => HTMLElement;
  row: (cells: (string | number | HTMLElement)[], numeric?: number[]) => HTMLElement;
  fill: (selector: string, rows: HTMLElement[], empty: string, columns: number) => void;
  get: <T>(path: string) => Promise<T>;
}

export interface Views {
  loadCharts(): Promise<void>;
  loadSavings(): Promise<void>;
  renderHitRate(quality: SearchQuality): void;
  renderBudgets(costs: CostView): void;
  explain(): Promise<void>;
}

function views({ $, el, row, fill, get }: ViewHelpers): Views {
  const C = (globalThis as unknown as { gatewayCharts: Charts }).gatewayCharts;
  /** Six colours, six lines: the busiest backends (an answer is sorted by calls). */
  const CHART_LINES = 6;

  async function loadCharts(): Promise<void> {
    const window = ($("#chart-window") as HTMLSelectElement).value;
    const answer = await get<SeriesAnswer>(`/api/charts?window=${window}`);
    const span = window === "1h" ? "the last hour" : "the last day";
    const shown = answer.backends.slice(0, CHART_LINES);
    const lines = (value: (point: BackendSeries["points"][number]) => number) =>
      shown.map((backend) => ({
        name: backend.server,
        values: backend.points.map(value),
      }));
    const empty = `No calls in ${span}.`;
    const per = answer.bucketMs === 60_000 ? "minute" : C.duration(answer.bucketMs);
    const notes = [`per ${per}`];
    if (answer.backends.length > shown.length) {
      notes.push(`the ${shown.length} busiest of ${answer.backends.length} backends`);
    }
    if (answer.since > answer.from) {
      notes.push(`calls known since ${new Date(answer.since).toLocaleString()}`);
    }
    $("#chart-note").textContent = `(${notes.join("; ")})`;
    $("#charts").replaceChildren(
      C.lineChart({
        title: "Calls",
        lines: lines((p) => p.calls),
        from: answer.from,
        bucketMs: answer.bucketMs,
        format: C.count,
        empty,
      }),
      C.lineChart({
        title: "Errors",
        lines: lines((p) => p.errors),
        from: answer.from,
        bucketMs: answer.bucketMs,
        format: C.count,
        empty: answer.backends.length ? `No errors in ${span}.` : empty,
      }),
      C.lineChart({
        title: "Latency p50",
        lines: lines((p) => p.p50),
        from: answer.from,
        bucketMs: answer.bucketMs,
        format: C.duration,
        empty,
      }),
      C.lineChart({
        title: "Latency p99",
        lines: lines((p) => p.p99),
        from: answer.from,
        bucketMs: answer.bucketMs,
        format: C.duration,
        empty,
      }),
    );
  }

  async function loadSavings(): Promise<void> {
    const answer = await get<SavingsView>("/api/savings?window=24h");
    const rows = answer.callers.map((entry) => ({
      label: entry.caller,
      value: entry.saved ?? 0,
      text:
        entry.saved === null
          ? `${entry.lists} lists (scopes unknown here)`
          : `${C.count(entry.saved)} tokens over ${entry.lists} list${entry.lists === 1 ? "" : "s"}`,
    }));
    $("#savings-body").replaceChildren(
      C.bars(rows, answer.note ?? "No client was sent the meta tools' list in the last 24 hours."),
    );
  }

  function renderHitRate(quality: SearchQuality): void {
    const report = quality.report;
    const body = $("#hit-rate-body");
    if (!quality.enabled) {
      body.replaceChildren(
        el("p", "search.feedback is off: searches are not recorded.", { class: "muted" }),
      );
      return;
    }
    if (!report || report.choices === 0) {
      body.replaceChildren(
        el("p", "No searches recorded yet: a search followed by a successful call is recorded.", {
          class: "muted empty",
        }),
      );
      return;
    }
    const pct = (share: number) => `${(100 * share).toFixed(0)}%`;
    body.replaceChildren(
      C.gauge("found first", report.hit1, 1, pct(report.hit1), 0),
      C.gauge("in the top 5", report.hit5, 1, pct(report.hit5), 0),
      el("p", `${report.choices} recorded searches, replayed with today's index.`, {
        class: "muted",
      }),
    );
  }

  function renderBudgets(costs: CostView): void {
    const body = $("#budgets-body");
    if (!costs.enabled) {
      body.replaceChildren(
        el("p", "cost_governance is off: no budgets (calls are still counted).", {
          class: "muted",
        }),
      );
      return;
    }
    const gauges = (costs.budgets ?? []).map((budget) =>
      C.gauge(
        budget.budget,
        budget.spent,
        budget.limit,
        `${budget.spent} / ${budget.limit} ${costs.currency} (${budget.percent}%)`,
      ),
    );
    body.replaceChildren(
      ...(gauges.length ? gauges : [el("p", "No budgets configured.", { class: "muted" })]),
    );
  }

  async function explain(): Promise<void> {
    const query = ($("#explain-query") as HTMLInputElement).value.trim();
    if (!query) return;
    const params = new URLSearchParams({ q: query });
    const server = ($("#explain-server") as HTMLSelectElement).value;
    if (server) params.set("server", server);
    const { matches } = await get<ExplainView>(`/api/explain?${params}`);
    const rows = matches.map((match) =>
      row(
        [
          match.rank,
          el("span", `${match.server}:${match.tool}`, { class: "tool-name" }),
          match.score,
          whyList(match.why),
        ],
        [0, 2],
      ),
    );
    fill("#explain", rows, "No tool matches: a model would be told so.", 4);
  }

  /** Which words matched in which fields, then the factors: the ranker's own account. */
  function whyList(why: Explanation): HTMLElement {
    const list = el("ul", undefined, { class: "why" });
    for (const word of why.words) {
      const text = !word.term
        ? `"${word.word}": no match`
        : // A stem ("messag" for "message") is the word itself; a synonym or a repair is named.
          `"${word.word}"${word.word.toLowerCase().startsWith(word.term) ? "" : ` as "${word.term}"`} in ${word.fields.join(", ")}` +
          `${word.weight < 1 ? ` (weight ${word.weight})` : ""}: ${word.score.toFixed(2)}`;
      list.append(el("li", text));
    }
    if (why.base === 0) {
      // Hybrid search ranks by meaning too: a match with none of the words came from there.
      list.append(el("li", "found by meaning (search embeddings), not by its words"));
      return list;
    }
    const factors = [`covers ${Math.round(why.coverage * 100)}% of the words`];
    if (why.lift !== 1) factors.push(`name and verb signals ×${why.lift.toFixed(2)}`);
    if (why.usage !== 1) factors.push(`your earlier calls ×${why.usage.toFixed(2)}`);
    if (why.learned !== 1) factors.push(`learned from your searches ×${why.learned.toFixed(2)}`);
    list.append(el("li", factors.join("; "), { class: "muted" }));
    return list;
  }

  return { loadCharts, loadSavings, renderHitRate, renderBudgets, explain };
}

/** The script `/ui/views.js` serves: `gatewayViews`, called by `/ui/app.js` with its helpers. */
export const VIEWS_JS = `"use strict";\nvar gatewayViews = ${views.toString()};\n`;
