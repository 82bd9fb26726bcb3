import { redactText } from "../security/redact.ts";
import type { FeedbackRow, StateStore } from "../state/store.ts";
import { jaccard } from "./distance.ts";
import { normalizeQuery } from "./expand.ts";
import { isStopword, splitWords } from "./tokenize.ts";

/**
 * Search feedback: what a caller searched for, and which tool it called next. When a search is
 * followed (within `windowMs`) by a successful call of a tool that shares a word with the query,
 * that query led to that tool; once it has done so repeatedly, the next time the same pool asks
 * the same or much the same thing, the tool ranks a little higher. The rules, so that no single
 * call can steer search (one call used to put `write_file` first for "add two numbers", for every
 * local client, across restarts):
 * - a pool is one caller *and* one client name (`clientInfo.name`): with auth off, each client
 *   program learns for itself, never one pool for everyone;
 * - a call of a tool whose own text (name, title, description, parameters) shares no word with
 *   the query teaches nothing;
 * - a tool lifts only after `MIN_EVIDENCE` separate search-then-call pairs, while they are the
 *   majority of that query's choices; its lift halves every `halfLifeMs` without a new pair;
 * - the lift multiplies the tool's own word-match score by at most 1 + `LEARNED_MAX` (index.ts),
 *   so a tool that does not match cannot overtake one that matches well.
 * What is stored is the query's content words (no stopwords, no pasted URLs or quoted values),
 * in the state store next to the usage stats.
 */
export interface SearchFeedbackOptions {
  /** How long after a search a call still counts as its outcome (default 10 minutes). */
  windowMs?: number;
  /**
   * Queries remembered per pool, in memory and on disk; past it the least recently used goes
   * (default 1,000).
   */
  maxPerCaller?: number;
  /** Learned evidence halves after this long without a new pair (default 14 days). */
  halfLifeMs?: number;
  /**
   * True when the tool's own text holds one of the query's content words (as index terms). The
   * gateway passes the index's check; without one, every tool counts as related.
   */
  related?: (server: string, tool: string, words: readonly string[]) => boolean;
  now?: () => number;
}

/** A search waiting for the call that tells what it meant. */
export interface Pending {
  query: string;
  at: number;
  /** Names the search across a cluster, so that only one call answers it. */
  id: string;
}

/**
 * How a cluster shares feedback (src/cluster/feedback.ts): behind a load balancer a client's
 * search and its next call land on different instances, and each instance's searches learn
 * from what the others learned.
 */
export interface FeedbackShare {
  /** A pool searched here: the others hold the search too (the call may land there). */
  searched(who: string, pending: Pending): void;
  /** Takes the answer to search `id` for this instance: false when another one took it. */
  claim(id: string, windowMs: number): Promise<boolean>;
  /** A pair learned here: counted in the cluster, and announced with its new total. */
  learned(row: Omit<FeedbackRow, "count">): void;
}

interface Choice {
  /** Search-then-call pairs that led here. */
  count: number;
  /** The last one. */
  at: number;
}

interface Learned {
  words: Set<string>;
  /** `server\0tool` → what this query led to. */
  tools: Map<string, Choice>;
  lastAt: number;
}

/** One pool learns from one caller through one client program. */
export interface FeedbackPool {
  caller: string;
  /** The client's `clientInfo.name` (see `feedbackPool`). */
  client: string;
}

/**
 * The pool of a caller's call or search through a client program. A client without a name is
 * "(unnamed)": client "" holds only rows recorded before pools had clients, and lifts nothing.
 */
export function feedbackPool(caller: string, client: string | undefined): FeedbackPool {
  return { caller, client: client || "(unnamed)" };
}

/** Pools whose last search still waits for a call, at most. */
const MAX_PENDING = 10_000;
/** Word overlap (Jaccard) from which a stored query counts as much the same request. */
const SIMILAR = 0.5;
/**
 * Search-then-call pairs a tool needs before it lifts (one call never steers), and the decayed
 * evidence from which it lifts fully.
 */
export const MIN_EVIDENCE = 2;
/** The share of a query's (decayed) choices a tool needs: consistent evidence, not a one-off. */
const MIN_SHARE = 0.5;
const DAY = 24 * 60 * 60_000;

