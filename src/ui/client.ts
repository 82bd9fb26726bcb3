/**
 * The dashboard's browser script. `dashboard` runs in the page, not here: it is sent as its own
 * source text (`CLIENT_JS`), so it must not refer to anything outside its body. Every value from
 * the gateway is written with `textContent`, never as HTML: tool descriptions are untrusted.
 */
import type { RecentCall as Call } from "../observe/observer.ts";
import type { ToolUsage as Usage } from "../observe/usage.ts";
import type { FeedbackReport } from "../search/evaluate.ts";
import type { Charts } from "./charts.ts";
import type { Views } from "./views.ts";

interface Backend {
  name: string;
  transport: string;
  state: string;
  tools: number;
  error?: string;
  description?: string;
  breaker: string;
  calls: number;
  errors: number;
  /** Killed, or disabled by its error budget: an admin can revive it. */
  disabled?: boolean;
}

interface Status {
  version: string;
  status: string;
  uptimeSeconds: number;
  tools: number;
  sessions: number;
  /** Sessions per tool surface (meta, flat). */
  surfaces?: Record<string, unknown[]>;
  auth: boolean;
  caller: { id: string; admin: boolean };
  backends: Backend[];
}

interface ToolView {
  server: string;
  tool: string;
  title?: string;
  description: string;
  inputSchema: unknown;
  outputSchema?: unknown;
  annotations?: Record<string, unknown>;
  quarantined?: string;
  score?: number;
}

interface ToolStatView {
  server: string;
  tool: string;
  calls: number;
  errors: number;
  meanMs: number;
}

interface InsightsView {
  keys: {
    caller: string;
    byCalls: ToolStatView[];
    byErrors: ToolStatView[];
    byLatency: ToolStatView[];
  }[];
  emptySearches: { query: string; count: number; lastAt: number; callers: string[] }[];
  tokensSaved: { lists: number; metaTokens: number; flatTokens: number; saved: number };
}

interface WebhookView {
  uri: string;
  path: string;
  provider: string;
  deliveries: number;
  failures: number;
  lastFailure?: { at: string; status: number; reason: string };
}

export interface CostView {
  enabled: boolean;
  currency: string;
  budgets: { budget: string; limit: number; spent: number; percent: number; resetsAt: string }[];
  alerts: { at: number; message: string; action: string }[];
}

interface AuditView {
  at: number;
  kind: string;
  caller: string;
  server?: string;
  tool?: string;
  outcome: string;
  code?: string;
  latencyMs?: number;
  bytes?: number;
  cost?: number;
}

export interface SearchQuality {
  enabled: boolean;
  report: FeedbackReport | null;
}

