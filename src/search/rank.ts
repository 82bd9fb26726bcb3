import { FIELD_NAMES, lowerBound, type Posting, RANKING } from "./bm25f.ts";
import type { Doc } from "./doc.ts";
import { expandQuery, type QueryGroup, type Vocabulary } from "./expand.ts";
import { lift, maxLift, querySignals } from "./signals.ts";

/**
 * The longest query `gateway_search_tools` takes, in characters: a request for a tool is a few
 * words. A longer one is refused with a message that says so.
 */
export const MAX_QUERY_CHARS = 1000;
/**
 * The most of a query the index reads (other callers: the dashboard, `tools eval`): the rest is
 * cut, so no one can make every search read 100 KB while other requests wait.
 */
const MAX_QUERY_READ = 10 * MAX_QUERY_CHARS;

/** The most a learned choice (search feedback) multiplies a tool's score by, less one. */
export const LEARNED_MAX = 0.5;

/**
 * An alternative this caller used more moves up to a better-ranked one only when it scores at
 * least this share of that one's: close enough that the query fits both.
 */
const ALTERNATIVE_SCORE = 0.5;

export interface SearchOptions {
  /** How many hits to return (default 5). */
  limit?: number;
  /** Only this server's tools. */
  server?: string;
  /**
   * Only tools this returns true for are considered (the caller's scopes). The scores are those
   * of an index of these tools alone: a tool it hides changes neither the order nor the scores.
   */
  allow?: (server: string, tool: string) => boolean;
  /**
   * Names what `allow` answers: searches with the same scope see the same tools as long as the
   * tools do not change and `rescope` is not called, so the view of what they see is kept
   * (`ToolIndex.view`). Without one, each search asks `allow` about every tool.
   */
  scope?: string;
  /** Successful uses of a tool by this caller; used tools rank a little higher. */
  usage?: (server: string, tool: string) => number;
  /**
   * 0 to 1: how strongly this caller's earlier choices after the same search point at a tool. It
   * multiplies the tool's own score by up to 1 + `LEARNED_MAX`: it reorders tools that match,
   * and never lifts one that does not past one that matches well.
   */
  learned?: (server: string, tool: string) => number;
  /**
   * Told how many tools the caller may see match at least one word of the query (before the
   * limit): the original gateway's `total_available`. Only counted when asked (it asks `allow`
   * about every candidate).
   */
  onAvailable?: (available: number) => void;
}

export interface SearchHit {
  server: string;
  tool: import("../mcp/sdk.ts").Tool;
  score: number;
}

/** How one tool's score for one query comes about (`ToolIndex.explain`). */
export interface Explanation {
  /** Per query word: the term that matched best (the word, a synonym, a typo's repair...). */
  words: { word: string; term?: string; weight: number; fields: string[]; score: number }[];
  /** Share of the query's words the tool has. */
  coverage: number;
  /** BM25F summed over words, times coverage. */
  base: number;
  /** Name, verb, read and server signals (a factor). */
  lift: number;
  /** This caller's earlier successful calls (a factor). */
  usage: number;
  /** Search feedback: this caller's earlier choices after a similar search (a factor). */
  learned: number;
}

/**
 * What ranking reads of a collection of tools: the whole index, or a scope's view of it. Every
 * statistic (IDF, the field lengths the postings are weighted by, the vocabulary) is the
 * collection's own, so that the same tools rank the same whichever holds them.
 */
export interface Corpus extends Vocabulary {
  /** The document with this id, as ranked (ids are below `bound()` and ascend in postings). */
  doc(id: number): Doc | undefined;
  /**
   * The document with this id as far as its server, tool and terms go (its name signals and twin
   * may be another collection's): cheaper than `doc` in a view.
   */
  entry(id: number): Doc | undefined;
  /** One past the largest id. */
  bound(): number;
  /** How many tools the collection holds. */
  live(): number;
  /** The tools holding this term, weighted by this collection's average field lengths. */
  posting(term: string): Posting | undefined;
  /** A server's ids, in its tools' order. */
  ids(server: string): readonly number[];
}

/** Per-document accumulators, shared by every search (searches never interleave; left zeroed). */
let buffers:
  | {
      totals: Float64Array;
      matched: Float64Array;
      best: Float64Array;
      own: Uint8Array;
      weights: Float64Array;
    }
  | undefined;

function scratch(size: number): NonNullable<typeof buffers> {
  if (!buffers || buffers.totals.length < size) {
    const length = Math.max(size, 64);
    buffers = {
      totals: new Float64Array(length),
      matched: new Float64Array(length),
      best: new Float64Array(length),
      own: new Uint8Array(length),
      weights: new Float64Array(length),
    };
  }
  return buffers;
}