const poolKey = (pool: FeedbackPool) => `${pool.caller}\u0000${pool.client}`;
const pendingKey = (pool: FeedbackPool, session = "") => `${poolKey(pool)}\u0000${session}`;

export class SearchFeedback {
  private readonly pending = new Map<string, Pending>();
  private readonly byPool = new Map<string, Map<string, Learned>>();
  private readonly windowMs: number;
  private readonly maxPerCaller: number;
  private readonly halfLifeMs: number;
  private readonly related: NonNullable<SearchFeedbackOptions["related"]>;
  private readonly now: () => number;

  constructor(
    private readonly store: StateStore | undefined,
    options: SearchFeedbackOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.maxPerCaller = options.maxPerCaller ?? 1000;
    this.halfLifeMs = options.halfLifeMs ?? 14 * DAY;
    this.related = options.related ?? (() => true);
    this.now = options.now ?? Date.now;
    const rows = store?.loadFeedback() ?? [];
    rows.sort((a, b) => a.lastAt - b.lastAt);
    for (const row of rows) this.learn(row, row.count);
  }

  /**
   * A pool searched: its next successful call, if soon, says what the query meant. With a
   * `session`, only that session's next call does: two windows of one client program share a
   * pool, and one's call must not answer the other's search (nor take its answer away).
   */
  searched(pool: FeedbackPool, query: string, session?: string): void {
    const key = queryKey(query);
    const who = pendingKey(pool, session);
    this.pending.delete(who);
    if (!key) return;
    const pending = { query: key, at: this.now(), id: crypto.randomUUID() };
    this.heardSearch(who, pending);
    this.share?.searched(who, pending);
  }

  /** A search waiting for its call: made here, or on another instance of the cluster. */
  heardSearch(who: string, pending: Pending): void {
    this.pending.delete(who);
    this.pending.set(who, pending);
    // One search waits per pool; pools that never call again are dropped oldest first.
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
  }

  /**
   * A pair another instance learned, with the cluster's count of it now: learned here up to
   * that count (not written to this instance's state store: the cluster's store holds it).
   */
  heardLearned(row: Omit<FeedbackRow, "count">, total: number): void {
    const known =
      this.byPool.get(poolKey(row))?.get(row.query)?.tools.get(`${row.server}\u0000${row.tool}`)
        ?.count ?? 0;
    if (total > known) this.learn(row, total - known);
  }

  /** Whether a search of `pool` (in `session`) waits for its call here. */
  waiting(pool: FeedbackPool, session?: string): boolean {
    return this.pending.has(pendingKey(pool, session));
  }

  /** In a cluster: where searches and what was learned are shared. */
  share?: FeedbackShare;

  /**
   * A pool's call ended; a success right after a search, of a tool that shares a word with the
   * query, is recorded as that search's answer.
   */
  called(pool: FeedbackPool, server: string, tool: string, ok: boolean, session?: string): void {
    const who = pendingKey(pool, session);
    const pending = this.pending.get(who);
    if (!pending) return;
    this.pending.delete(who);
    if (!ok || this.now() - pending.at > this.windowMs) return;
    if (!this.related(server, tool, pending.query.split(" "))) return;
    const row = { ...pool, query: pending.query, server, tool, lastAt: this.now() };
    const share = this.share;
    if (!share) {
      this.record(row);
      return;
    }
    // Every instance held the search: only the first call anywhere answers it.
    void share.claim(pending.id, this.windowMs).then((mine) => {
      if (mine) this.record(row);
    });
  }

  private record(row: Omit<FeedbackRow, "count">): void {
    this.learn(row, 1);
    this.store?.addFeedback(row);
    this.share?.learned(row);
  }

