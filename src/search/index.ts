import type { Tool } from "../mcp/sdk.ts";
import { FIELD_NAMES, type Posting, Postings } from "./bm25f.ts";
import { DESCRIBED, type Doc, houseWords, toDoc } from "./doc.ts";
import type { Vocabulary } from "./expand.ts";
import {
  type Explanation,
  explainCorpus,
  type SearchHit,
  type SearchOptions,
  searchCorpus,
} from "./rank.ts";
import { numberSiblings } from "./signals.ts";
import { tokenize, toTerm } from "./tokenize.ts";
import { ScopeView, type ViewBudget, type Whole } from "./view.ts";
import { PRODUCT, productCandidate, properTerms, SHORT_NAME, shortNameIn } from "./words.ts";

export { RANKING } from "./bm25f.ts";
export {
  type Explanation,
  LEARNED_MAX,
  MAX_QUERY_CHARS,
  type SearchHit,
  type SearchOptions,
} from "./rank.ts";
export { PRODUCT } from "./words.ts";

/** The most query words whose short-name answer is remembered between index changes. */
const SHORT_NAMES_KEPT = 10_000;
/**
 * The most scopes whose view of the index is kept (`ToolIndex.view`): a gateway with hundreds
 * of keys keeps each key's. A view holds one bit per tool and a count per server it sees; what
 * it caches as searches read it is bounded by `VIEW_CACHE_BYTES` over all views together.
 */
const VIEWS_KEPT = 1024;
/** Bytes the kept views' caches (postings weighed for their scopes) may hold together, roughly. */
const VIEW_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * The index of every tool the gateway can reach; the only owner of ranking. BM25F over the
 * name, title, server, description (and its first sentence), parameter names, descriptions and
 * enums (bm25f.ts); queries expanded by synonyms, the English lexicon and typo repair
 * (expand.ts); scores lifted by bounded name, verb, read and server signals (signals.ts).
 */
export class ToolIndex implements Vocabulary, Whole {
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
  private count = 0;
  private sortedTerms: string[] | undefined;
  /** `serverOrder`'s answer since the servers last changed. */
  private order: Map<string, number> | undefined;
  /** The words of the servers' names, as terms (isServerWord). */
  private serverWords: Set<string> | undefined;
  /** `shortServerName`'s answers since the tools last changed. */
  private shortNames = new Map<string, string | undefined>();
  /** Tools per term in what they say they do (name, title, description): `productOf`. */
  private readonly describedFreq = new Map<string, number>();
  /**
   * Per term, the servers at least `PRODUCT.share` of whose tools say it (name, title,
   * description), or enough of whose tools write it capitalised (`productCandidate`), with how
   * many say it: the candidates for `productOf`.
   */
  private readonly productTerms = new Map<string, Map<string, number>>();

  /** Counts the changes of the tools, so a scope's view knows when it is out of date. */
  private changes = 0;
  /** Per scope: what it sees, least recently searched first. */
  private readonly views = new Map<string, ScopeView>();
  /** What the kept views' caches hold together. */
  private readonly budget: ViewBudget = { used: 0 };

  /** `hints`: requests people make of a tool (hints.ts), indexed as one more field. */
  constructor(private readonly hints?: (server: string, tool: Tool) => string | undefined) {}

  /** Replaces a server's tools. */
  upsert(server: string, tools: Tool[]): void {
    this.listed.delete(server);
    this.listed.set(server, tools);
    this.pending.delete(server);
    this.pending.set(server, tools);
    this.changes++;
  }

  /** Indexes every tool again at the next search (the hints changed: `search.tool_hints`). */
  reindex(): void {
    for (const [server, tools] of this.listed) {
      this.pending.delete(server);
      this.pending.set(server, tools);
    }
    this.changes++;
  }

  /**
   * What scopes see may have changed while the tools did not (a reload changed keys, profiles or
   * the tool policy; a tool entered or left quarantine): each view asks `allow` again at its next
   * search, and follows what changed.
   */
  rescope(): void {
    for (const view of this.views.values()) view.rescope();
  }

  remove(server: string): void {
    if (!this.listed.delete(server)) return;
    this.pending.delete(server);
    this.pending.set(server, undefined);
    this.changes++;
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
    tools.forEach((tool) => {
      const doc = toDoc(server, tool, this.hints?.(server, tool), house);
      const id = this.docs.push(doc) - 1;
      ids.push(id);
      this.count++;
      doc.lengths.forEach((length, f) => {
        this.lengthSums[f]! += length;
      });
      for (const term of doc.terms) this.docFreq.set(term, (this.docFreq.get(term) ?? 0) + 1);
      if (!this.postings.stale) this.postings.add(id, doc);
    });
    for (const { plural, singular } of numberSiblings(tools.map((t) => t.name))) {
      this.docs[ids[plural]!]!.name.many = true;
      this.docs[ids[singular]!]!.name.many = false;
    }
    this.byServer.set(server, ids);
    this.countDescribed(server, ids, 1);
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
    if (this.postings.stale) this.postings.rebuild(this.docs, this.averages());
    const doc = (id: number) => this.docs[id];
    const found = shortNameIn(term, this.serverWords!, this.postings.get(term), doc);
    // Queries are the user's: a bounded memo, like the stemmer's.
    if (this.shortNames.size >= SHORT_NAMES_KEPT) this.shortNames.clear();
    this.shortNames.set(term, found);
    return found;
  }