function dashboard(): void {
  /** Polling fills in what the live feed does not carry; slower while the feed is up. */
  const POLL_MS = 3000;
  const POLL_LIVE_MS = 10_000;
  const LIVE_ROWS = 200;
  const TABS = ["overview", "activity", "tools-tab", "usage-tab", "security", "config"];
  const C = (globalThis as unknown as { gatewayCharts: Charts }).gatewayCharts;
  const $ = (selector: string) => document.querySelector(selector) as HTMLElement;
  let admin = false;
  let toolCount = -1;
  let query = "";
  let usage: Usage[] = [];
  let tab = "overview";
  let liveUp = false;
  let configShown = false;
  let auditAsked = 0;
  const expanded = new Set<string>();

  /** An element with text (never HTML) and attributes. */
  function el(
    tag: string,
    text?: string | number,
    attrs: Record<string, string> = {},
  ): HTMLElement {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    return node;
  }

  function row(cells: (string | number | HTMLElement)[], numeric: number[] = []): HTMLElement {
    const tr = el("tr");
    cells.forEach((cell, i) => {
      const td = el("td", undefined, numeric.includes(i) ? { class: "num" } : {});
      if (cell instanceof HTMLElement) td.append(cell);
      else td.textContent = String(cell);
      tr.append(td);
    });
    return tr;
  }

  function badge(state: string): HTMLElement {
    return el("span", state, { class: `badge state-${state}` });
  }

  function fill(selector: string, rows: HTMLElement[], empty: string, columns: number): void {
    const body = $(`${selector} tbody`);
    if (!rows.length) {
      const td = el("td", empty, { class: "muted", colspan: String(columns) });
      const tr = el("tr");
      tr.append(td);
      rows = [tr];
    }
    body.replaceChildren(...rows);
  }

  const time = (at: number) => (at ? new Date(at).toLocaleTimeString() : "");
  const ms = (value: number) => C.duration(value);

  class LoginNeeded extends Error {}

  async function get<T>(path: string): Promise<T> {
    const response = await fetch(path, { headers: { accept: "application/json" } });
    if (response.status === 401) throw new LoginNeeded();
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ?? `${path}: HTTP ${response.status}`);
    return body as T;
  }

  function notice(text: string, isError = false): void {
    const box = $("#notice");
    box.textContent = text;
    box.className = isError ? "error" : "";
    box.hidden = false;
  }

  const { loadCharts, loadSavings, renderHitRate, renderBudgets, explain } = (
    globalThis as unknown as { gatewayViews: (ui: unknown) => Views }
  ).gatewayViews({ $, el, row, fill, get });

  function renderStatus(status: Status): void {
    const up = status.uptimeSeconds;
    const uptime = up < 60 ? `${up} s` : C.duration(up * 1000);
    const surfaces = Object.entries(status.surfaces ?? {})
      .map(([surface, sessions]) => `${sessions.length} ${surface}`)
      .join(", ");
    $("#summary").replaceChildren(
      badge(status.status),
      ` v${status.version} · ${status.backends.length} backends · ${status.tools} tools · ${status.sessions} sessions${surfaces ? ` (${surfaces})` : ""} · up ${uptime}`,
    );
    $("#who").textContent = status.auth
      ? `${status.caller.id}${status.caller.admin ? " (admin)" : ""}`
      : "";
    const rows = status.backends.map((backend) =>
      row(
        [
          el("strong", backend.name, { title: backend.description ?? "" }),
          badge(backend.state),
          backend.transport,
          backend.tools,
          badge(backend.breaker),
          backend.calls,
          backend.errors,
          backend.disabled && admin
            ? reviveButton(backend.name, backend.error)
            : backend.state === "needs_login" && admin
              ? loginButton(backend.name)
              : el("span", backend.error ?? "", { class: backend.error ? "error" : "muted" }),
        ],
        [3, 5, 6],
      ),
    );
    rows.forEach((tr, i) => {
      tr.setAttribute("data-backend", status.backends[i]!.name);
    });
    fill("#backends", rows, "No backends configured.", 8);
    const names = status.backends.map((backend) => backend.name);
    for (const id of ["#audit-server", "#explain-server"]) fillOptions(id, names);
  }

  /** Keeps a select's first option ("any") and the one chosen; the rest are `names`. */
  function fillOptions(selector: string, names: string[]): void {
    const select = $(selector) as HTMLSelectElement;
    const now = [...select.options].slice(1).map((option) => option.value);
    if (now.join("\u0000") === names.join("\u0000")) return;
    const chosen = select.value;
    select.replaceChildren(select.options[0]!, ...names.map((name) => el("option", name)));
    select.value = names.includes(chosen) ? chosen : "";
  }

  /** A backend's new state from the live feed, shown in its row before the next poll. */
  function showBackendState(name: string, state: string, error?: string): void {
    const tr = document.querySelector(`#backends tr[data-backend="${CSS.escape(name)}"]`);
    if (!tr) return;
    const cells = tr.querySelectorAll("td");
    cells[1]?.replaceChildren(badge(state));
    if (error && !tr.querySelector("button")) {
      cells[7]?.replaceChildren(el("span", error, { class: "error" }));
    }
  }

  /** The error, with a button that revives a disabled backend (POST, admin only). */
  function reviveButton(name: string, error = ""): HTMLElement {
    const cell = el("span", `${error} `, { class: "error" });
    const button = el("button", "Revive", { type: "button", "data-revive": name });
    button.addEventListener("click", async () => {
      const response = await fetch(`/api/backends/${encodeURIComponent(name)}/revive`, {
        method: "POST",
        headers: { accept: "application/json" },
      });
      // The gateway's answer says why (a start that failed, and where its stderr is).
      const body = await response.json().catch(() => ({}));
      notice(
        response.ok
          ? `${name} revived`
          : `Revive refused: ${body.error ?? `${name}: HTTP ${response.status}`}`,
        !response.ok,
      );
    });
    cell.append(button);
    return cell;
  }

  function toolItem(tool: ToolView): HTMLElement {
    const key = `${tool.server}:${tool.tool}`;
    const li = el("li", undefined, { "data-tool": key });
    const button = el("button", undefined, { type: "button", "aria-expanded": "false" });
    button.append(el("span", key, { class: "tool-name" }));
    if (tool.quarantined) button.append(" ", badge("quarantined"));
    const summary = tool.description.split("\n")[0] ?? "";
    button.append(
      el("div", summary.length > 160 ? `${summary.slice(0, 159)}…` : summary, { class: "muted" }),
    );
    li.append(button);
    const detail = el("div", undefined, { class: "tool-detail" });
    const show = (open: boolean) => {
      button.setAttribute("aria-expanded", String(open));
      if (!open) {
        detail.remove();
        return;
      }
      const used = usage.find((u) => u.server === tool.server && u.tool === tool.tool);
      detail.replaceChildren(
        ...(tool.title ? [el("p", tool.title)] : []),
        el("p", tool.description || "(no description)", { class: "description" }),
        ...(tool.quarantined
          ? [el("p", `Quarantined: ${tool.quarantined}`, { class: "error" })]
          : []),
        el(
          "p",
          used
            ? `${used.calls} calls, ${used.errors} errors, mean ${ms(used.meanMs)}, last ${new Date(used.lastAt).toLocaleString()}`
            : "Not called yet.",
          { class: "muted" },
        ),
        el("h3", "Input schema"),
        el("pre", JSON.stringify(tool.inputSchema, null, 2), { class: "schema" }),
        ...(tool.outputSchema
          ? [el("h3", "Output schema"), el("pre", JSON.stringify(tool.outputSchema, null, 2))]
          : []),
        ...(tool.annotations
          ? [el("h3", "Annotations"), el("pre", JSON.stringify(tool.annotations, null, 2))]
          : []),
      );
      li.append(detail);
    };
    button.addEventListener("click", () => {
      const open = !expanded.has(key);
      if (open) expanded.add(key);
      else expanded.delete(key);
      show(open);
    });
    if (expanded.has(key)) show(true);
    return li;
  }

  async function loadTools(): Promise<void> {
    const asked = query;
    const path = asked ? `/api/tools?q=${encodeURIComponent(asked)}` : "/api/tools";
    const { tools } = await get<{ tools: ToolView[] }>(path);
    if (asked !== query) return; // a newer search is on its way
    $("#tool-count").textContent = asked ? `${tools.length} matches` : `${tools.length}`;
    const items = tools.map(toolItem);
    if (!items.length)
      items.push(el("li", asked ? "No tool matches." : "No tools yet.", { class: "muted" }));
    $("#tool-list").replaceChildren(...items);
  }

  function renderCalls(calls: Call[]): void {
    fill("#calls", calls.map(callRow), "No calls yet.", 5);
  }

  /** A call the live feed brought: first in the table, marked until the next poll. */
  function addLiveCall(call: Call): void {
    const body = $("#calls tbody");
    if (!body.querySelector("tr[data-call]")) body.replaceChildren();
    const tr = callRow(call);
    tr.classList.add("live");
    body.prepend(tr);
    while (body.children.length > LIVE_ROWS) body.lastElementChild?.remove();
  }

  function callRow(call: Call): HTMLElement {
    const tr = row(
      [
        time(call.at),
        el("span", `${call.server}:${call.tool}`, { class: "tool-name" }),
        call.caller,
        ms(call.durationMs),
        call.status === "ok"
          ? badge("ok")
          : el("span", `${call.code ?? call.status}: ${call.error ?? ""}`, { class: "error" }),
      ],
      [3],
    );
    tr.setAttribute("data-call", `${call.server}:${call.tool}`);
    return tr;
  }

  function renderUsage(): void {
    const rows = usage.map((entry) =>
      row(
        [
          el("span", `${entry.server}:${entry.tool}`, { class: "tool-name" }),
          entry.calls,
          entry.errors,
          ms(entry.meanMs),
          time(entry.lastAt),
          el("span", entry.lastError ?? "", { class: "error" }),
        ],
        [1, 2, 3],
      ),
    );
    fill("#usage", rows, "No calls recorded yet.", 6);
  }

  function renderSearch(quality: SearchQuality): void {
    const report = quality.report;
    const pct = (share: number) => `${(100 * share).toFixed(1)}%`;
    $("#search-summary").textContent = !quality.enabled
      ? "search.feedback is off: searches are not recorded."
      : !report || report.choices === 0
        ? "No searches recorded yet: a search followed by a successful call is recorded."
        : `${report.choices} recorded search${report.choices === 1 ? "" : "es"} (${report.times} time${report.times === 1 ? "" : "s"}), replayed without what was learned: ` +
          `hit@1 ${pct(report.hit1)}, hit@5 ${pct(report.hit5)}. Misses, most frequent first:`;
    const rows = (report?.misses ?? []).map((miss) =>
      row(
        [
          miss.query,
          el("span", miss.tool, { class: "tool-name" }),
          miss.times,
          miss.rank ?? "not in top 20",
          el("span", miss.first ?? "", { class: "tool-name" }),
        ],
        [2],
      ),
    );
    fill("#search-quality", rows, report?.choices ? "No misses." : "", 5);
  }

  interface Security {
    poisoning?: {
      mode: string;
      findings: {
        server: string;
        tool: string;
        severity: string;
        rule: string;
        where: string;
        excerpt: string;
        quarantined: boolean;
      }[];
    };
    lock?: {
      file: string;
      error?: string;
      changes: Record<string, { changed: string[]; added: string[]; removed: string[] }>;
    };
    quarantined?: string[];
    resourceClashes?: { uri: string; owner: string; other: string; template?: string }[];
    firewall?: {
      arguments: string;
      results: string;
      events: Record<string, { blocked: number; warned: number; last?: string }>;
    };
  }

  function renderSecurity(security: Security): void {
    const parts: HTMLElement[] = [];
    const findings = security.poisoning?.findings ?? [];
    parts.push(el("h3", `Poisoning findings (mode: ${security.poisoning?.mode ?? "off"})`));
    if (!findings.length) parts.push(el("p", "No findings.", { class: "muted" }));
    else {
      const table = el("table");
      table.append(
        ...findings.map((f) => {
          const tr = row([
            el("span", `${f.server}:${f.tool}`, { class: "tool-name" }),
            badge(f.quarantined ? "quarantined" : f.severity),
            `${f.rule} in ${f.where}`,
            el("code", f.excerpt),
          ]);
          // The operator panel (actions.js) offers Review here: the tool's detail and Release.
          tr.setAttribute("data-tool", `${f.server}:${f.tool}`);
          return tr;
        }),
      );
      parts.push(table);
    }
    parts.push(el("h3", "Lock drift"));
    const lock = security.lock;
    if (!lock)
      parts.push(
        el("p", "No gateway.lock: tools are not pinned (mcp-gateway lock writes one).", {
          class: "muted",
        }),
      );
    else {
      if (lock.error) parts.push(el("p", lock.error, { class: "error" }));
      const lines = Object.entries(lock.changes).flatMap(([server, c]) => [
        ...c.changed.map((t) => `changed  ${server}:${t} (quarantined until approved)`),
        ...c.added.map((t) => `new      ${server}:${t}`),
        ...c.removed.map((t) => `removed  ${server}:${t}`),
      ]);
      parts.push(
        lines.length
          ? el("pre", lines.join("\n"))
          : el("p", `Every tool matches ${lock.file}.`, { class: "muted" }),
      );
    }
    parts.push(el("h3", "Resource clashes"));
    const clashes = security.resourceClashes ?? [];
    parts.push(
      clashes.length
        ? el(
            "pre",
            clashes
              .map((c) =>
                c.template
                  ? `${c.uri}  matched by ${c.owner} (${c.template}) and ${c.other}: ${c.owner}'s answers`
                  : `${c.uri}  listed by ${c.owner} and ${c.other}: ${c.other}'s is gateway://${c.other}/${c.uri}`,
              )
              .join("\n"),
          )
        : el("p", "No backend lists another's resources.", { class: "muted" }),
    );
    const firewall = security.firewall;
    parts.push(
      el(
        "h3",
        `Firewall (arguments: ${firewall?.arguments ?? "off"}, results: ${firewall?.results ?? "off"})`,
      ),
    );
    const events = Object.entries(firewall?.events ?? {});
    if (!events.length) parts.push(el("p", "No call refused or warned about.", { class: "muted" }));
    else {
      const table = el("table");
      table.append(
        ...events.map(([rule, e]) =>
          row([
            el("code", rule),
            el("span", `${e.blocked} refused, ${e.warned} warned`, { class: "badge" }),
            e.last ?? "",
          ]),
        ),
      );
      parts.push(table);
    }
    $("#security-body").replaceChildren(...parts);
  }

  async function loadInsights(): Promise<void> {
    const window = ($("#insights-window") as HTMLSelectElement).value;
    const answers = await get<InsightsView>(`/api/insights?window=${window}`);
    const saved = answers.tokensSaved;
    $("#tokens-saved").textContent =
      `Tokens saved: ${saved.saved.toLocaleString()} over ${saved.lists} tools/list ` +
      `(${saved.metaTokens.toLocaleString()} tokens each instead of ${saved.flatTokens.toLocaleString()} for every tool).`;
    const list = (stats: ToolStatView[], value: (stat: ToolStatView) => string) =>
      stats
        .slice(0, 3)
        .map((stat) => `${stat.server}:${stat.tool} (${value(stat)})`)
        .join(", ");
    const rows = answers.keys.map((key) =>
      row([
        key.caller,
        list(key.byCalls, (stat) => String(stat.calls)),
        list(key.byErrors, (stat) => String(stat.errors)),
        list(key.byLatency, (stat) => ms(stat.meanMs)),
      ]),
    );
    fill("#top-tools", rows, "No calls in this window.", 4);
    const misses = answers.emptySearches.map((search) =>
      row([search.query, search.count, time(search.lastAt), search.callers.join(", ")], [1]),
    );
    fill("#empty-searches", misses, "Every search found something.", 4);
  }

  function renderCosts(costs: CostView): void {
    $("#costs-summary").textContent = costs.enabled
      ? `(${costs.currency}, per UTC day)`
      : "cost_governance is off.";
    const rows = (costs.budgets ?? []).map((budget) =>
      row(
        [budget.budget, budget.spent, budget.limit, `${budget.percent}%`, budget.resetsAt],
        [1, 2, 3],
      ),
    );
    fill("#costs", rows, "No budgets configured.", 5);
    const alerts = (costs.alerts ?? []).map((alert) =>
      el("li", `${time(alert.at)} ${alert.action}: ${alert.message}`, { class: "error" }),
    );
    $("#cost-alerts").replaceChildren(...alerts);
  }

  function renderWebhooks(endpoints: WebhookView[]): void {
    const rows = endpoints.map((hook) =>
      row(
        [
          hook.uri,
          hook.path,
          hook.provider,
          hook.deliveries,
          hook.failures,
          hook.lastFailure
            ? `${time(Date.parse(hook.lastFailure.at))} ${hook.lastFailure.status} ${hook.lastFailure.reason}`
            : "",
        ],
        [3, 4],
      ),
    );
    fill("#webhooks", rows, "No webhook endpoints.", 6);
  }

  async function loadAudit(): Promise<void> {
    const params = new URLSearchParams({ limit: "100" });
    const filters: Record<string, string> = {
      caller: "#audit-caller",
      server: "#audit-server",
      tool: "#audit-tool",
      outcome: "#audit-outcome",
      since: "#audit-since",
      until: "#audit-until",
    };
    for (const [name, selector] of Object.entries(filters)) {
      const value = ($(selector) as HTMLInputElement).value.trim();
      if (value) params.set(name, value);
    }
    const asked = ++auditAsked;
    const { rows } = await get<{ rows: AuditView[] }>(`/api/audit?${params}`);
    if (asked !== auditAsked) return; // a newer filter's answer is on its way
    $("#audit-count").textContent =
      rows.length >= 100 ? "The newest 100 rows that match." : `${rows.length} rows match.`;
    const lines = rows.map((entry) =>
      row(
        [
          time(entry.at),
          entry.caller,
          entry.kind,
          entry.kind === "admin" || !entry.server
            ? `${entry.tool ?? ""} ${entry.server ?? ""}`
            : `${entry.server}:${entry.tool}`,
          entry.code ? `${entry.outcome} ${entry.code}` : entry.outcome,
          entry.latencyMs === undefined ? "" : ms(entry.latencyMs),
          entry.bytes === undefined ? "" : C.bytes(entry.bytes),
          entry.cost ?? "",
        ],
        [5, 6, 7],
      ),
    );
    fill("#audit", lines, "No audit rows match.", 8);
  }

  /** Status always (the header and backends); the rest for the tab in view. */
  async function refresh(): Promise<void> {
    const status = await get<Status>("/api/status");
    // A reload made this key an admin or took it away: the page is built again for what it is.
    if (status.caller.admin !== admin) return location.reload();
    renderStatus(status);
    if (tab === "overview") {
      await loadCharts();
      await loadSavings();
      renderHitRate(await get<SearchQuality>("/api/search"));
      renderBudgets(await get<CostView>("/api/costs"));
    } else if (tab === "activity") {
      renderCalls((await get<{ calls: Call[] }>("/api/calls")).calls);
      await loadAudit();
    } else if (tab === "tools-tab") {
      if (status.tools !== toolCount) {
        toolCount = status.tools;
        usage = (await get<{ usage: Usage[] }>("/api/usage")).usage;
        await loadTools();
      }
    } else if (tab === "usage-tab") {
      usage = (await get<{ usage: Usage[] }>("/api/usage")).usage;
      renderUsage();
      renderSearch(await get<SearchQuality>("/api/search"));
      await loadInsights();
      renderCosts(await get<CostView>("/api/costs"));
      renderWebhooks((await get<{ endpoints: WebhookView[] }>("/api/webhooks")).endpoints);
    } else if (tab === "security" && admin) {
      renderSecurity(await get<Security>("/api/security"));
    } else if (tab === "config" && admin && !configShown) {
      const { file, config } = await get<{ file: string | null; config: unknown }>("/api/config");
      $("#config-file").textContent = file ?? "(built-in default)";
      $("#config-body").textContent = JSON.stringify(config, null, 2);
      configShown = true;
    }
  }

  const failed = (error: Error) => {
    if (error instanceof LoginNeeded) location.reload();
    else notice(`Cannot reach the gateway: ${error.message}`, true);
  };

  /** Shows the tab named by the address's fragment (a panel's id), or the first. */
  function showTab(): void {
    const wanted = location.hash.slice(1);
    const allowed = TABS.filter((id) => admin || (id !== "security" && id !== "config"));
    tab = allowed.includes(wanted) ? wanted : "overview";
    for (const id of TABS) {
      const link = $(`#tab-${id}`);
      const selected = id === tab;
      link.setAttribute("aria-selected", String(selected));
      link.setAttribute("tabindex", selected ? "0" : "-1");
      $(`#${id}`).hidden = !selected;
    }
    if (tab === "tools-tab") toolCount = -1;
    refresh().catch(failed);
  }

  /** Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab leaves the list. */
  function tabKeys(event: KeyboardEvent): void {
    const links = [...document.querySelectorAll<HTMLElement>("#tabs a[role=tab]")].filter(
      (link) => link.offsetParent !== null,
    );
    const at = links.indexOf(event.target as HTMLElement);
    if (at < 0) return;
    const step = { ArrowRight: 1, ArrowLeft: -1, Home: -at, End: links.length - 1 - at }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const next = links[(at + step + links.length) % links.length]!;
    next.click();
    next.focus();
  }

  /**
   * A tab's link changes the address without a fragment jump (which would scroll to the panel
   * and take the focus off the tab); Back and Forward still move between tabs.
   */
  function tabClick(event: MouseEvent): void {
    const link = (event.target as HTMLElement).closest("a[role=tab]");
    if (!link) return;
    event.preventDefault();
    history.pushState(null, "", link.getAttribute("href"));
    showTab();
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Polls, faster while the live feed is down. */
  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(
      () => refresh().catch(failed).finally(schedule),
      liveUp ? POLL_LIVE_MS : POLL_MS,
    );
  }

  let soon: ReturnType<typeof setTimeout> | undefined;
  /** A refresh within a second, once however many events asked for it (busy or not). */
  function refreshSoon(): void {
    if (soon) return;
    soon = setTimeout(() => {
      soon = undefined;
      refresh().catch(failed);
    }, 500);
  }

  /** Calls and backend states as they happen (`/ui/api/live`, server-sent events). */
  function connectLive(): void {
    const indicator = $("#live");
    const source = new EventSource("/ui/api/live");
    source.addEventListener("hello", () => {
      liveUp = true;
      indicator.textContent = "● live";
      indicator.className = "on";
    });
    source.addEventListener("call", (event) => {
      const call = JSON.parse((event as MessageEvent).data) as Call;
      addLiveCall(call);
      if (tab === "overview" || tab === "activity") refreshSoon();
    });
    source.addEventListener("backend", (event) => {
      const change = JSON.parse((event as MessageEvent).data);
      showBackendState(change.name, change.state, change.error);
      refreshSoon();
    });
    // A tool list changed, a tool was quarantined or released, or the config was reloaded (a
    // key's scopes, the config shown): the Tools and Config tabs read it again.
    for (const name of ["tools", "quarantine", "reload"]) {
      source.addEventListener(name, () => {
        toolCount = -1;
        if (name === "reload") configShown = false;
        refreshSoon();
      });
    }
    source.addEventListener("dropped", (event) => {
      const { count } = JSON.parse((event as MessageEvent).data);
      notice(`The live view fell behind and missed ${count} events; the tables are reloaded.`);
      refreshSoon();
    });
    source.addEventListener("error", () => {
      liveUp = false;
      indicator.textContent = "○ reconnecting";
      indicator.className = "muted";
    });
    addEventListener("pagehide", () => source.close());
  }

  /** A `needs_login` backend: the admin logs the gateway in from here (a new tab opens). */
  function loginButton(name: string): HTMLElement {
    const button = el("button", "Log in", {
      type: "button",
      title: `mcp-gateway auth login ${name}`,
    });
    button.addEventListener("click", async () => {
      const response = await fetch(`/api/backends/${encodeURIComponent(name)}/login`, {
        method: "POST",
      });
      const body = await response.json();
      if (!response.ok) return notice(`Login to ${name} failed: ${body.error}`, true);
      window.open(body.url, "_blank", "noopener");
      notice(`Finish the login to ${name} in the new tab; the backend reconnects when it is done.`);
    });
    return button;
  }

  async function reload(): Promise<void> {
    const button = $("#reload") as HTMLButtonElement;
    button.disabled = true;
    try {
      const response = await fetch("/api/reload", { method: "POST" });
      const body = await response.json();
      if (!response.ok || !body.reloaded) throw new Error(body.error ?? `HTTP ${response.status}`);
      const changes = ["added", "removed", "changed"]
        .filter((what) => body[what]?.length)
        .map((what) => `${what}: ${body[what].join(", ")}`);
      const waiting: string[] = body.restartRequired ?? [];
      const broken: { source: string; errors: string[] }[] = body.capabilityProblems ?? [];
      const notes = [
        waiting.length ? ` Waiting for a restart: ${waiting.join(", ")}.` : "",
        ...broken.map(
          (p) =>
            ` Not loaded (its last good version, if any, serves): ${p.source}: ${p.errors.join("; ")}.`,
        ),
      ];
      notice(
        `Reloaded${changes.length ? ` (${changes.join("; ")})` : ": no changes"}.${notes.join("")}`,
        notes.some(Boolean),
      );
      toolCount = -1;
      configShown = false;
      await refresh();
    } catch (error) {
      notice(`Reload refused: ${(error as Error).message}`, true);
    } finally {
      button.disabled = false;
    }
  }

  async function start(): Promise<void> {
    let status: Status;
    try {
      status = await get<Status>("/api/status");
    } catch (error) {
      if (!(error instanceof LoginNeeded)) throw error;
      $("#summary").textContent = "";
      $("#login").hidden = false;
      $("#login-error").hidden = !location.search.includes("login=failed");
      $("#key").focus();
      return;
    }
    admin = status.caller.admin;
    document.body.classList.toggle("is-admin", admin);
    $("#app").hidden = false;
    $("#logout").hidden = !status.auth;
    const reloadButton = $("#reload") as HTMLButtonElement;
    reloadButton.hidden = false;
    reloadButton.disabled = !admin;
    if (!admin) reloadButton.title = "Reloading needs an admin key";
    reloadButton.addEventListener("click", () => void reload());
    let typing: ReturnType<typeof setTimeout> | undefined;
    $("#search").addEventListener("input", (event) => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        query = (event.target as HTMLInputElement).value.trim();
        loadTools().catch((e) => notice(String(e.message ?? e), true));
      }, 150);
    });
    $("#insights-window").addEventListener("change", () => {
      loadInsights().catch((e) => notice(String(e.message ?? e), true));
    });
    $("#chart-window").addEventListener("change", () => {
      loadCharts().catch((e) => notice(String(e.message ?? e), true));
    });
    const auditSoon = () => {
      clearTimeout(typing);
      typing = setTimeout(
        () => loadAudit().catch((e) => notice(String(e.message ?? e), true)),
        150,
      );
    };
    $("#audit-filters").addEventListener("input", auditSoon);
    $("#audit-filters").addEventListener("change", auditSoon);
    $("#audit-filters").addEventListener("submit", (event) => {
      event.preventDefault();
      auditSoon();
    });
    $("#explain-form").addEventListener("submit", (event) => {
      event.preventDefault();
      explain().catch((e) => notice(String(e.message ?? e), true));
    });
    $("#tabs").addEventListener("keydown", (event) => tabKeys(event as KeyboardEvent));
    $("#tabs").addEventListener("click", (event) => tabClick(event as MouseEvent));
    addEventListener("popstate", showTab);
    renderStatus(status);
    showTab();
    connectLive();
    schedule();
  }

  start().catch((error) => notice(`The dashboard failed to load: ${error.message}`, true));
}

/** The script `/ui/app.js` serves: the function above, called once. */
export const CLIENT_JS = `"use strict";\n(${dashboard.toString()})();\n`;
