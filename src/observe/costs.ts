import type { ClusterLink } from "../cluster/link.ts";
import type { CostGovernanceConfig } from "../config/governance.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import type { AdmittedCall, GatewayHookable } from "../hooks.ts";
import { logger } from "../logger.ts";
import type { SpendRow, StateStore } from "../state/store.ts";
import { type Labels, MetricsRegistry } from "./metrics.ts";

export interface CostOptions {
  hooks: GatewayHookable;
  store: StateStore;
  config: () => CostGovernanceConfig;
  /** A capability's `cost_per_call`, when its definition has one. */
  costOf?: (server: string, tool: string) => number | undefined;
  /** How often spend is written to the store (default 2s). */
  flushMs?: number;
  now?: () => number;
}

/** One budget as it stands today. */
export interface BudgetState {
  /** `daily`, `per_tool:<tool>` or `per_key:<key>`. */
  budget: string;
  limit: number;
  spent: number;
  percent: number;
  /** When it resets (ISO time: the next UTC midnight). */
  resetsAt: string;
}

/** An alert that fired: shown in `/ui` and sent to the caller's sessions (`notify`). */
export interface CostAlert {
  at: number;
  budget: string;
  caller: string;
  percent: number;
  action: "log" | "notify";
  message: string;
}

export interface CostReportOptions {
  caller: string;
  admin: boolean;
  sessionId?: string;
  includeAllSessions?: boolean;
  includeAllKeys?: boolean;
}

/** Cost governance: prices calls before they run, keeps daily budgets, raises alerts. */
export interface CostGovernor {
  /** What one call of `server:tool` costs. */
  costOf(server: string, tool: string): number;
  budgets(caller?: string): BudgetState[];
  alerts(caller?: string): CostAlert[];
  report(options: CostReportOptions): Record<string, unknown>;
  /** Prometheus text; with `keep`, only the series whose labels it keeps. */
  metrics(keep?: (labels: Labels) => boolean): string;
  /**
   * Counts today's spend in the cluster's shared store too (`cluster:`), so a budget is one
   * budget across every instance; while the store is down, each instance counts its own.
   */
  share(cluster: ClusterLink | undefined): void;
  flush(): void;
  close(): void;
}

const DAY_MS = 86_400_000;
const governors = new WeakMap<object, CostGovernor>();

/** The cost governor serving `gateway` (registered by `runGateway`), for `gateway_cost_report`. */
export function governorOf(gateway: object): CostGovernor | undefined {
  return governors.get(gateway);
}

/** Makes `governor` the one `governorOf(gateway)` answers. */
export function registerGovernor(gateway: object, governor: CostGovernor): void {
  governors.set(gateway, governor);
}
const ALERTS_KEPT = 100;
/**
 * Closed sessions whose spend the report still lists (today's, the last closed kept): every
 * session that ever spent was kept before, so memory grew with each session for good.
 */
export const CLOSED_KEPT = 1000;
/** Where instances tell each other a spend counter's new total. */
const SPEND_CHANNEL = "spend";
/** Spend is counted in Redis in millionths (its counters are integers). */
const MICRO = 1_000_000;

/** `YYYY-MM-DD` (UTC) of `ms`. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Budgets are checked in memory, in O(1), when a call is admitted: the call's cost is charged
 * then (and refunded when it fails without a result), so concurrent calls cannot overshoot.
 * Spend is written to the state store in batches and read back at start.
 */
