import type { FeedbackRow } from "../state/store.ts";
import type { ToolIndex } from "./index.ts";

/** How the ranking does on what callers really searched for and then called. */
export interface FeedbackReport {
  /** Distinct (caller, query, tool) choices replayed, and how many times they were made. */
  choices: number;
  times: number;
  /** Shares of choices (each counted as often as it was made) whose tool ranks 1st / in the top 5. */
  hit1: number;
  hit5: number;
  /** Mean reciprocal rank over the same. */
  mrr: number;
  /** Choices whose tool is not first today, most often made first. */
  misses: {
    caller: string;
    query: string;
    tool: string;
    times: number;
    /** 1-based rank today, or undefined when not in the top 20 (or no longer there at all). */
    rank?: number;
    /** What ranks first today. */
    first?: string;
  }[];
}

const DEPTH = 20;

/**
 * Replays recorded searches (`search_feedback`) against the index as it is now, without the
 * learned lift: the ranking's own quality on this gateway's traffic, and what it gets wrong.
 */
export function evaluateFeedback(
  index: ToolIndex,
  rows: FeedbackRow[],
  allow?: (server: string, tool: string) => boolean,
): FeedbackReport {
  let times = 0;
  let hit1 = 0;
  let hit5 = 0;
  let mrr = 0;
  const misses: FeedbackReport["misses"] = [];
  // The index of what `allow` passes, made once for every row (a search given `allow` alone
  // would make it again for each).
  const seen = index.view({ allow });
  for (const row of rows) {
    const ranked = seen.search(row.query, { limit: DEPTH });
    const at = ranked.findIndex((hit) => hit.server === row.server && hit.tool.name === row.tool);
    times += row.count;
    if (at === 0) hit1 += row.count;
    if (at >= 0 && at < 5) hit5 += row.count;
    if (at >= 0) mrr += row.count / (at + 1);
    if (at !== 0) {
      misses.push({
        caller: row.caller,
        query: row.query,
        tool: `${row.server}:${row.tool}`,
        times: row.count,
        rank: at >= 0 ? at + 1 : undefined,
        first: ranked[0] ? `${ranked[0].server}:${ranked[0].tool.name}` : undefined,
      });
    }
  }
  misses.sort((a, b) => b.times - a.times || a.query.localeCompare(b.query));
  const share = (n: number) => (times ? n / times : 0);
  return {
    choices: rows.length,
    times,
    hit1: share(hit1),
    hit5: share(hit5),
    mrr: share(mrr),
    misses,
  };
}