  /**
   * For one pool's query: how strongly earlier choices point at each tool, 0 to 1: the square of
   * the word overlap with an earlier query (the same words: 1), times the tool's share of that
   * query's (decayed) choices, times its decayed evidence over `MIN_EVIDENCE` (at most 1). Only
   * tools chosen `MIN_EVIDENCE` times or more that are the majority choice pull. Undefined when
   * nothing was learned that applies. With `allow` (the searcher's scopes), choices of tools it
   * hides count for nothing, not even in the shares: a profile of the same caller that cannot see
   * a tool learns nothing about it from the pool.
   */
  pull(
    pool: FeedbackPool,
    query: string,
    allow?: (server: string, tool: string) => boolean,
  ): ((server: string, tool: string) => number) | undefined {
    const learned = this.byPool.get(poolKey(pool));
    const words = new Set(queryKey(query).split(" ").filter(Boolean));
    if (!learned?.size || !words.size) return undefined;
    const now = this.now();
    const pulls = new Map<string, number>();
    for (const entry of learned.values()) {
      const similarity = jaccard(words, entry.words);
      if (similarity < SIMILAR) continue;
      // Evidence, decayed: the pairs count fully at the last one and halve every half-life after.
      const seen = [...entry.tools].filter(([key]) => {
        const [server, tool] = key.split("\u0000") as [string, string];
        return !allow || allow(server, tool);
      });
      const evidence = seen.map(([tool, choice]) => ({
        tool,
        count: choice.count,
        weight: choice.count * 0.5 ** (Math.max(0, now - choice.at) / this.halfLifeMs),
      }));
      const total = evidence.reduce((sum, { weight }) => sum + weight, 0);
      for (const { tool, count, weight } of evidence) {
        const share = weight / total;
        if (count < MIN_EVIDENCE || share < MIN_SHARE) continue;
        const pull = similarity ** 2 * share * Math.min(1, weight / MIN_EVIDENCE);
        if (pull > (pulls.get(tool) ?? 0)) pulls.set(tool, pull);
      }
    }
    if (!pulls.size) return undefined;
    return (server, tool) => pulls.get(`${server}\u0000${tool}`) ?? 0;
  }

  /** Bumped at each recorded choice, so a report over the rows knows when it is stale. */
  version = 0;

  /** What was learned, as rows (one caller's, or every caller's), most recently used last. */
  rows(caller?: string): FeedbackRow[] {
    const out: FeedbackRow[] = [];
    for (const [who, learned] of this.byPool) {
      const [pool, client] = who.split("\u0000") as [string, string];
      if (caller !== undefined && pool !== caller) continue;
      for (const [query, entry] of learned) {
        for (const [key, choice] of entry.tools) {
          const [server, tool] = key.split("\u0000") as [string, string];
          out.push({
            caller: pool,
            client,
            query,
            server,
            tool,
            count: choice.count,
            lastAt: choice.at,
          });
        }
      }
    }
    return out;
  }

  private learn(row: Omit<FeedbackRow, "count">, count: number): void {
    const who = poolKey(row);
    const learned = this.byPool.get(who) ?? new Map<string, Learned>();
    this.byPool.set(who, learned);
    const entry = learned.get(row.query) ?? {
      words: new Set(row.query.split(" ")),
      tools: new Map<string, Choice>(),
      lastAt: 0,
    };
    const tool = `${row.server}\u0000${row.tool}`;
    const choice = entry.tools.get(tool);
    entry.tools.set(tool, {
      count: (choice?.count ?? 0) + count,
      at: Math.max(choice?.at ?? 0, row.lastAt),
    });
    this.version++;
    entry.lastAt = Math.max(entry.lastAt, row.lastAt);
    // Re-inserted last: the first entry of the map is the least recently used query.
    learned.delete(row.query);
    learned.set(row.query, entry);
    if (learned.size > this.maxPerCaller) {
      const oldest = learned.keys().next().value!;
      learned.delete(oldest);
      this.store?.forgetFeedback(row, oldest);
    }
  }
}

/**
 * A query's content words, as stored: lowercased and sorted, without stopwords, numbers, pasted
 * values (URLs, paths, quoted text), credentials or id-like strings (over 24 letters, or over 8
 * with digits: "k8s" stays, "9f86d0818" goes).
 */
export function queryKey(query: string): string {
  const plain = redactText(query).replace(/\[REDACTED:[^\]]*\]/g, " ");
  const words = splitWords(normalizeQuery(plain)).filter(
    (word) =>
      word.length > 1 &&
      word.length <= 24 &&
      !isStopword(word) &&
      !/^\d+$/.test(word) &&
      !(/\d/.test(word) && word.length > 8),
  );
  return [...new Set(words)].sort().join(" ");
}