/** BM25F's inverse document frequency of a term `n` of the corpus's tools hold. */
const idf = (corpus: Corpus, n: number) => Math.log(1 + (corpus.live() - n + 0.5) / (n + 0.5));

/** The best `options.limit` tools of the corpus for `text`. */
export function searchCorpus(corpus: Corpus, text: string, options: SearchOptions): SearchHit[] {
  const query = text.slice(0, MAX_QUERY_READ);
  const groups = expandQuery(query, corpus);
  if (groups.length === 0 || (options.limit ?? 5) < 1) {
    options.onAvailable?.(0);
    return [];
  }
  const { totals, matched, best, own, weights } = scratch(corpus.bound());
  const { hintOnlyMatch, expansionMatch } = RANKING;
  const touched: number[] = [];
  const candidates: number[] = [];
  for (const group of groups) {
    // Per document, the best-scoring expansion of this word, so synonyms never add up.
    for (const [term, weight] of group.terms) {
      const posting = corpus.posting(term);
      if (!posting) continue;
      const n = posting.ids.length;
      const factor = weight * idf(corpus, n);
      for (let i = 0; i < n; i++) {
        const id = posting.ids[i]!;
        const score = factor * posting.tf[i]!;
        if (best[id] === 0) touched.push(id);
        if (score > best[id]!) best[id] = score;
        if (posting.own[i]) own[id] = 1;
        if (weight > weights[id]!) weights[id] = weight;
      }
    }
    for (const id of touched) {
      if (matched[id] === 0) candidates.push(id);
      totals[id]! += best[id]!;
      // A word matched only in the hints, or only through an expansion, counts less.
      matched[id]! += (own[id] ? 1 : hintOnlyMatch) * (1 - expansionMatch * (1 - weights[id]!));
      weights[id] = 0;
      best[id] = 0;
      own[id] = 0;
    }
    touched.length = 0;
  }
  try {
    return rank(corpus, candidates, groups, query, options);
  } finally {
    for (const id of candidates) {
      totals[id] = 0;
      matched[id] = 0;
    }
  }
}

/**
 * Why `server:tool` scores what it does for `text`: per query word, the index term that
 * matched best and the fields that hold it, then the coverage factor and the lifts. A separate
 * walk over one tool's postings: `search` itself is unchanged and pays nothing for it.
 */
export function explainCorpus(
  corpus: Corpus,
  text: string,
  server: string,
  tool: string,
  options: SearchOptions,
): Explanation {
  const query = text.slice(0, MAX_QUERY_READ);
  const groups = expandQuery(query, corpus);
  const id = corpus.ids(server).find((i) => corpus.doc(i)?.tool.name === tool);
  const words: Explanation["words"] = [];
  if (id === undefined) return { words, coverage: 0, base: 0, lift: 1, usage: 1, learned: 1 };
  const doc = corpus.doc(id)!;
  let total = 0;
  for (const group of groups) {
    let best: Explanation["words"][number] | undefined;
    for (const [term, weight] of group.terms) {
      const posting = corpus.posting(term);
      if (!posting) continue;
      const at: number = lowerBound(posting.ids, id);
      if (posting.ids[at] !== id) continue;
      const score = weight * idf(corpus, posting.ids.length) * posting.tf[at]!;
      if (best && score <= best.score) continue;
      const fields = FIELD_NAMES.filter((_, f) => doc.tf[f]!.has(term));
      best = { word: group.word, term, weight, fields, score };
    }
    words.push(best ?? { word: group.word, fields: [], weight: 0, score: 0 });
    total += best?.score ?? 0;
  }
  const matched = words.filter((word) => word.score > 0).length;
  const coverage = groups.length ? matched / groups.length : 0;
  const uses = options.usage?.(server, tool) ?? 0;
  const { usageWeight, usageSaturation } = RANKING;
  const pull = options.learned?.(server, tool) ?? 0;
  return {
    words,
    coverage,
    base: total * coverage ** RANKING.coord,
    lift: lift(doc.name, querySignals(groups, query)),
    usage:
      uses > 0 ? 1 + usageWeight * Math.min(1, Math.log1p(uses) / Math.log1p(usageSaturation)) : 1,
    learned: pull > 0 ? 1 + LEARNED_MAX * Math.min(1, pull) : 1,
  };
}

/**
 * The top hits among the candidates. The coordination factor is cheap and applied to all;
 * the name and usage bonuses (together a bounded lift) only to candidates that could still
 * reach the top, which keeps a search over 10,000 tools well under a millisecond.
 */
