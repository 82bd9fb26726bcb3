/**
 * BM25F postings: per index term, the tools that have it with their saturated, field-weighted,
 * length-normalised term frequency. Kept up to date as servers come and go; rebuilt whole only
 * when the average field lengths the weights depend on have drifted.
 */

/**
 * The ranking's constants, chosen on the dev split of bench/search/queries.json (the test split
 * is held out). Exported so the benchmark can measure alternatives; the gateway never changes them.
 */
export const RANKING = {
  /** Field weights: a word in a tool's name says more than one in a parameter's prose. */
  fields: {
    name: 3,
    title: 2,
    server: 1.5,
    summary: 2,
    description: 0.6,
    params: 0.3,
    paramText: 0.3,
    hints: 0.6,
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
    hints: 0.5,
  },
  k1: 1.2,
  /** Documents matching more of the query's words rank higher: score × coverage^coord. */
  coord: 1,
  /** Usage lifts a tool's score by at most this fraction, so it never outweighs relevance. */
  usageWeight: 0.1,
  /** Uses after which the usage lift stops growing. */
  usageSaturation: 20,
  /**
   * Among alternatives in one result (the same tool on two servers: two Git hosts, three browser
   * servers), the one this caller used more ranks first.
   */
  usedAlternativeFirst: true,
  /**
   * A query word a tool matches only through its hints counts this much towards the query's
   * coverage (coord): example requests are full of incidental words ("Alice", "yesterday"), and
   * a tool nobody wrote hints for has none to match.
   */
  hintOnlyMatch: 0.85,
  /**
   * A query word a tool matches only through an expansion of weight w (a synonym at 0.6, a
   * WordNet word at 0.35) counts 1 − expansionMatch × (1 − w) towards coverage, not 1: "find" in
   * a tool's text is a better match for "find" than "search" is.
   */
  expansionMatch: 0.8,
  /**
   * A tool without hints (a server nobody wrote them for) has its score multiplied by this:
   * hinted tools match more of a request's words through their hints alone, and would otherwise
   * outrank it on words it does not need. Chosen on the dev servers in four folds, each without
   * its hints (bench/search/heldout.ts --dev).
   */
  bare: 1.4,
};
export type Field = keyof typeof RANKING.fields;
export const FIELD_NAMES = Object.keys(RANKING.fields) as Field[];
/** The hints field's place in FIELD_NAMES. */
export const HINTS = FIELD_NAMES.indexOf("hints");
/** Lists are rebuilt once an average field length has moved this far from the one they used. */
const DRIFT = 0.2;

/** What the postings need of an indexed tool. */
export interface Weighable {
  /** Term frequencies per field, in FIELD_NAMES order. */
  tf: Map<string, number>[];
  lengths: number[];
  /** Its distinct terms over all fields. */
  terms: string[];
}

export interface Posting {
  /** Tool ids, ascending. */
  readonly ids: ArrayLike<number>;
  /** Saturated BM25F term frequency, tf·(k1+1)/(tf+k1), per id. */
  readonly tf: ArrayLike<number>;
  /** 1 where the tool's own text has the term, 0 where only its hints do. */
  readonly own: ArrayLike<number>;
  /**
   * Per id, the term's count in each field, 4 bits a field in FIELD_NAMES order (`packFields`):
   * what a scope's view weighs again with its own averages, without reading the tool's maps.
   */
  readonly fields?: ArrayLike<number>;
}

/** A packed field count that does not fit (a count over 15): read the tool's maps instead. */
const UNPACKED = 2 ** 32;

export class Postings {
  private lists = new Map<
    string,
    { ids: number[]; tf: number[]; own: number[]; fields: number[] }
  >();
  private averages: number[] = [];
  /** True until built, and after a drift: the next search rebuilds. */
  stale = true;

  get(term: string): Posting | undefined {
    return this.lists.get(term);
  }

  rebuild(docs: readonly (Weighable | undefined)[], averages: number[]): void {
    this.lists = new Map();
    this.averages = averages;
    docs.forEach((doc, id) => {
      if (doc) this.add(id, doc);
    });
    this.stale = false;
  }

  /** Adds a tool whose id is above every id indexed so far. */
  add(id: number, doc: Weighable): void {
    const packed = packFields(doc);
    for (const [term, tf] of this.weigh(doc)) {
      const own = doc.tf.some((counts, f) => f !== HINTS && counts.has(term)) ? 1 : 0;
      const fields = packed.get(term)!;
      const posting = this.lists.get(term);
      if (posting) {
        posting.ids.push(id);
        posting.tf.push(tf);
        posting.own.push(own);
        posting.fields.push(fields);
      } else this.lists.set(term, { ids: [id], tf: [tf], own: [own], fields: [fields] });
    }
  }

