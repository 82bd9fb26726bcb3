import { FIELD_NAMES, type Posting, packedWeigher, termWeight } from "./bm25f.ts";
import { type Doc, seenPart } from "./doc.ts";
import {
  type Corpus,
  type Explanation,
  explainCorpus,
  type SearchHit,
  type SearchOptions,
  searchCorpus,
} from "./rank.ts";
import { tokenize } from "./tokenize.ts";
import { productIn, SHORT_NAME, shortNameIn } from "./words.ts";

/** What a scope's view reads of the whole index (`ToolIndex`). */
export interface Whole extends Corpus {
  /** Counts the changes of the tools: a view built at another generation is out of date. */
  generation(): number;
  /** Indexes what changed and brings the postings up to date (ids may change). */
  ready(): void;
  /** Each server's ids, in its tools' order. */
  servers(): Iterable<[string, readonly number[]]>;
  /** Each server's place in `servers()`. */
  serverOrder(): ReadonlyMap<string, number>;
}

/** Bytes the caches of every kept view may hold together, roughly (`ViewBudget`). */
export interface ViewBudget {
  used: number;
}

/** Rough sizes of what a view caches, in bytes, for the budget. */
const SIZE = { posting: 160, entry: 13, word: 64, term: 8, doc: 600 };

/**
 * What one scope sees of the index: the tools `allow` passes, as a filter over the whole
 * index's documents and postings, with statistics of its own (tool count, average field
 * lengths, IDF, the vocabulary typos are repaired to, server and product words), so it ranks
 * exactly as an index built from those tools alone would. Building one asks `allow` about each
 * tool and sums their field lengths (milliseconds at 10,000 tools); a term's postings are
 * filtered and weighed with the view's averages when a search first reads it, and kept until
 * the tools change or the budget shared by all views is spent.
 */
export class ScopeView implements Corpus {
  /** The whole index's generation the view was built at; -1 when what scopes see changed. */
  private builtAt = -1;
  /** True when the scope sees every tool: it searches the whole index. */
  private all = false;
  /** Seen ids, one bit each. */
  private seen = new Uint32Array(0);
  private count = 0;
  private averages: number[] = [];
  /**
   * Per server, in the whole index's order (`serverOrder`), how many of its tools are in view:
   * four bytes a server, not a map per view.
   */
  private shown = new Int32Array(0);
  private order: ReadonlyMap<string, number> = new Map();
  /** Per server seen in part: its documents whose twins or number siblings differ (`seenPart`). */
  private readonly redone = new Map<string, Map<number, Doc>>();
  private readonly postings = new Map<string, Posting | null>();
  private readonly known = new Map<string, boolean>();
  private sorted: string[] | undefined;
  private words: Set<string> | undefined;
  private readonly shortNames = new Map<string, string | undefined>();
  private readonly products = new Map<string, string[] | undefined>();
  /** Bytes this view's caches hold, counted in the budget too. */
  private held = 0;

  constructor(
    private readonly whole: Whole,
    private allow: (server: string, tool: string) => boolean,
    private readonly budget: ViewBudget = { used: 0 },
  ) {}

  /** True when the view must ask `allow` again before its next search. */
  stale(): boolean {
    return this.builtAt !== this.whole.generation();
  }

  /** What scopes see changed (keys, profiles, the tool policy, quarantine): build again. */
  rescope(): void {
    this.builtAt = -1;
  }

  /** Brings the view up to date with the index (asking `allow`, the latest given, again). */
  sync(allow?: (server: string, tool: string) => boolean): void {
    this.whole.ready();
    if (allow) this.allow = allow;
    if (!this.stale()) return;
    this.shed();
    this.order = this.whole.serverOrder();
    this.shown = new Int32Array(this.order.size);
    const sums = FIELD_NAMES.map(() => 0);
    const seen = new Uint32Array((this.whole.bound() + 31) >>> 5);
    let count = 0;
    for (const [server, ids] of this.whole.servers()) {
      const at = this.order.get(server)!;
      let shown = 0;
      for (const id of ids) {
        const doc = this.whole.doc(id)!;
        if (!this.allow(server, doc.tool.name)) continue;
        seen[id >>> 5]! |= 1 << (id & 31);
        doc.lengths.forEach((length, f) => {
          sums[f]! += length;
        });
        shown++;
      }
      this.shown[at] = shown;
      count += shown;
    }
    this.all = count === this.whole.live();
    this.seen = this.all ? new Uint32Array(0) : seen;
    this.count = count;
    this.averages = sums.map((sum) => (count ? Math.max(sum / count, 1) : 1));
    this.builtAt = this.whole.generation();
  }

  /** Drops what the view caches (it fills again as searches read it). */
  shed(): void {
    for (const cache of [this.redone, this.postings, this.known, this.shortNames, this.products])
      cache.clear();
    this.sorted = undefined;
    this.words = undefined;
    this.budget.used -= this.held;
    this.held = 0;
  }

  /** Bytes the view's caches hold, roughly. */
  holds(): number {
    return this.held;
  }

