import type { FeedbackShare, Pending, SearchFeedback } from "../search/feedback.ts";
import type { FeedbackRow } from "../state/store.ts";
import type { ClusterLink } from "./link.ts";

/** Searches waiting for their call, and pairs learned, announced to every instance. */
const FEEDBACK_CHANNEL = "feedback";
/** The hash of learned pairs, across the cluster: count, and `<field>@at` when last learned. */
const FEEDBACK_KEY = "feedback";
/** How long the hash outlives its latest change (past twice feedback's 14-day half-life). */
const KEEP_MS = 30 * 24 * 60 * 60_000;

type Row = Omit<FeedbackRow, "count">;

const fieldOf = (row: Row) =>
  JSON.stringify([row.caller, row.client, row.query, row.server, row.tool]);

function rowOf(field: string, lastAt: number): Row | undefined {
  try {
    const [caller, client, query, server, tool] = JSON.parse(field) as unknown[];
    const parts = [caller, client, query, server, tool];
    if (!parts.every((part) => typeof part === "string")) return undefined;
    return {
      caller: caller as string,
      client: client as string,
      query: query as string,
      server: server as string,
      tool: tool as string,
      lastAt,
    };
  } catch {
    return undefined;
  }
}

const isPending = (value: unknown): value is Pending => {
  const pending = value as Partial<Pending> | null;
  return (
    typeof pending?.query === "string" &&
    typeof pending.at === "number" &&
    typeof pending.id === "string"
  );
};

/**
 * Search feedback across a cluster. Behind a load balancer a client's search lands on one
 * instance and its next call on another: each search is announced, so every instance holds it,
 * and the first call anywhere claims it in Redis (one pair, never one per instance). Each pair
 * learned is counted in a Redis hash and announced with its total, so every instance's search
 * ranks by what the cluster learned; an instance reads the hash at start and when Redis answers
 * again after an outage (first raising each count there to the one it holds: a Redis restarted
 * empty forgot them). While Redis is down, each instance learns from its own searches and
 * calls, as a single instance does (its state store keeps what it learned itself).
 */
export function shareFeedback(
  current: () => SearchFeedback | undefined,
  link: ClusterLink,
): { share: FeedbackShare; load(): Promise<void> } {
  const from = link.instanceId;
  const share: FeedbackShare = {
    searched(who, pending) {
      void link.publish(FEEDBACK_CHANNEL, JSON.stringify({ from, who, pending }));
    },
    async claim(id, windowMs) {
      const holder = await link.claim(`feedback-pair:${id}`, from, windowMs);
      // Redis down: learn here, as a single instance does.
      return holder === undefined || holder === from;
    },
    learned(row) {
      void (async () => {
        const total = await link.tally(FEEDBACK_KEY, fieldOf(row), 1, KEEP_MS, row.lastAt);
        if (total === undefined) return;
        await link.publish(
          FEEDBACK_CHANNEL,
          JSON.stringify({ from, row: fieldOf(row), at: row.lastAt, total }),
        );
      })();
    },
  };
  link.subscribe(FEEDBACK_CHANNEL, (text) => {
    const feedback = current();
    if (!feedback) return;
    try {
      const message = JSON.parse(text) as Record<string, unknown>;
      if (message.from === from) return;
      if (typeof message.who === "string" && isPending(message.pending)) {
        feedback.heardSearch(message.who, message.pending);
      } else if (
        typeof message.row === "string" &&
        typeof message.at === "number" &&
        typeof message.total === "number"
      ) {
        const row = rowOf(message.row, message.at);
        if (row) feedback.heardLearned(row, message.total);
      }
    } catch {}
  });
  const load = async () => {
    const feedback = current();
    const all = feedback ? await link.tallies(FEEDBACK_KEY) : undefined;
    for (const [field, total] of all ?? []) {
      if (field.endsWith("@at")) continue;
      const row = rowOf(field, all!.get(`${field}@at`) ?? Date.now());
      if (row) feedback!.heardLearned(row, total);
    }
  };
  // A Redis restarted empty forgot every pair: the counts held here (the cluster's as last
  // heard, and what was learned here meanwhile) go back, each with when it was last learned.
  const putBack = async () => {
    const rows = current()?.rows() ?? [];
    const fields = rows.flatMap((row): [string, number][] => [
      [fieldOf(row), row.count],
      [`${fieldOf(row)}@at`, row.lastAt],
    ]);
    if (fields.length) await link.raise(FEEDBACK_KEY, fields, KEEP_MS);
    await load();
  };
  link.onReconnect(() => void putBack());
  return { share, load };
}
