import type { Tool } from "../mcp/sdk.ts";
import { FIELD_NAMES, lowerBound, Postings, RANKING, type Weighable } from "./bm25f.ts";
import { expandQuery, type QueryGroup, type Vocabulary } from "./expand.ts";
import { toEntryTexts } from "./fields.ts";
import {
  lift,
  maxLift,
  type NameFeatures,
  nameFeatures,
  numberSiblings,
  querySignals,
} from "./signals.ts";
import { splitWords, tokenize, tokenizeForIndex, toTerm } from "./tokenize.ts";

export { RANKING } from "./bm25f.ts";

interface Doc extends Weighable {
  server: string;
  tool: Tool;
  name: NameFeatures;
  /**
   * The words of its name without its server's (its name and house words), sorted: a tool on
   * another server with the same or a part of these words does the same (`alternatives`).
   */
  twin: string;
}

/** The fields a product word is looked for in: what a tool says it does, not its parameters. */
const DESCRIBED = (["name", "title", "summary", "description"] as const).map((field) =>
  FIELD_NAMES.indexOf(field),
);
/** What makes a word a server's product word (`productOf`). */
export const PRODUCT = { share: 0.5, purity: 0.9, tools: 3 };

/** The fewest letters a short form of a server's name has ("argo", "sonar"). */
const SHORT_NAME = 4;
/** The most query words whose short-name answer is remembered between index changes. */
const SHORT_NAMES_KEPT = 10_000;
/** The most scopes whose index of visible tools is kept (`ToolIndex.view`). */
const VIEWS_KEPT = 32;

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
   * tools do not change and `rescope` is not called, so the index of what they see is kept
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
   * limit): the original gateway's `total_available`.
   */
  onAvailable?: (available: number) => void;
}

/**
 * An alternative this caller used more moves up to a better-ranked one only when it scores at
 * least this share of that one's: close enough that the query fits both.
 */
const ALTERNATIVE_SCORE = 0.5;

/** The most a learned choice (search feedback) multiplies a tool's score by, less one. */
export const LEARNED_MAX = 0.5;

export interface SearchHit {
  server: string;
  tool: Tool;
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
 * The index of every tool the gateway can reach; the only owner of ranking. BM25F over the
 * name, title, server, description (and its first sentence), parameter names, descriptions and
 * enums (bm25f.ts); queries expanded by synonyms, the English lexicon and typo repair
 * (expand.ts); scores lifted by bounded name, verb, read and server signals (signals.ts).
 */
export class ToolIndex implements Vocabulary {
  private docs: (Doc | undefined)[] = [];
  private readonly byServer = new Map<string, number[]>();
  /** Every server's tools as last upserted, indexed or not yet. */
  private readonly listed = new Map<string, Tool[]>();
  /**
   * Servers whose tools changed since the terms were computed (undefined: removed). Indexing
   * tokenizes with the lexicon and reads the hints table, so it waits for the first search: a
   * gateway that is never searched never loads them (4 MiB of RSS, bench/memory.ts).
   */
  private readonly pending = new Map<string, Tool[] | undefined>();
  /** Tools per term: the vocabulary, and the IDF. */
  private readonly docFreq = new Map<string, number>();
  private readonly postings = new Postings();
  /** Summed field lengths of the live tools, for the averages BM25F normalises by. */
  private lengthSums = FIELD_NAMES.map(() => 0);
  private live = 0;
  private sortedTerms: string[] | undefined;
  /** The words of the servers' names, as terms (isServerWord). */
  private serverWords: Set<string> | undefined;
  /** `shortServerName`'s answers since the tools last changed. */
  private shortNames = new Map<string, string | undefined>();
  /** Tools per term in what they say they do (name, title, description): `productOf`. */
  private readonly describedFreq = new Map<string, number>();
  /**
   * Per term, the servers at least `PRODUCT.share` of whose tools say it (name, title,
   * description), with how many do: the candidates for `productOf`.
   */
  private readonly productTerms = new Map<string, Map<string, number>>();
  private buffers:
    | {
        totals: Float64Array;
        matched: Float64Array;
        best: Float64Array;
        own: Uint8Array;
        weights: Float64Array;
      }
    | undefined;