  /**
   * Vocabulary: the terms of the server's name a query word stands for when it is that server's
   * product word ("feishu" on the Lark server, whose every tool says "Feishu/Lark"): a word that
   * at least `PRODUCT.share` of one server's tools (of `PRODUCT.tools` or more) say in their name,
   * title or description, or that `PRODUCT.tools` or more of them write capitalised in a sentence
   * ("Codeup"), and that holds `PRODUCT.purity` of the tools saying it there. Undefined
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
   * What a search with `allow` ranks in: a view of the tools it allows alone, so that what it
   * hides (another key's tools, a quarantined one) weighs on no statistic (IDF, field lengths,
   * the vocabulary typos are repaired to, product and server words): it ranks as an index of
   * those tools alone would (ScopeView). This index when it allows everything. Kept per `scope`
   * (the `VIEWS_KEPT` most recently searched) and asked again when the tools change or `rescope`
   * is called.
   */
  view(options: SearchOptions): ToolIndex | ScopeView {
    if (!options.allow) return this;
    this.ready();
    if (options.scope === undefined) {
      const view = new ScopeView(this, options.allow);
      view.sync();
      return view;
    }
    let view = this.views.get(options.scope);
    // Least recently searched first: this scope moves to the end.
    if (view) this.views.delete(options.scope);
    else {
      if (this.views.size >= VIEWS_KEPT) {
        const [oldest, dropped] = this.views.entries().next().value!;
        dropped.shed();
        this.views.delete(oldest);
      }
      view = new ScopeView(this, options.allow, this.budget);
    }
    this.views.set(options.scope, view);
    view.sync(options.allow);
    // Over budget: the least recently searched views drop their caches first.
    for (const kept of this.views.values()) {
      if (this.budget.used <= VIEW_CACHE_BYTES || kept === view) break;
      kept.shed();
    }
    return view;
  }

  /** What the kept views' caches hold, in bytes (roughly), and how many views are kept. */
  viewMemory(): { views: number; bytes: number } {
    return { views: this.views.size, bytes: this.budget.used };
  }

  search(text: string, options: SearchOptions = {}): SearchHit[] {
    const view = this.view(options);
    if (view !== this) return view.search(text, options);
    this.ready();
    return searchCorpus(this, text, options);
  }

  /**
   * Why `server:tool` scores what it does for `text`: per query word, the index term that
   * matched best and the fields that hold it, then the coverage factor and the lifts. Counted
   * over what the caller sees, as its search was.
   */
  explain(text: string, server: string, tool: string, options: SearchOptions = {}): Explanation {
    const view = this.view(options);
    if (view !== this) return view.explain(text, server, tool, options);
    this.ready();
    return explainCorpus(this, text, server, tool, options);
  }

  /** Whole: indexes what changed and brings the postings up to date. */
  ready(): void {
    this.indexPending();
    if (this.postings.stale) this.postings.rebuild(this.docs, this.averages());
  }

  /** Whole: counts the changes of the tools. */
  generation(): number {
    return this.changes;
  }

  /** Whole: each server's ids. */
  servers(): Iterable<[string, readonly number[]]> {
    return this.byServer.entries();
  }

  /** Whole: each server's place in `servers()`, the same until the next change is indexed. */
  serverOrder(): ReadonlyMap<string, number> {
    this.order ??= new Map([...this.byServer.keys()].map((server, i) => [server, i]));
    return this.order;
  }

  /** Corpus: a document by id (call `ready` first). */
  doc(id: number): Doc | undefined {
    return this.docs[id];
  }

  /** Corpus: a document by id, the same as `doc` here. */
  entry(id: number): Doc | undefined {
    return this.docs[id];
  }

  /** Corpus: one past the largest id. */
  bound(): number {
    return this.docs.length;
  }

  /** Corpus: how many tools are indexed. */
  live(): number {
    return this.count;
  }

  /** Corpus: the postings of a term (call `ready` first). */
  posting(term: string): Posting | undefined {
    return this.postings.get(term);
  }

  /** Corpus: a server's ids. */
  ids(server: string): readonly number[] {
    return this.byServer.get(server) ?? [];
  }

  /**
   * Counts (+1) or uncounts (−1) a server's tools in `describedFreq`, and its product-word
   * candidates in `productTerms`.
   */
  private countDescribed(server: string, ids: readonly number[], sign: 1 | -1): void {
    const counts = new Map<string, number>();
    /** Per term, how many of these tools write it capitalised ("Codeup"). */
    const named = new Map<string, number>();
    for (const id of ids) {
      for (const term of properTerms(this.docs[id]!.tool))
        named.set(term, (named.get(term) ?? 0) + 1);
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
      if (term.length < 3 || !productCandidate(count, ids.length, () => named.get(term) ?? 0))
        continue;
      const servers = this.productTerms.get(term) ?? new Map<string, number>();
      if (sign > 0) servers.set(server, count);
      else servers.delete(server);
      if (servers.size > 0) this.productTerms.set(term, servers);
      else this.productTerms.delete(term);
    }
  }

  private averages(): number[] {
    return this.lengthSums.map((sum) => (this.count ? Math.max(sum / this.count, 1) : 1));
  }

  private drop(server: string): boolean {
    const ids = this.byServer.get(server);
    if (!ids) return false;
    this.countDescribed(server, ids, -1);
    for (const id of ids) {
      const doc = this.docs[id]!;
      this.count--;
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
    this.order = undefined;
    this.sortedTerms = undefined;
    this.serverWords = undefined;
    this.shortNames.clear();
    if (!this.postings.stale && this.postings.drifted(this.averages())) this.postings.stale = true;
    // Reclaim the slots of removed tools once they are the majority; ids change, so rebuild.
    if (this.docs.length > 64 && this.count < this.docs.length / 2) {
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
