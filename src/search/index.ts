import type { Tool } from "../mcp/sdk.ts";
import { expandQuery, type QueryGroup, type Vocabulary } from "./expand.ts";
import { toEntryTexts } from "./fields.ts";
import { lift, maxLift, type NameFeatures, nameFeatures, querySignals } from "./signals.ts";
import { tokenize } from "./tokenize.ts";

/**
 * The ranking's constants, chosen on the dev split of bench/search/queries.json (the test split
 * is held out). Exported so the benchmark can measure alternatives; the gateway never changes them.
 */
export const RANKING = {
  /** BM25F field weights: a word in a tool's name says more than one in a parameter's prose. */
  fields: {
    name: 3,
    title: 2,
    server: 1.5,
    summary: 2,
    description: 0.6,
    params: 0.3,
    paramText: 0.3,
  },
  /** Length normalisation per field: names are all short, prose varies a lot. */
  lengthNorm: {
    name: 0.3,
    title: 0.3,
    server: 0,
    summary: 0.5,
    description: 0.75,
    params: 0.5,
    paramText: 0.75,
  },
  k1: 1.2,
  /** Documents matching more of the query's words rank higher: score × coverage^coord. */
  coord: 1,
  /** Usage lifts a tool's score by at most this fraction, so it never outweighs relevance. */
  usageWeight: 0.1,
  /** Uses after which the usage lift stops growing. */
  usageSaturation: 20,
};
type Field = keyof typeof RANKING.fields;
const FIELD_NAMES = Object.keys(RANKING.fields) as Field[];

interface Doc {
  server: string;
  tool: Tool;
  name: NameFeatures;
  /** Term frequencies per field, in FIELD_NAMES order. */
  tf: Map<string, number>[];
  lengths: number[];
}

/** A term's documents with their saturated BM25F term frequency, tf·(k1+1)/(tf+k1). */
interface Posting {
  ids: Int32Array;
  tf: Float32Array;
}

export interface SearchOptions {
  /** How many hits to return (default 5). */
  limit?: number;
  /** Only this server's tools. */
  server?: string;
  /** Only tools this returns true for are considered (the caller's scopes). */
  allow?: (server: string, tool: string) => boolean;
  /** Successful uses of a tool by this caller; used tools rank a little higher. */
  usage?: (server: string, tool: string) => number;
}

export interface SearchHit {
  server: string;
  tool: Tool;
  score: number;
}

/**
 * The index of every tool the gateway can reach; the only owner of ranking. BM25F over the
 * name, title, server, description and parameters, with queries expanded by synonyms, the
 * English lexicon and typo correction (see expand.ts).
 */
export class ToolIndex implements Vocabulary {
  private docs: (Doc | undefined)[] = [];
  private readonly byServer = new Map<string, number[]>();
  private readonly postings = new Map<string, Set<number>>();
  private live = 0;
  private sortedTerms: string[] | undefined;
  /** Built on the first search after a change: the per-term weights depend on average lengths. */
  private weighted: Map<string, Posting> | undefined;
  private buffers: { totals: Float64Array; matched: Uint8Array; best: Float64Array } | undefined;

  /** Replaces a server's tools. */
  upsert(server: string, tools: Tool[]): void {
    this.drop(server);
    const ids: number[] = [];
    for (const tool of tools) {
      const id = this.docs.push(toDoc(server, tool)) - 1;
      ids.push(id);
      for (const map of this.docs[id]!.tf) {
        for (const term of map.keys()) {
          const set = this.postings.get(term);
          if (set) set.add(id);
          else this.postings.set(term, new Set([id]));
        }
      }
    }
    this.byServer.set(server, ids);
    this.refresh();
  }

  remove(server: string): void {
    if (this.drop(server)) this.refresh();
  }

  get(server: string, tool: string): Tool | undefined {
    for (const id of this.byServer.get(server) ?? []) {
      const doc = this.docs[id]!;
      if (doc.tool.name === tool) return doc.tool;
    }
    return undefined;
  }

  tools(server: string): Tool[] {
    return (this.byServer.get(server) ?? []).map((id) => this.docs[id]!.tool);
  }

  size(): number {
    return this.live;
  }