  remove(id: number, doc: Weighable): void {
    for (const term of doc.terms) {
      const posting = this.lists.get(term);
      if (!posting) continue;
      const at = lowerBound(posting.ids, id);
      if (posting.ids[at] !== id) continue;
      posting.ids.splice(at, 1);
      posting.tf.splice(at, 1);
      posting.own.splice(at, 1);
      posting.fields.splice(at, 1);
      if (posting.ids.length === 0) this.lists.delete(term);
    }
  }

  /** True when the current averages are too far from those the lists were weighted with. */
  drifted(averages: number[]): boolean {
    return averages.some((value, f) => Math.abs(value / this.averages[f]! - 1) > DRIFT);
  }

  /** A tool's BM25F term frequencies: Σ over fields of weight × tf / length normalisation. */
  private weigh(doc: Weighable): Map<string, number> {
    const weights = new Map<string, number>();
    FIELD_NAMES.forEach((field, f) => {
      const norm = lengthNorm(doc, f, this.averages);
      for (const [term, raw] of doc.tf[f]!) {
        weights.set(term, (weights.get(term) ?? 0) + (RANKING.fields[field] * raw) / norm);
      }
    });
    for (const [term, tf] of weights) weights.set(term, saturate(doc, tf));
    return weights;
  }
}

/**
 * One term's weight in one tool, as `Postings` weighs it with these averages (the same
 * arithmetic in the same order, so the same number): for a view that weighs only the terms
 * searched.
 */
export function termWeight(doc: Weighable, term: string, averages: readonly number[]): number {
  let sum: number | undefined;
  for (let f = 0; f < FIELD_NAMES.length; f++) {
    const raw = doc.tf[f]!.get(term);
    if (raw === undefined) continue;
    sum = (sum ?? 0) + (RANKING.fields[FIELD_NAMES[f]!] * raw) / lengthNorm(doc, f, averages);
  }
  return sum === undefined ? 0 : saturate(doc, sum);
}

/**
 * Weighs terms in tools from their packed field counts (`Posting.fields`) with these averages:
 * the same numbers as `termWeight` (the same arithmetic in the same order), without reading the
 * tools' maps or the ranking's tables per field.
 */
export function packedWeigher(
  averages: readonly number[],
): (doc: Weighable, term: string, packed: number) => number {
  const weights = FIELD_NAMES.map((field) => RANKING.fields[field]);
  const norms = FIELD_NAMES.map((field) => RANKING.lengthNorm[field]);
  return (doc, term, packed) => {
    if (packed >= UNPACKED) return termWeight(doc, term, averages);
    let sum: number | undefined;
    for (let f = 0; f < weights.length; f++) {
      const raw = (packed >>> (4 * f)) & 15;
      if (raw === 0) continue;
      const b = norms[f]!;
      sum = (sum ?? 0) + (weights[f]! * raw) / (1 - b + b * (doc.lengths[f]! / averages[f]!));
    }
    return sum === undefined ? 0 : saturate(doc, sum);
  };
}

/** Per term of a tool, its count in each field, 4 bits a field; `UNPACKED` or more past 15. */
function packFields(doc: Weighable): Map<string, number> {
  const packed = new Map<string, number>();
  doc.tf.forEach((counts, f) => {
    for (const [term, raw] of counts) {
      const bits = raw > 15 ? UNPACKED : raw * 16 ** f;
      packed.set(term, (packed.get(term) ?? 0) + bits);
    }
  });
  return packed;
}

/** BM25F's length normalisation of a tool's field. */
function lengthNorm(doc: Weighable, f: number, averages: readonly number[]): number {
  const b = RANKING.lengthNorm[FIELD_NAMES[f]!];
  return 1 - b + b * (doc.lengths[f]! / averages[f]!);
}

/** A summed term frequency saturated by k1 (a tool without hints: × RANKING.bare, here). */
function saturate(doc: Weighable, tf: number): number {
  const { k1 } = RANKING;
  const boost = doc.lengths[HINTS] === 0 ? RANKING.bare : 1;
  return (boost * tf * (k1 + 1)) / (tf + k1);
}

/** The first index in a sorted array whose value is not below `value`. */
export function lowerBound<T extends number | string>(sorted: ArrayLike<T>, value: T): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