export function createCostGovernor(options: CostOptions): CostGovernor {
  const { hooks, store } = options;
  const now = options.now ?? Date.now;
  const settings = options.config;
  const log = logger.withTag("costs");
  let day = dayOf(now());
  /** Today's spend: `*` (everything), `tool:<server>:<tool>`, `name:<tool>`, `key:<caller>`. */
  let spent = new Map<string, number>();
  /** Spend per session: open sessions, and those closed today (the last CLOSED_KEPT of them). */
  const sessions = new Map<string, { caller: string; cost: number; calls: number }>();
  /** Each caller's open sessions that spent (a `notify` alert reaches them). */
  const sessionsOf = new Map<string, Set<string>>();
  /** Sessions closed today, the first closed first: their spend stays in the report until midnight. */
  const closed = new Set<string>();
  let pending = new Map<string, SpendRow>();
  const alerts: CostAlert[] = [];
  const registry = new MetricsRegistry();
  const costTotal = registry.counter(
    "mcp_gateway_cost_total",
    "Cost of the calls made, by caller (key), backend and tool, in cost_governance.currency",
  );
  const budgetSpent = registry.gauge("mcp_gateway_budget_spent", "Today's spend per budget");
  const budgetLimit = registry.gauge("mcp_gateway_budget_limit", "Each budget's daily limit");
  const refusals = registry.counter(
    "mcp_gateway_budget_refusals_total",
    "Calls refused because they would exceed a budget, by budget",
  );
  registry.onCollect(() => {
    budgetSpent.reset();
    budgetLimit.reset();
    for (const budget of budgetsNow()) {
      budgetSpent.set({ budget: budget.budget }, budget.spent);
      budgetLimit.set({ budget: budget.budget }, budget.limit);
    }
  });

  /** With a cluster: each spend key's total as the shared store last said, and charges not yet answered. */
  let cluster: ClusterLink | undefined;
  let clusterSpend = new Map<string, number>();
  let inflight = new Map<string, number>();
  /** Today's spend on `key`: the cluster's while its store answers, else this instance's. */
  const spentOf = (key: string): number => {
    const local = spent.get(key) ?? 0;
    if (!cluster?.connected) return local;
    return Math.max(local, (clusterSpend.get(key) ?? 0) + (inflight.get(key) ?? 0));
  };
  /**
   * Adds `by` to the shared counter of `key` (today's, kept a day past midnight). Resolves with
   * the shared total right after this charge (the store adds atomically), or undefined when the
   * store did not answer; undefined at once without a cluster.
   */
  const shareCharge = (key: string, by: number): Promise<number | undefined> | undefined => {
    const link = cluster;
    if (!link?.connected) return undefined;
    const at = day;
    inflight.set(key, (inflight.get(key) ?? 0) + by);
    const keep = resetsAt().getTime() - now() + DAY_MS;
    return link.hit(`spend:${at}:${key}`, Math.round(by * MICRO), keep).then((window) => {
      if (at !== day) return undefined;
      inflight.set(key, (inflight.get(key) ?? 0) - by);
      if (!window) return undefined;
      const total = window.count / MICRO;
      clusterSpend.set(key, total);
      void link.publish(SPEND_CHANNEL, JSON.stringify({ day: at, key, total }));
      return total;
    });
  };
  /**
   * Redis answers again: it may have restarted empty (its pod replaced), forgetting today's
   * spend. Each key's total goes back to at least what this instance last saw (or spent), so
   * the budgets go on from there instead of from zero.
   */
  const restoreShared = async () => {
    const link = cluster;
    if (!link) return;
    const at = day;
    const keep = resetsAt().getTime() - now() + DAY_MS;
    const keys = new Set([...clusterSpend.keys(), ...spent.keys()]);
    await Promise.all(
      [...keys].map(async (key) => {
        const seen = Math.max(clusterSpend.get(key) ?? 0, spent.get(key) ?? 0);
        if (seen <= 0) return;
        const window = await link.atLeast(`spend:${at}:${key}`, seen * MICRO, keep);
        if (window && at === day) clusterSpend.set(key, window.count / MICRO);
      }),
    );
  };
  /** Reads the shared total of every budget's key (at start and each new day). */
  const refreshShared = async () => {
    const link = cluster;
    if (!link) return;
    const at = day;
    await Promise.all(
      budgetKeys().map(async (key) => {
        const window = await link.peek(`spend:${at}:${key}`);
        if (window && at === day) clusterSpend.set(key, window.count / MICRO);
      }),
    );
  };
  /** Charges `key`; with a cluster, the shared total after it (see `shareCharge`). */
  const add = (key: string, by: number) => {
    spent.set(key, (spent.get(key) ?? 0) + by);
    return shareCharge(key, by);
  };
  /** Charges every spend key of a call; with a cluster, each key's shared total after it. */
  const charge = (caller: string, server: string, tool: string, cost: number) => {
    const shared = new Map<string, Promise<number | undefined> | undefined>();
    for (const key of ["*", `tool:${server}:${tool}`, `name:${tool}`, `key:${keyName(caller)}`]) {
      shared.set(key, add(key, cost));
    }
    return shared;
  };
  for (const row of store.loadSpend(day)) charge(row.caller, row.server, row.tool, row.cost);

  /** A new UTC day: budgets start again (what was spent stays in the store for reports). */
  const rollOver = () => {
    const today = dayOf(now());
    if (today === day) return;
    flush();
    day = today;
    for (const session of closed) sessions.delete(session);
    closed.clear();
    spent = new Map();
    clusterSpend = new Map();
    inflight = new Map();
    void refreshShared();
  };

  function costOf(server: string, tool: string): number {
    const config = settings();
    return (
      config.tool_costs[`${server}:${tool}`] ??
      config.tool_costs[tool] ??
      options.costOf?.(server, tool) ??
      config.default_cost
    );
  }

  /** The budgets a call of `server:tool` by `caller` counts against, with their spend keys. */
  function budgetsFor(caller: string, server: string, tool: string) {
    const { budgets } = settings();
    const found: { budget: string; limit: number; key: string }[] = [];
    if (budgets.daily !== undefined)
      found.push({ budget: "daily", limit: budgets.daily, key: "*" });
    const full = budgets.per_tool[`${server}:${tool}`];
    if (full !== undefined) {
      found.push({
        budget: `per_tool:${server}:${tool}`,
        limit: full,
        key: `tool:${server}:${tool}`,
      });
    } else if (budgets.per_tool[tool] !== undefined) {
      found.push({
        budget: `per_tool:${tool}`,
        limit: budgets.per_tool[tool],
        key: `name:${tool}`,
      });
    }
    const name = keyName(caller);
    const perKey = budgets.per_key[name];
    if (perKey !== undefined)
      found.push({ budget: `per_key:${name}`, limit: perKey, key: `key:${name}` });
    return found;
  }

  /** The spend keys the configured budgets read. */
  function budgetKeys(): string[] {
    const { budgets } = settings();
    return [
      ...(budgets.daily !== undefined ? ["*"] : []),
      ...Object.keys(budgets.per_tool).map((tool) =>
        tool.includes(":") ? `tool:${tool}` : `name:${tool}`,
      ),
      ...Object.keys(budgets.per_key).map((key) => `key:${key}`),
    ];
  }

  function resetsAt(): Date {
    const start = Date.parse(`${day}T00:00:00Z`);
    return new Date(start + DAY_MS);
  }

  function admit(call: AdmittedCall): void {
    const config = settings();
    if (!config.enabled) return;
    rollOver();
    const cost = costOf(call.server, call.tool);
    if (!(cost > 0)) return;
    const applicable = budgetsFor(call.caller, call.server, call.tool);
    const blockAt = Math.min(
      100,
      ...config.alerts.filter((alert) => alert.action === "block").map((alert) => alert.at_percent),
    );
    const ceiling = (limit: number) => (limit * blockAt) / 100 + 1e-9;
    for (const budget of applicable) {
      const before = spentOf(budget.key);
      if (before + cost > ceiling(budget.limit)) throw exceeded(call, budget, before, cost);
    }
    const shared = charge(call.caller, call.server, call.tool, cost);
    record(call, cost, 1);
    call.cost = cost;
    // In a cluster the check above read the last shared totals: calls admitted at the same time
    // on other instances are not in them. The store adds atomically, so the total right after
    // this charge decides: past a budget, the charge is taken back and the call refused before
    // it is sent (a burst admits exactly what fits, never more).
    const checks = applicable.flatMap((budget) => {
      const total = shared.get(budget.key);
      return total ? [{ budget, total }] : [];
    });
    if (checks.length > 0) {
      call.reserve = async () => {
        const totals = await Promise.all(checks.map((check) => check.total));
        const over = checks.findIndex(
          (check, i) => totals[i] !== undefined && totals[i]! > ceiling(check.budget.limit),
        );
        if (over < 0) return;
        charge(call.caller, call.server, call.tool, -cost);
        record(call, -cost, -1);
        call.cost = undefined;
        throw exceeded(call, checks[over]!.budget, totals[over]! - cost, cost);
      };
    }
    let nearest: { budget: string; limit: number; spent: number; percent: number } | undefined;
    for (const budget of applicable) {
      const after = spentOf(budget.key);
      const percent = budget.limit > 0 ? (after / budget.limit) * 100 : 100;
      const crossed = config.alerts.filter(
        (alert) =>
          alert.action !== "block" &&
          percent >= alert.at_percent &&
          ((after - cost) / budget.limit) * 100 < alert.at_percent,
      );
      for (const alert of crossed)
        raise(call, budget.budget, percent, alert.action as "log" | "notify");
      const warnFrom = Math.min(
        ...config.alerts.filter((alert) => alert.action !== "block").map((a) => a.at_percent),
      );
      if (percent >= warnFrom && (!nearest || percent > nearest.percent)) {
        nearest = {
          budget: budget.budget,
          limit: budget.limit,
          spent: round(after),
          percent: Math.round(percent),
        };
      }
    }
    if (nearest)
      call.warning = { ...nearest, currency: config.currency, resetsAt: resetsAt().toISOString() };
  }

  /** The refusal of a call that would take `budget` past its limit (counted in the metrics). */
  function exceeded(
    call: AdmittedCall,
    budget: { budget: string; limit: number },
    before: number,
    cost: number,
  ): GatewayError {
    const config = settings();
    refusals.inc({ budget: budget.budget });
    const resets = resetsAt();
    const money = (value: number) => `${round(value)} ${config.currency}`;
    const other = alternativesTo(config, call.tool);
    return new GatewayError(
      "BUDGET_EXCEEDED",
      `${budget.budget} budget of ${money(budget.limit)} would be exceeded: ${money(before)} spent today, ${call.server}:${call.tool} costs ${money(cost)}; it resets at ${resets.toISOString()} (in ${untilText(resets.getTime() - now())})${other.length ? `; cheaper alternatives: ${other.join(", ")}` : ""}`,
      {
        data: {
          budget: budget.budget,
          limit: budget.limit,
          spent: before,
          cost,
          resetsAt: resets.toISOString(),
        },
      },
    );
  }

  function raise(call: AdmittedCall, budget: string, percent: number, action: "log" | "notify") {
    const message = `${budget} budget at ${Math.round(percent)}% (${call.caller}, after ${call.server}:${call.tool})`;
    log.warn(message);
    alerts.unshift({
      at: now(),
      budget,
      caller: call.caller,
      percent: Math.round(percent),
      action,
      message,
    });
    if (alerts.length > ALERTS_KEPT) alerts.length = ALERTS_KEPT;
    if (action !== "notify") return;
    const data = { budget, percent: Math.round(percent), message };
    for (const session of sessionsOf.get(call.caller) ?? []) {
      void hooks.callHook("session:notify", session, "warning", data);
    }
  }

  /** Counts spend for the store (batched) and the session's report. */
  function record(call: AdmittedCall, cost: number, calls: number) {
    const key = [call.caller, call.server, call.tool].join("\u0000");
    const row = pending.get(key) ?? {
      day,
      caller: call.caller,
      server: call.server,
      tool: call.tool,
      cost: 0,
      calls: 0,
    };
    row.cost += cost;
    row.calls += calls;
    pending.set(key, row);
    // Written at the end of this turn: a crash right after the call loses none of the spend.
    soon ??= setTimeout(flush, 0);
    if (cost > 0)
      costTotal.inc({ caller: call.caller, server: call.server, tool: call.tool }, cost);
    if (call.session) {
      const entry = sessions.get(call.session) ?? { caller: call.caller, cost: 0, calls: 0 };
      entry.cost += cost;
      entry.calls += calls;
      sessions.set(call.session, entry);
      // A refund after the session closed (its call was in flight) does not reopen it.
      if (!closed.has(call.session)) {
        const mine = sessionsOf.get(call.caller) ?? new Set<string>();
        mine.add(call.session);
        sessionsOf.set(call.caller, mine);
      }
    }
  }

  let soon: ReturnType<typeof setTimeout> | undefined;

  function flush(): void {
    clearTimeout(soon);
    soon = undefined;
    if (!pending.size) return;
    const rows = [...pending.values()];
    pending = new Map();
    try {
      store.addSpend(rows);
    } catch (error) {
      log.warn(`cannot save spend: ${errorMessage(error)}`);
    }
  }

  function budgetsNow(caller?: string): BudgetState[] {
    rollOver();
    const { budgets } = settings();
    const resets = resetsAt().toISOString();
    const entry = (budget: string, limit: number, key: string): BudgetState => {
      const value = spentOf(key);
      return {
        budget,
        limit,
        spent: round(value),
        percent: limit > 0 ? Math.round((value / limit) * 100) : 100,
        resetsAt: resets,
      };
    };
    const out: BudgetState[] = [];
    if (budgets.daily !== undefined) out.push(entry("daily", budgets.daily, "*"));
    for (const [tool, limit] of Object.entries(budgets.per_tool)) {
      out.push(
        entry(`per_tool:${tool}`, limit, tool.includes(":") ? `tool:${tool}` : `name:${tool}`),
      );
    }
    for (const [key, limit] of Object.entries(budgets.per_key)) {
      if (caller === undefined || key === keyName(caller))
        out.push(entry(`per_key:${key}`, limit, `key:${key}`));
    }
    return out;
  }

  const unhooks = [
    hooks.hook("tool:call:admit", admit),
    hooks.hook("tool:call:after", (call) => {
      // Failed before a result came back (not sent, timed out): not charged.
      if (call.error === undefined || !call.cost) return;
      charge(call.caller, call.server, call.tool, -call.cost);
      record(call, -call.cost, -1);
    }),
    hooks.hook("session:close", (session) => {
      const entry = sessions.get(session);
      if (!entry) return;
      const mine = sessionsOf.get(entry.caller);
      mine?.delete(session);
      if (mine?.size === 0) sessionsOf.delete(entry.caller);
      closed.add(session);
      for (const oldest of closed) {
        if (closed.size <= CLOSED_KEPT) break;
        closed.delete(oldest);
        sessions.delete(oldest);
      }
    }),
  ];
  const timer = setInterval(flush, options.flushMs ?? 2000);
  timer.unref?.();

  return {
    costOf,
    budgets: budgetsNow,
    alerts: (caller) => alerts.filter((alert) => caller === undefined || alert.caller === caller),
    report(request) {
      flush();
      const config = settings();
      const today = now();
      const since = (days: number) => dayOf(today - (days - 1) * DAY_MS);
      const rows = store.loadSpend(since(30));
      const allKeys = request.admin && request.includeAllKeys;
      const keys = new Map<
        string,
        { today: number; last7d: number; last30d: number; calls30d: number }
      >();
      const tools = new Map<string, { cost: number; calls: number }>();
      for (const row of rows) {
        if (!allKeys && row.caller !== request.caller) continue;
        const entry = keys.get(row.caller) ?? { today: 0, last7d: 0, last30d: 0, calls30d: 0 };
        entry.last30d += row.cost;
        entry.calls30d += row.calls;
        if (row.day >= since(7)) entry.last7d += row.cost;
        if (row.day === dayOf(today)) {
          entry.today += row.cost;
          const tool = tools.get(`${row.server}:${row.tool}`) ?? { cost: 0, calls: 0 };
          tool.cost += row.cost;
          tool.calls += row.calls;
          tools.set(`${row.server}:${row.tool}`, tool);
        }
        keys.set(row.caller, entry);
      }
      const sessionRows = [...sessions]
        .filter(
          ([id, entry]) =>
            (request.admin || entry.caller === request.caller) &&
            (request.includeAllSessions || id === request.sessionId),
        )
        .map(([id, entry]) => ({
          session: id,
          caller: entry.caller,
          cost: round(entry.cost),
          calls: entry.calls,
        }));
      return {
        enabled: config.enabled,
        currency: config.currency,
        day: dayOf(today),
        budgets: budgetsNow(allKeys ? undefined : request.caller),
        keys: [...keys].map(([caller, entry]) => ({
          caller,
          today: round(entry.today),
          last7d: round(entry.last7d),
          last30d: round(entry.last30d),
          calls30d: entry.calls30d,
        })),
        tools: [...tools]
          .map(([tool, entry]) => ({ tool, cost: round(entry.cost), calls: entry.calls }))
          .sort((a, b) => b.cost - a.cost),
        sessions: sessionRows,
        alerts: (request.admin && allKeys
          ? alerts
          : alerts.filter((a) => a.caller === request.caller)
        ).slice(0, 20),
      };
    },
    metrics: (keep) => registry.render(keep),
    share(link) {
      cluster = link;
      if (!link) return;
      link.subscribe(SPEND_CHANNEL, (text) => {
        const told = JSON.parse(text) as { day: string; key: string; total: number };
        if (told.day === day) clusterSpend.set(told.key, told.total);
      });
      link.onReconnect(() => void restoreShared());
      void refreshShared();
    },
    flush,
    close() {
      for (const unhook of unhooks) unhook();
      clearInterval(timer);
      flush();
    },
  };
}

/** Other tools in the categories of `config.alternatives` that list `tool`. */
function alternativesTo(config: CostGovernanceConfig, tool: string): string[] {
  const found = new Set<string>();
  for (const names of Object.values(config.alternatives)) {
    if (!names.includes(tool)) continue;
    for (const name of names) if (name !== tool) found.add(name);
  }
  return [...found];
}

/** `12h`, `3h12m`, `45m`: how long until a budget resets. */
function untilText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) return `${rest}m`;
  return rest ? `${hours}h${rest}m` : `${hours}h`;
}

/** The name `budgets.per_key` uses: a key's own name (`ci` for `key:ci`), else the caller id. */
function keyName(caller: string): string {
  return caller.startsWith("key:") ? caller.slice(4) : caller;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