  /** Counts the changes of the tools, so a scope's view knows when it is out of date. */
  private generation = 0;
  /** Per scope: the index of the tools it sees (undefined: all of them), as of `generation`. */
  private readonly views = new Map<string, { generation: number; index?: ToolIndex }>();

  /**
   * `hints`: requests people make of a tool (hints.ts), indexed as one more field. `whole`: the
   * index this one is a scope's view of, whose documents it reuses for servers it sees whole.
   */
  constructor(
    private readonly hints?: (server: string, tool: Tool) => string | undefined,
    private readonly whole?: ToolIndex,
  ) {}

  /** Replaces a server's tools. */
  upsert(server: string, tools: Tool[]): void {
    this.listed.delete(server);
    this.listed.set(server, tools);
    this.pending.delete(server);
    this.pending.set(server, tools);
    this.generation++;
  }

  /** Indexes every tool again at the next search (the hints changed: `search.tool_hints`). */
  reindex(): void {
    for (const [server, tools] of this.listed) {
      this.pending.delete(server);
      this.pending.set(server, tools);
    }
    this.generation++;
    // A view reuses documents of a list it already holds: it must make them again too.
    this.views.clear();
  }

  /**
   * What scopes see may have changed while the tools did not (a reload changed keys, profiles or
   * the tool policy; a tool entered or left quarantine): each view asks `allow` again at its next
   * search, and follows what changed.
   */
  rescope(): void {
    for (const view of this.views.values()) view.generation = -1;
  }

  remove(server: string): void {
    if (!this.listed.delete(server)) return;
    this.pending.delete(server);
    this.pending.set(server, undefined);
    this.generation++;
  }

  /** Computes the terms of what changed since the last time anything needed them. */
  private indexPending(): void {
    if (this.pending.size === 0) return;
    for (const [server, tools] of this.pending) {
      this.drop(server);
      if (tools) this.add(server, tools);
    }
    this.pending.clear();
    this.changed();
  }

  private add(server: string, tools: Tool[]): void {
    const ids: number[] = [];
    const house = houseWords(tools);
    // A view takes the whole index's documents (tokenized once): as they are when it sees the
    // server whole, else with what depends on the server's other tools (twins, number) redone.
    const whole = this.whole?.listed.get(server) === tools;
    const made = this.whole?.documents(server);
    tools.forEach((tool) => {
      const found = made?.get(tool);
      const doc = !found
        ? toDoc(server, tool, this.hints?.(server, tool), house)
        : whole
          ? found
          : { ...found, name: { ...found.name, many: undefined }, twin: twinOf(found.name, house) };
      const id = this.docs.push(doc) - 1;
      ids.push(id);
      this.live++;
      doc.lengths.forEach((length, f) => {
        this.lengthSums[f]! += length;
      });
      for (const term of doc.terms) this.docFreq.set(term, (this.docFreq.get(term) ?? 0) + 1);
      if (!this.postings.stale) this.postings.add(id, doc);
    });
    for (const { plural, singular } of whole ? [] : numberSiblings(tools.map((t) => t.name))) {
      this.docs[ids[plural]!]!.name.many = true;
      this.docs[ids[singular]!]!.name.many = false;
    }
    this.byServer.set(server, ids);
    this.countDescribed(server, ids, 1);
  }

  /** A server's documents by tool, as indexed (for a view of this index). */
  private documents(server: string): Map<Tool, Doc> | undefined {
    const ids = this.byServer.get(server);
    return ids && new Map(ids.map((id) => [this.docs[id]!.tool, this.docs[id]!]));
  }

  get(server: string, tool: string): Tool | undefined {
    return this.listed.get(server)?.find((listed) => listed.name === tool);
  }

  tools(server: string): Tool[] {
    return [...(this.listed.get(server) ?? [])];
  }

  size(): number {
    let size = 0;
    for (const tools of this.listed.values()) size += tools.length;
    return size;
  }

  /** Every (server, tool) pair, for suggestions. */
  *all(): Generator<{ server: string; tool: Tool }> {
    for (const [server, tools] of this.listed) {
      for (const tool of tools) yield { server, tool };
    }
  }