  /** Every (server, tool) pair, for suggestions. */
  *all(): Generator<{ server: string; tool: Tool }> {
    for (const ids of this.byServer.values()) {
      for (const id of ids) yield { server: this.docs[id]!.server, tool: this.docs[id]!.tool };
    }
  }

  /** Vocabulary: true when some tool has this index term. */
  has(term: string): boolean {
    return this.postings.has(term);
  }

  /** Vocabulary: every index term, sorted (for prefix and typo matching). */
  terms(): readonly string[] {
    this.sortedTerms ??= [...this.postings.keys()].sort();
    return this.sortedTerms;
  }

  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const groups = expandQuery(query, this);
    if (groups.length === 0) return [];
    const postings = this.postingsByTerm();
    const { totals, matched, best } = this.scratch();
    const touched: number[] = [];
    const candidates: number[] = [];
    for (const group of groups) {
      // Per document, the best-scoring expansion of this word, so synonyms never add up.
      for (const [term, weight] of group.terms) {
        const posting = postings.get(term);
        if (!posting) continue;
        const n = posting.ids.length;
        const idf = Math.log(1 + (this.live - n + 0.5) / (n + 0.5));
        const factor = weight * idf;
        for (let i = 0; i < n; i++) {
          const id = posting.ids[i]!;
          const score = factor * posting.tf[i]!;
          if (best[id] === 0) touched.push(id);
          if (score > best[id]!) best[id] = score;
        }
      }
      for (const id of touched) {
        if (matched[id] === 0) candidates.push(id);
        totals[id]! += best[id]!;
        matched[id]!++;
        best[id] = 0;
      }
      touched.length = 0;
    }
    const hits = this.rank(candidates, groups, options);
    for (const id of candidates) {
      totals[id] = 0;
      matched[id] = 0;
    }
    return hits;
  }

  /**
   * The top hits among the candidates. The coordination factor is cheap and applied to all;
   * the name and usage bonuses (together a bounded lift) only to candidates that could still
   * reach the top, which keeps a search over 10,000 tools well under a millisecond.
   */
  private rank(candidates: number[], groups: QueryGroup[], options: SearchOptions): SearchHit[] {
    const { totals, matched } = this.scratch();
    const limit = options.limit ?? 5;
    const allowed = (doc: Doc) =>
      (!options.server || doc.server === options.server) &&
      (!options.allow || options.allow(doc.server, doc.tool.name));
    const base = new Float64Array(candidates.length);
    // The limit-th best base score among allowed tools: no tool below it / the largest lift can make the top.
    const floor: number[] = [];
    candidates.forEach((id, i) => {
      base[i] = totals[id]! * (matched[id]! / groups.length) ** RANKING.coord;
      if (options.server && this.docs[id]!.server !== options.server) base[i] = 0;
      if (floor.length === limit && base[i]! <= floor[limit - 1]!) return;
      if (!allowed(this.docs[id]!)) {
        base[i] = 0;
        return;
      }
      let at = floor.length;
      while (at > 0 && base[i]! > floor[at - 1]!) at--;
      floor.splice(at, 0, base[i]!);
      if (floor.length > limit) floor.pop();
    });
    const { usageWeight, usageSaturation } = RANKING;
    const threshold =
      floor.length === limit ? floor[limit - 1]! / (maxLift() * (1 + usageWeight)) : 0;
    const signals = querySignals(groups);
    const top: { id: number; score: number }[] = [];
    candidates.forEach((id, i) => {
      if (base[i]! === 0 || base[i]! < threshold) return;
      const doc = this.docs[id]!;
      let score = base[i]! * lift(doc.name, signals);
      const uses = options.usage?.(doc.server, doc.tool.name) ?? 0;
      if (uses > 0) {
        score *= 1 + usageWeight * Math.min(1, Math.log1p(uses) / Math.log1p(usageSaturation));
      }
      if (top.length === limit && !this.before(id, score, top[limit - 1]!)) return;
      if (!allowed(doc)) return;
      let at = top.length;
      while (at > 0 && this.before(id, score, top[at - 1]!)) at--;
      top.splice(at, 0, { id, score });
      if (top.length > limit) top.pop();
    });
    return top.map(({ id, score }) => ({
      server: this.docs[id]!.server,
      tool: this.docs[id]!.tool,
      score,
    }));
  }

  /** Per-document accumulators, reused across searches (always left zeroed). */
  private scratch(): { totals: Float64Array; matched: Uint8Array; best: Float64Array } {
    if (!this.buffers || this.buffers.totals.length < this.docs.length) {
      const size = Math.max(this.docs.length, 64);
      this.buffers = {
        totals: new Float64Array(size),
        matched: new Uint8Array(size),
        best: new Float64Array(size),
      };
    }
    return this.buffers;
  }

  /** Ranking order: higher score first, then server and tool name, so results are stable. */
  private before(id: number, score: number, other: { id: number; score: number }): boolean {
    if (score !== other.score) return score > other.score;
    const a = this.docs[id]!;
    const b = this.docs[other.id]!;
    if (a.server !== b.server) return a.server < b.server;
    return a.tool.name < b.tool.name;
  }

  /** BM25F term frequencies: Σ over fields of weight × tf / length normalisation. */
  private postingsByTerm(): Map<string, Posting> {
    if (this.weighted) return this.weighted;
    const sums = FIELD_NAMES.map(() => 0);
    for (const doc of this.docs) {
      if (doc) for (let f = 0; f < sums.length; f++) sums[f]! += doc.lengths[f]!;
    }
    const avg = sums.map((sum) => (this.live ? Math.max(sum / this.live, 1) : 1));
    const lists = new Map<string, { ids: number[]; tf: number[] }>();
    const perDoc = new Map<string, number>();
    this.docs.forEach((doc, id) => {
      if (!doc) return;
      perDoc.clear();
      FIELD_NAMES.forEach((field, f) => {
        const b = RANKING.lengthNorm[field];
        const norm = 1 - b + b * (doc.lengths[f]! / avg[f]!);
        for (const [term, raw] of doc.tf[f]!) {
          perDoc.set(term, (perDoc.get(term) ?? 0) + (RANKING.fields[field] * raw) / norm);
        }
      });
      for (const [term, tf] of perDoc) {
        const saturated = (tf * (RANKING.k1 + 1)) / (tf + RANKING.k1);
        const list = lists.get(term);
        if (list) {
          list.ids.push(id);
          list.tf.push(saturated);
        } else lists.set(term, { ids: [id], tf: [saturated] });
      }
    });
    const weighted = new Map<string, Posting>();
    for (const [term, list] of lists) {
      weighted.set(term, { ids: Int32Array.from(list.ids), tf: Float32Array.from(list.tf) });
    }
    this.weighted = weighted;
    return weighted;
  }

  private drop(server: string): boolean {
    const ids = this.byServer.get(server);
    if (!ids) return false;
    for (const id of ids) {
      for (const map of this.docs[id]!.tf) {
        for (const term of map.keys()) {
          // A term in several fields of one tool is met more than once.
          const set = this.postings.get(term);
          set?.delete(id);
          if (set?.size === 0) this.postings.delete(term);
        }
      }
      this.docs[id] = undefined;
    }
    this.byServer.delete(server);
    return true;
  }

  private refresh(): void {
    this.sortedTerms = undefined;
    this.weighted = undefined;
    this.live = 0;
    for (const doc of this.docs) if (doc) this.live++;
    // Reclaim the slots of removed tools once they are the majority.
    if (this.docs.length > 64 && this.live < this.docs.length / 2) this.compact();
  }

  private compact(): void {
    const entries = [...this.byServer].map(
      ([server, ids]) => [server, ids.map((id) => this.docs[id]!.tool)] as const,
    );
    this.docs = [];
    this.byServer.clear();
    this.postings.clear();
    for (const [server, tools] of entries) this.upsert(server, tools);
  }
}

function toDoc(server: string, tool: Tool): Doc {
  const texts = toEntryTexts(server, tool);
  const tf: Map<string, number>[] = [];
  const lengths: number[] = [];
  for (const field of FIELD_NAMES) {
    const counts = new Map<string, number>();
    const terms = tokenize(texts[field]);
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    tf.push(counts);
    lengths.push(terms.length);
  }
  return { server, tool, name: nameFeatures(server, tool), tf, lengths };
}
