import { redactText } from "../security/redact.ts";
import type { FeedbackRow, StateStore } from "../state/store.ts";
import { jaccard } from "./distance.ts";
import { normalizeQuery } from "./expand.ts";
import { isStopword, splitWords } from "./tokenize.ts";

/**
 * Search feedback: what a caller searched for, and which tool it called next. When a caller's
 * search is followed (within `windowMs`) by a successful call of a tool, that query led to that
 * tool; the next time the caller asks the same or much the same thing, the tool ranks higher.
 * Requests that share no word with the tool they mean ("what's on my plate") are where word
 * matching fails and where this helps. Each caller learns only from its own calls; what is
 * stored is the query's content words (no stopwords, no pasted URLs or quoted values), in the
 * state store next to the usage stats.
 */
export interface SearchFeedbackOptions {
  /** How long after a search a call still counts as its outcome (default 10 minutes). */
  windowMs?: number;
  /**
   * Queries remembered per caller, in memory and on disk; past it the least recently used goes
   * (default 1,000).
   */
  maxPerCaller?: number;
  now?: () => number;
}

interface Pending {
  query: string;
  at: number;
}

interface Learned {
  words: Set<string>;
  /** `server\0tool` → times this query led there. */
  tools: Map<string, number>;
  lastAt: number;
}

/** Callers whose last search still waits for a call, at most. */
const MAX_PENDING = 10_000;
/** Word overlap (Jaccard) from which a stored query counts as much the same request. */
const SIMILAR = 0.5;

export class SearchFeedback {
  private readonly pending = new Map<string, Pending>();
  private readonly byCaller = new Map<string, Map<string, Learned>>();
  private readonly windowMs: number;
  private readonly maxPerCaller: number;
  private readonly now: () => number;

  constructor(
    private readonly store: StateStore | undefined,
    options: SearchFeedbackOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.maxPerCaller = options.maxPerCaller ?? 1000;
    this.now = options.now ?? Date.now;
    const rows = store?.loadFeedback() ?? [];
    rows.sort((a, b) => a.lastAt - b.lastAt);
    for (const row of rows) this.learn(row, row.count);
  }

  /** A caller searched: its next successful call, if soon, says what the query meant. */
  searched(caller: string, query: string): void {
    const key = queryKey(query);
    this.pending.delete(caller);
    if (!key) return;
    this.pending.set(caller, { query: key, at: this.now() });
    // One search waits per caller; callers that never call again are dropped oldest first.
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
  }

  /** A caller's call ended; a success right after a search is recorded as that search's answer. */
  called(caller: string, server: string, tool: string, ok: boolean): void {
    const pending = this.pending.get(caller);
    if (!pending) return;
    this.pending.delete(caller);
    if (!ok || this.now() - pending.at > this.windowMs) return;
    const row = { caller, query: pending.query, server, tool, lastAt: this.now() };
    this.learn(row, 1);
    this.store?.addFeedback(row);
  }

  /**
   * For one caller's query: how strongly earlier choices point at each tool, 0 to 1: the square
   * of the word overlap with an earlier query (the same words: 1), times the tool's share of
   * that query's choices. Undefined when nothing was learned that applies.
   */
  pull(caller: string, query: string): ((server: string, tool: string) => number) | undefined {
    const learned = this.byCaller.get(caller);
    const words = new Set(queryKey(query).split(" ").filter(Boolean));
    if (!learned?.size || !words.size) return undefined;
    const pulls = new Map<string, number>();
    for (const entry of learned.values()) {
      const similarity = jaccard(words, entry.words);
      if (similarity < SIMILAR) continue;
      // The tool chosen most often after this query pulls fully, others by their share.
      const most = Math.max(...entry.tools.values());
      for (const [tool, count] of entry.tools) {
        const pull = similarity ** 2 * (count / most);
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
    for (const [who, learned] of this.byCaller) {
      if (caller !== undefined && who !== caller) continue;
      for (const [query, entry] of learned) {
        for (const [key, count] of entry.tools) {
          const [server, tool] = key.split("\u0000") as [string, string];
          out.push({ caller: who, query, server, tool, count, lastAt: entry.lastAt });
        }
      }
    }
    return out;
  }

  private learn(row: Omit<FeedbackRow, "count">, count: number): void {
    const learned = this.byCaller.get(row.caller) ?? new Map<string, Learned>();
    this.byCaller.set(row.caller, learned);
    const entry = learned.get(row.query) ?? {
      words: new Set(row.query.split(" ")),
      tools: new Map<string, number>(),
      lastAt: 0,
    };
    const tool = `${row.server}\u0000${row.tool}`;
    entry.tools.set(tool, (entry.tools.get(tool) ?? 0) + count);
    this.version++;
    entry.lastAt = Math.max(entry.lastAt, row.lastAt);
    // Re-inserted last: the first entry of the map is the least recently used query.
    learned.delete(row.query);
    learned.set(row.query, entry);
    if (learned.size > this.maxPerCaller) {
      const oldest = learned.keys().next().value!;
      learned.delete(oldest);
      this.store?.forgetFeedback(row.caller, oldest);
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