  /**
   * True when the tool's own text (name, title, description, parameters: not the gateway's
   * hints) holds one of these words, as index terms. A call of a tool that shares no word with
   * the search before it teaches search feedback nothing.
   */
  sharesWord(server: string, tool: string, words: readonly string[]): boolean {
    this.indexPending();
    const terms = words.map(toTerm);
    for (const id of this.byServer.get(server) ?? []) {
      const doc = this.docs[id]!;
      if (doc.tool.name !== tool) continue;
      return doc.tf.some(
        (counts, field) => FIELD_NAMES[field] !== "hints" && terms.some((term) => counts.has(term)),
      );
    }
    return false;
  }

  /** Vocabulary: true when the term is a word of a server's name. */
  isServerWord(term: string): boolean {
    this.indexPending();
    this.serverWords ??= new Set([...this.byServer.keys()].flatMap((server) => tokenize(server)));
    return this.serverWords.has(term);
  }

  /**
   * Vocabulary: the server-name term a query word is the short form of ("argo" for `argocd`,
   * "sonar" for `sonarqube`): a word of 4 letters or more that begins a word of a server's name
   * and that the tools of that server hold in their own texts (not hints) more than all other
   * servers' tools together (its tools write "Argo CD", "SonarQube"). Undefined for any other word.
   */
  shortServerName(term: string): string | undefined {
    this.indexPending();
    if (term.length < SHORT_NAME || this.isServerWord(term)) return undefined;
    if (this.shortNames.has(term)) return this.shortNames.get(term);
    let found: string | undefined;
    const begins = (word: string) => word.startsWith(term) && word !== term;
    if ([...this.serverWords!].some(begins)) {
      if (this.postings.stale) this.postings.rebuild(this.docs, this.averages());
      const posting = this.postings.get(term);
      // The tools whose own text (not their hints) holds the word, per server.
      const holders = new Map<string, number>();
      let count = 0;
      posting?.ids.forEach((id, i) => {
        if (!posting.own[i]) return;
        const { server } = this.docs[id]!;
        holders.set(server, (holders.get(server) ?? 0) + 1);
        count++;
      });
      for (const [server, own] of holders) {
        if (own * 2 > count) found = tokenize(server).find(begins);
      }
    }
    // Queries are the user's: a bounded memo, like the stemmer's.
    if (this.shortNames.size >= SHORT_NAMES_KEPT) this.shortNames.clear();
    this.shortNames.set(term, found);
    return found;
  }

  /**
   * Vocabulary: the terms of the server's name a query word stands for when it is that server's
   * product word ("feishu" on the Lark server, whose every tool says "Feishu/Lark"): a word that
   * at least `PRODUCT.share` of one server's tools (of `PRODUCT.tools` or more) say in their name,
   * title or description, and that holds `PRODUCT.purity` of the tools saying it there. Undefined
   * for any other word, and for a server's own name. Counted as servers are indexed
   * (`countDescribed`), so a search pays a lookup.
   */
  productOf(term: string): string[] | undefined {
    this.indexPending();
    const servers = this.productTerms.get(term);
    if (!servers || this.isServerWord(term)) return undefined;
    const holders = this.describedFreq.get(term) ?? 0;
    for (const [server, own] of servers) {
      if (own >= PRODUCT.purity * holders) return [...new Set(tokenize(server))];
    }
    return undefined;
  }

  /** Vocabulary: true when some tool has this index term. */
  has(term: string): boolean {
    this.indexPending();
    return this.docFreq.has(term);
  }

  /** Vocabulary: every index term, sorted (for prefix and typo matching). */
  terms(): readonly string[] {
    this.indexPending();
    this.sortedTerms ??= [...this.docFreq.keys()].sort();
    return this.sortedTerms;
  }