function rank(
  corpus: Corpus,
  candidates: number[],
  groups: QueryGroup[],
  query: string,
  options: SearchOptions,
): SearchHit[] {
  const { totals, matched } = scratch(corpus.bound());
  const limit = options.limit ?? 5;
  const allowed = (doc: Doc) =>
    (!options.server || doc.server === options.server) &&
    (!options.allow || options.allow(doc.server, doc.tool.name));
  const base = new Float64Array(candidates.length);
  // The limit-th best base score among allowed tools: no tool below it / the largest lift can make the top.
  const floor: number[] = [];
  candidates.forEach((id, i) => {
    base[i] = totals[id]! * (matched[id]! / groups.length) ** RANKING.coord;
    if (options.server && corpus.entry(id)!.server !== options.server) base[i] = 0;
    if (floor.length === limit && base[i]! <= floor[limit - 1]!) return;
    if (!allowed(corpus.entry(id)!)) {
      base[i] = 0;
      return;
    }
    let at = floor.length;
    while (at > 0 && base[i]! > floor[at - 1]!) at--;
    floor.splice(at, 0, base[i]!);
    if (floor.length > limit) floor.pop();
  });
  if (options.onAvailable) {
    let available = 0;
    candidates.forEach((id, i) => {
      if (base[i]! > 0 && allowed(corpus.entry(id)!)) available++;
    });
    options.onAvailable(available);
  }
  const { usageWeight, usageSaturation } = RANKING;
  // The most any lift can multiply a base score by.
  const signals = querySignals(groups, query);
  const most = maxLift(signals) * (1 + usageWeight) * (options.learned ? 1 + LEARNED_MAX : 1);
  const threshold = floor.length === limit ? floor[limit - 1]! / most : 0;
  const top: { id: number; score: number }[] = [];
  candidates.forEach((id, i) => {
    if (base[i]! === 0 || base[i]! < threshold) return;
    // Whether it has a plural sibling (its view may differ) counts only for a query about many.
    const doc = signals.many ? corpus.doc(id)! : corpus.entry(id)!;
    let score = base[i]! * lift(doc.name, signals);
    const uses = options.usage?.(doc.server, doc.tool.name) ?? 0;
    if (uses > 0) {
      score *= 1 + usageWeight * Math.min(1, Math.log1p(uses) / Math.log1p(usageSaturation));
    }
    // A caller's repeated choice after much the same search: bounded, like the other lifts.
    const pull = options.learned?.(doc.server, doc.tool.name) ?? 0;
    if (pull > 0) score *= 1 + LEARNED_MAX * Math.min(1, pull);
    if (top.length === limit && !before(corpus, id, score, top[limit - 1]!)) return;
    if (!allowed(doc)) return;
    let at = top.length;
    while (at > 0 && before(corpus, id, score, top[at - 1]!)) at--;
    top.splice(at, 0, { id, score });
    if (top.length > limit) top.pop();
  });
  if (RANKING.usedAlternativeFirst) usedAlternativeFirst(corpus, top, options.usage);
  return top.map(({ id, score }) => ({
    server: corpus.entry(id)!.server,
    tool: corpus.entry(id)!.tool,
    score,
  }));
}

/**
 * Among alternatives in the results (twins, or one's name words within the other's on another
 * server: `puppeteer_screenshot` and `take_screenshot`), the one this caller used more takes the
 * better place: it chose that server's tool before, so it most likely means it again.
 */
function usedAlternativeFirst(
  corpus: Corpus,
  top: { id: number; score: number }[],
  usage: SearchOptions["usage"],
): void {
  if (!usage || top.length < 2) return;
  const uses = top.map(({ id }) => usage(corpus.entry(id)!.server, corpus.entry(id)!.tool.name));
  if (uses.every((count) => count === 0)) return;
  for (let i = 0; i < top.length; i++) {
    for (let j = i + 1; j < top.length; j++) {
      if (uses[j]! <= uses[i]! || top[j]!.score < ALTERNATIVE_SCORE * top[i]!.score) continue;
      if (!alternatives(corpus.doc(top[i]!.id)!, corpus.doc(top[j]!.id)!)) continue;
      [top[i]!.id, top[j]!.id] = [top[j]!.id, top[i]!.id];
      [uses[i], uses[j]] = [uses[j]!, uses[i]!];
    }
  }
}

/** Two tools of different servers whose names, less their servers' words, say the same thing. */
function alternatives(one: Doc, other: Doc): boolean {
  if (one.server === other.server || !one.twin || !other.twin) return false;
  if (one.twin === other.twin) return true;
  const x = one.twin.split(" ");
  const y = other.twin.split(" ");
  const [small, large] = x.length <= y.length ? [x, y] : [y, x];
  return small.every((word) => large.includes(word));
}

/** Ranking order: higher score first, then server and tool name, so results are stable. */
function before(
  corpus: Corpus,
  id: number,
  score: number,
  other: { id: number; score: number },
): boolean {
  if (score !== other.score) return score > other.score;
  const a = corpus.entry(id)!;
  const b = corpus.entry(other.id)!;
  if (a.server !== b.server) return a.server < b.server;
  return a.tool.name < b.tool.name;
}