  search(text: string, options: SearchOptions = {}): SearchHit[] {
    this.sync();
    return searchCorpus(this.all ? this.whole : this, text, options);
  }

  explain(text: string, server: string, tool: string, options: SearchOptions = {}): Explanation {
    this.sync();
    return explainCorpus(this.all ? this.whole : this, text, server, tool, options);
  }

  doc(id: number): Doc | undefined {
    const doc = this.entry(id);
    if (!doc || this.seenOf(doc.server) === this.whole.ids(doc.server).length) return doc;
    return this.redo(doc.server).get(id) ?? doc;
  }

  entry(id: number): Doc | undefined {
    return this.sees(id) ? this.whole.doc(id) : undefined;
  }

  bound(): number {
    return this.whole.bound();
  }

  live(): number {
    return this.count;
  }

  ids(server: string): readonly number[] {
    return this.whole.ids(server).filter((id) => this.sees(id));
  }

  posting(term: string): Posting | undefined {
    const cached = this.postings.get(term);
    if (cached !== undefined) return cached ?? undefined;
    const whole = this.whole.posting(term);
    let made: Posting | null = null;
    let n = 0;
    if (whole) for (let i = 0; i < whole.ids.length; i++) if (this.sees(whole.ids[i]!)) n++;
    if (whole && n > 0) {
      const ids = new Int32Array(n);
      const tf = new Float64Array(n);
      const own = new Uint8Array(n);
      const weigh = packedWeigher(this.averages);
      let at = 0;
      for (let i = 0; i < whole.ids.length; i++) {
        const id = whole.ids[i]!;
        if (!this.sees(id)) continue;
        ids[at] = id;
        const doc = this.whole.doc(id)!;
        tf[at] = whole.fields
          ? weigh(doc, term, whole.fields[i]!)
          : termWeight(doc, term, this.averages);
        own[at++] = whole.own[i]!;
      }
      made = { ids, tf, own };
    }
    this.postings.set(term, made);
    this.hold(SIZE.posting + n * SIZE.entry);
    return made ?? undefined;
  }

  has(term: string): boolean {
    const cached = this.postings.get(term);
    if (cached !== undefined) return cached !== null;
    let known = this.known.get(term);
    if (known === undefined) {
      known = this.any(term);
      this.known.set(term, known);
      this.hold(SIZE.word);
    }
    return known;
  }

  terms(): readonly string[] {
    if (!this.sorted) {
      this.sorted = this.whole.terms().filter((term) => this.any(term));
      this.hold(this.sorted.length * SIZE.term);
    }
    return this.sorted;
  }

  isServerWord(term: string): boolean {
    if (!this.words) {
      const seen = [...this.order.keys()].filter((server) => this.seenOf(server) > 0);
      this.words = new Set(seen.flatMap((server) => tokenize(server)));
      this.hold(this.words.size * SIZE.word);
    }
    return this.words.has(term);
  }

  shortServerName(term: string): string | undefined {
    if (term.length < SHORT_NAME || this.isServerWord(term)) return undefined;
    if (this.shortNames.has(term)) return this.shortNames.get(term);
    const doc = (id: number) => this.entry(id);
    const found = shortNameIn(term, this.words!, this.whole.posting(term), doc);
    this.shortNames.set(term, found);
    this.hold(SIZE.word);
    return found;
  }

  productOf(term: string): string[] | undefined {
    if (term.length < 3 || this.isServerWord(term)) return undefined;
    if (this.products.has(term)) return this.products.get(term);
    const tools = (server: string) => this.seenOf(server);
    const found = productIn(term, this.whole.posting(term), (id) => this.entry(id), tools);
    this.products.set(term, found);
    this.hold(SIZE.word);
    return found;
  }

  /** How many of a server's tools are in view. */
  private seenOf(server: string): number {
    const at = this.order.get(server);
    return at === undefined ? 0 : this.shown[at]!;
  }

  private sees(id: number): boolean {
    return ((this.seen[id >>> 5] ?? 0) & (1 << (id & 31))) !== 0;
  }

  /** True when some tool in view holds the term. */
  private any(term: string): boolean {
    const whole = this.whole.posting(term);
    if (!whole) return false;
    for (let i = 0; i < whole.ids.length; i++) if (this.sees(whole.ids[i]!)) return true;
    return false;
  }

  /** A server seen in part: its documents that differ from the whole index's, by id. */
  private redo(server: string): Map<number, Doc> {
    let redone = this.redone.get(server);
    if (redone) return redone;
    const ids = this.ids(server);
    const docs = ids.map((id) => this.whole.doc(id)!);
    redone = new Map();
    seenPart(docs).forEach((doc, i) => {
      const was = docs[i]!;
      if (doc.twin !== was.twin || doc.name.many !== was.name.many) redone!.set(ids[i]!, doc);
    });
    this.redone.set(server, redone);
    this.hold(SIZE.posting + redone.size * SIZE.doc);
    return redone;
  }

  private hold(bytes: number): void {
    this.held += bytes;
    this.budget.used += bytes;
  }
}