  /**
   * The index a search with `allow` ranks in: one of the tools it allows alone, so that what it
   * hides (another key's tools, a quarantined one) weighs on no statistic (IDF, field lengths,
   * the vocabulary typos are repaired to, product and server words). This index when it allows
   * everything. Kept per `scope` until the tools change; a server seen whole reuses this index's
   * documents, so a view costs its sums and postings, not tokenizing.
   */
  view(options: SearchOptions): ToolIndex {
    if (!options.allow || this.whole) return this;
    this.indexPending();
    const kept = options.scope === undefined ? undefined : this.views.get(options.scope);
    if (kept?.generation === this.generation) return kept.index ?? this;
    const seen = new Map<string, Tool[]>();
    let all = true;
    for (const [server, tools] of this.listed) {
      const visible = tools.filter((tool) => options.allow!(server, tool.name));
      if (visible.length < tools.length) all = false;
      if (visible.length) seen.set(server, visible.length === tools.length ? tools : visible);
    }
    let index: ToolIndex | undefined;
    if (!all) {
      index = kept?.index ?? new ToolIndex(this.hints, this);
      for (const server of [...index.listed.keys()]) if (!seen.has(server)) index.remove(server);
      for (const [server, tools] of seen) {
        const before = index.listed.get(server);
        const same =
          before?.length === tools.length && before.every((tool, i) => tool === tools[i]);
        if (!same) index.upsert(server, tools);
      }
    }
    if (options.scope !== undefined) {
      this.views.delete(options.scope);
      if (this.views.size >= VIEWS_KEPT) this.views.delete(this.views.keys().next().value!);
      this.views.set(options.scope, { generation: this.generation, index });
    }
    return index ?? this;
  }

  search(text: string, options: SearchOptions = {}): SearchHit[] {
    const view = this.view(options);
    if (view !== this) return view.search(text, options);
    this.indexPending();
    const query = text.slice(0, MAX_QUERY_READ);
    const groups = expandQuery(query, this);
    if (groups.length === 0 || (options.limit ?? 5) < 1) {
      options.onAvailable?.(0);
      return [];
    }
    if (this.postings.stale) this.postings.rebuild(this.docs, this.averages());
    const postings = this.postings;
    const { totals, matched, best, own, weights } = this.scratch();
    const { hintOnlyMatch, expansionMatch } = RANKING;
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
    const hits = this.rank(candidates, groups, query, options);
    for (const id of candidates) {
      totals[id] = 0;
      matched[id] = 0;
    }
    return hits;
  }

  /**
   * Why `server:tool` scores what it does for `text`: per query word, the index term that
   * matched best and the fields that hold it, then the coverage factor and the lifts. A separate
   * walk over one tool's postings: `search` itself is unchanged and pays nothing for it.
   */
  explain(text: string, server: string, tool: string, options: SearchOptions = {}): Explanation {
    // Counted over what the caller sees, as its search was.
    const view = this.view(options);
    if (view !== this) return view.explain(text, server, tool, options);
    const query = text.slice(0, MAX_QUERY_READ);
    const groups = expandQuery(query, this);
    const id = (this.byServer.get(server) ?? []).find((i) => this.docs[i]?.tool.name === tool);
    const words: Explanation["words"] = [];
    if (id === undefined) return { words, coverage: 0, base: 0, lift: 1, usage: 1, learned: 1 };
    if (this.postings.stale) this.postings.rebuild(this.docs, this.averages());
    const doc = this.docs[id]!;
    let total = 0;
    for (const group of groups) {
      let best: Explanation["words"][number] | undefined;
      for (const [term, weight] of group.terms) {
        const posting = this.postings.get(term);
        if (!posting) continue;
        const at: number = lowerBound<number>(posting.ids, id);
        if (posting.ids[at] !== id) continue;
        const n = posting.ids.length;
        const idf = Math.log(1 + (this.live - n + 0.5) / (n + 0.5));
        const score = weight * idf * posting.tf[at]!;
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
        uses > 0
          ? 1 + usageWeight * Math.min(1, Math.log1p(uses) / Math.log1p(usageSaturation))
          : 1,
      learned: pull > 0 ? 1 + LEARNED_MAX * Math.min(1, pull) : 1,
    };
  }

  /**
   * The top hits among the candidates. The coordination factor is cheap and applied to all;
   * the name and usage bonuses (together a bounded lift) only to candidates that could still
   * reach the top, which keeps a search over 10,000 tools well under a millisecond.
   */
  private rank(
    candidates: number[],
    groups: QueryGroup[],
    query: string,
    options: SearchOptions,
  ): SearchHit[] {
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
    if (options.onAvailable) {
      // Every document here passes `allow` (this is the caller's view, see `view`), and `base`
      // is 0 for another server's: the count needs no call per candidate.
      let available = 0;
      for (let i = 0; i < candidates.length; i++) if (base[i]! > 0) available++;
      options.onAvailable(available);
    }
    const { usageWeight, usageSaturation } = RANKING;
    // The most any lift can multiply a base score by.
    const signals = querySignals(groups, query);
    const most = maxLift(signals) * (1 + usageWeight) * (options.learned ? 1 + LEARNED_MAX : 1);
    const threshold = floor.length === limit ? floor[limit - 1]! / most : 0;
    const top: { id: number; score: number }[] = [];
    candidates.forEach((id, i) => {
      const doc = this.docs[id]!;
      if (base[i]! === 0 || base[i]! < threshold) return;
      let score = base[i]! * lift(doc.name, signals);
      const uses = options.usage?.(doc.server, doc.tool.name) ?? 0;
      if (uses > 0) {
        score *= 1 + usageWeight * Math.min(1, Math.log1p(uses) / Math.log1p(usageSaturation));
      }
      // A caller's repeated choice after much the same search: bounded, like the other lifts.
      const pull = options.learned?.(doc.server, doc.tool.name) ?? 0;
      if (pull > 0) score *= 1 + LEARNED_MAX * Math.min(1, pull);
      if (top.length === limit && !this.before(id, score, top[limit - 1]!)) return;
      if (!allowed(doc)) return;
      let at = top.length;
      while (at > 0 && this.before(id, score, top[at - 1]!)) at--;
      top.splice(at, 0, { id, score });
      if (top.length > limit) top.pop();
    });
    if (RANKING.usedAlternativeFirst) this.usedAlternativeFirst(top, options.usage);
    return top.map(({ id, score }) => ({
      server: this.docs[id]!.server,
      tool: this.docs[id]!.tool,
      score,
    }));
  }

  /**
   * Among alternatives in the results (twins, or one's name words within the other's on another
   * server: `puppeteer_screenshot` and `take_screenshot`), the one this caller used more takes the
   * better place: it chose that server's tool before, so it most likely means it again.
   */
  private usedAlternativeFirst(
    top: { id: number; score: number }[],
    usage: SearchOptions["usage"],
  ): void {
    if (!usage || top.length < 2) return;
    const uses = top.map(({ id }) => usage(this.docs[id]!.server, this.docs[id]!.tool.name));
    if (uses.every((count) => count === 0)) return;
    for (let i = 0; i < top.length; i++) {
      for (let j = i + 1; j < top.length; j++) {
        if (uses[j]! <= uses[i]! || top[j]!.score < ALTERNATIVE_SCORE * top[i]!.score) continue;
        if (!this.alternatives(top[i]!.id, top[j]!.id)) continue;
        [top[i]!.id, top[j]!.id] = [top[j]!.id, top[i]!.id];
        [uses[i], uses[j]] = [uses[j]!, uses[i]!];
      }
    }
  }

  /** Two tools of different servers whose names, less their servers' words, say the same thing. */
  private alternatives(a: number, b: number): boolean {
    const one = this.docs[a]!;
    const other = this.docs[b]!;
    if (one.server === other.server || !one.twin || !other.twin) return false;
    if (one.twin === other.twin) return true;
    const x = one.twin.split(" ");
    const y = other.twin.split(" ");
    const [small, large] = x.length <= y.length ? [x, y] : [y, x];
    return small.every((word) => large.includes(word));
  }

  /** Per-document accumulators, reused across searches (always left zeroed). */
  private scratch(): {
    totals: Float64Array;
    matched: Float64Array;
    best: Float64Array;
    own: Uint8Array;
    weights: Float64Array;
  } {
    if (!this.buffers || this.buffers.totals.length < this.docs.length) {
      const size = Math.max(this.docs.length, 64);
      this.buffers = {
        totals: new Float64Array(size),
        matched: new Float64Array(size),
        best: new Float64Array(size),
        own: new Uint8Array(size),
        weights: new Float64Array(size),
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

  /**
   * Counts (+1) or uncounts (−1) a server's tools in `describedFreq`, and its product-word
   * candidates in `productTerms`.
   */
  private countDescribed(server: string, ids: readonly number[], sign: 1 | -1): void {
    const counts = new Map<string, number>();
    for (const id of ids) {
      const { tf } = this.docs[id]!;
      const terms = new Set(DESCRIBED.flatMap((f) => [...tf[f]!.keys()]));
      for (const term of terms) {
        counts.set(term, (counts.get(term) ?? 0) + 1);
        const freq = (this.describedFreq.get(term) ?? 0) + sign;
        if (freq === 0) this.describedFreq.delete(term);
        else this.describedFreq.set(term, freq);
      }
    }
    if (ids.length < PRODUCT.tools) return;
    for (const [term, count] of counts) {
      if (count < PRODUCT.share * ids.length || term.length < 3) continue;
      const servers = this.productTerms.get(term) ?? new Map<string, number>();
      if (sign > 0) servers.set(server, count);
      else servers.delete(server);
      if (servers.size > 0) this.productTerms.set(term, servers);
      else this.productTerms.delete(term);
    }
  }

  private averages(): number[] {
    return this.lengthSums.map((sum) => (this.live ? Math.max(sum / this.live, 1) : 1));
  }

  private drop(server: string): boolean {
    const ids = this.byServer.get(server);
    if (!ids) return false;
    this.countDescribed(server, ids, -1);
    for (const id of ids) {
      const doc = this.docs[id]!;
      this.live--;
      doc.lengths.forEach((length, f) => {
        this.lengthSums[f]! -= length;
      });
      for (const term of doc.terms) {
        const count = this.docFreq.get(term)! - 1;
        if (count === 0) this.docFreq.delete(term);
        else this.docFreq.set(term, count);
      }
      if (!this.postings.stale) this.postings.remove(id, doc);
      this.docs[id] = undefined;
    }
    this.byServer.delete(server);
    return true;
  }

  private changed(): void {
    this.sortedTerms = undefined;
    this.serverWords = undefined;
    this.shortNames.clear();
    if (!this.postings.stale && this.postings.drifted(this.averages())) this.postings.stale = true;
    // Reclaim the slots of removed tools once they are the majority; ids change, so rebuild.
    if (this.docs.length > 64 && this.live < this.docs.length / 2) {
      const kept = this.docs.filter((doc): doc is Doc => doc !== undefined);
      this.docs = kept;
      this.byServer.clear();
      kept.forEach((doc, id) => {
        const ids = this.byServer.get(doc.server) ?? [];
        ids.push(id);
        this.byServer.set(doc.server, ids);
      });
      this.postings.stale = true;
    }
  }
}

/**
 * Words most of a server's tool names carry (`browser_` on a browser server, `maps_`): they name
 * the server's domain, not what one tool does, so twins are matched without them.
 */
function houseWords(tools: Tool[]): Set<string> {
  const counts = new Map<string, number>();
  for (const tool of tools) {
    for (const word of new Set(splitWords(tool.name)))
      counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const house = new Set<string>();
  if (tools.length < 3) return house;
  for (const [word, count] of counts) if (count >= tools.length / 2) house.add(toTerm(word));
  return house;
}

function toDoc(server: string, tool: Tool, hints?: string, house = new Set<string>()): Doc {
  const texts = toEntryTexts(server, tool, hints);
  const tf: Map<string, number>[] = [];
  const lengths: number[] = [];
  for (const field of FIELD_NAMES) {
    const counts = new Map<string, number>();
    const terms = tokenizeForIndex(texts[field]);
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    tf.push(counts);
    lengths.push(terms.length);
  }
  const terms = [...new Set(tf.flatMap((counts) => [...counts.keys()]))];
  const name = nameFeatures(server, tool, texts);
  return { server, tool, name, tf, lengths, terms, twin: twinOf(name, house) };
}

/** The words of a tool's name without its server's house words, sorted (`Doc.twin`). */
function twinOf(name: NameFeatures, house: Set<string>): string {
  return [...name.nameTerms.keys()]
    .filter((term) => !house.has(term))
    .sort()
    .join(" ");
}
