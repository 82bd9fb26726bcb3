import type { Tool } from "../mcp/sdk.ts";
import { normalizeQuery, type QueryGroup } from "./expand.ts";
import { type EntryTexts, enumValues, toEntryTexts } from "./fields.ts";
import { lemma } from "./lexicon.ts";
import { isWriteVerb, READ_VERBS, sameAction } from "./synonyms.ts";
import { isStopword, splitWords, tokenize, toTerm } from "./tokenize.ts";

/**
 * Signals beyond word overlap, each a bounded multiplier on a tool's BM25F score: how much of the
 * tool's name the query asks for, whether the tool's verb fits the query's, and whether the query
 * names the tool's server. Their sizes were chosen on the dev split of the search benchmark.
 */
export const LIFTS = {
  /** A query that covers every word of a tool's name lifts it by up to this fraction. */
  name: 1,
  /** A name word matched only through its stem ("comments" for "comment") counts this much. */
  stemOnly: 0.85,
  /**
   * A name word the query has in the other number ("items" for "an item", "item" for "the
   * items") counts this much: a server with both `create_item` and `create_items` means them apart.
   */
  numberOnly: 0.75,
  /** A query without a write verb lifts read-only tools by this fraction. */
  read: 0.15,
  /** A tool whose name starts with a verb the query does not ask for loses this fraction. */
  verbMismatch: 0.25,
  /** A query naming the tool's server ("... in gitlab") lifts it by up to this fraction. */
  server: 0.8,
  /**
   * A name word the request names only where something happens ("add a note *to my task*",
   * "a comment *on the paragraph*"), not what to act on, counts this much.
   */
  place: 0.5,
  /**
   * A request that quotes a structured value ("subscription.created", "mapbox/walking") a tool's
   * parameter takes as one of its enum values lifts that tool by up to this fraction.
   */
  value: 0.5,
  /**
   * Of two tools of one server named alike but for a word's number (`markIssueWontFix`,
   * `markIssuesWontFix`), a request about many things ("these 12 smells", "all of them") lifts
   * the plural one by this fraction.
   */
  many: 0.1,
};

/** The largest product of the lifts, which bounds how far a tool can climb. */
export function maxLift(query?: QuerySignals): number {
  const value = !query || query.values.length > 0 ? 1 + LIFTS.value : 1;
  const many = !query || query.many ? 1 + LIFTS.many : 1;
  return (1 + LIFTS.name) * (1 + LIFTS.read) * (1 + LIFTS.server) * value * many;
}

/** What a tool's name and server say, computed once when it is indexed. */
export interface NameFeatures {
  /** Distinct name terms without the server's own name ("github_", "asana_"), with surface words. */
  nameTerms: Map<string, string>;
  /** The name's verb (as a term) when it leads or ends it: "list" in `list_issues`, `invoice-list`. */
  verb: string | undefined;
  /** The description's first word as a term: the action it says, "stag" in "Stage files ...". */
  action: string | undefined;
  /** Read-only annotation, or a name that starts with get/list/search. */
  reads: boolean;
  serverTerms: string[];
  /** Its parameters' structured enum values, lower case ("subscription.created"): `enumValues`. */
  values: Set<string>;
  /**
   * True for the plural one of two tools of its server named alike but for a word's number,
   * false for the singular one, undefined otherwise (set by the index, which sees the server).
   */
  many?: boolean;
}

/** Generic creation verbs: "create_issue_link" answers "link two issues". */
const MAKERS = new Set(["create", "add", "new"].map(toTerm));

/** `texts`: the tool's index texts, when the caller has them already (name spelled out, summary). */
export function nameFeatures(
  server: string,
  tool: Tool,
  texts: Pick<EntryTexts, "name" | "summary"> = toEntryTexts(server, tool),
): NameFeatures {
  const serverTerms = [...new Set(tokenize(server))];
  const nameTerms = new Map<string, string>();
  for (const word of splitWords(texts.name)) {
    const term = toTerm(word);
    if (!serverTerms.includes(term) && !nameTerms.has(term)) nameTerms.set(term, word);
  }
  // Most names lead with the verb (`list_issues`); some end with it (`volume-attach`).
  const terms = [...nameTerms.keys()];
  const isVerb = (term: string | undefined) =>
    term !== undefined && (READ_VERBS.has(term) || isWriteVerb(term));
  const verb = isVerb(terms[0]) ? terms[0] : isVerb(terms.at(-1)) ? terms.at(-1) : undefined;
  const reads =
    tool.annotations?.readOnlyHint === true || (verb !== undefined && READ_VERBS.has(verb));
  const lead = splitWords(texts.summary)[0];
  const action = lead && !isStopword(lead) ? toTerm(lead) : undefined;
  const values = new Set(enumValues(tool).filter(isStructured));
  return { nameTerms, verb, action, reads, serverTerms, values };
}

/** What a query asks for, computed once per search. */
export interface QuerySignals {
  /** Best weight of each expanded term. */
  wanted: Map<string, number>;
  /** The query's own words, unstemmed (and the two words of a joined pair). */
  words: Set<string>;
  /**
   * Per expanded term, the inflections of the query words that reached it ("s" for "fields",
   * which reaches "property"): a name word of the same inflection ("properties") is as good as
   * the query's own word.
   */
  inflections: Map<string, Set<Inflection>>;
  /** The query's own terms that are write verbs; empty for a read query. */
  writeVerbs: string[];
  /** A question about how things are: a read, whatever verbs it names. */
  question: boolean;
  /** Expanded terms reached only by words of a place phrase ("to the table", "in my doc"). */
  placed: Set<string>;
  /** Structured values the request quotes, lower case ("subscription.created", "mapbox/walking"). */
  values: string[];
  /** The request is about many things: a count ("12 code smells"), "all", "these", "several". */
  many: boolean;
}

/** A count of two or more before a word, or a word that speaks of many things. */
const MANY =
  /(?<![#\w.,:/-])(?:[2-9]|[1-9]\d+)(?=\s+[a-z])|\b(?:all|these|those|multiple|several|many|both|bulk)\b/i;

/** A word joined to another by ".", "_", "/" or ":": an event, a profile, a setting's value. */
const STRUCTURED = /(?<![\w./:])[a-z][a-z0-9-]*(?:[._/:][a-z0-9][a-z0-9-]*)+(?![\w/:])/gi;

function isStructured(value: string): boolean {
  STRUCTURED.lastIndex = 0;
  const match = STRUCTURED.exec(value);
  return match !== null && match[0].length === value.length;
}

/**
 * A question about how things are ("who still has to approve ...", "which pipelines ran",
 * "how many tasks ...") asks to read, whatever verbs it holds; "how do I ..." and
 * "can you ..." are requests, and stay as they are.
 */
const QUESTION =
  /^\s*(?:who|whom|whose|what|which|when|where|why|is|are|was|were|did|does|has|have|had|how(?!\s+(?:do|can|should|would|to)\b))\b/i;

/**
 * "Is there a way to ...", "is it possible to ...", "which tool can ...", "what should I use
 * to ...": asking for a capability is a request, not a question about state.
 */
const CAPABILITY_QUESTION =
  /^\s*(?:(?:is|are)\s+(?:there|it\s+possible)|(?:which|what)\s+(?:tools?|functions?|commands?|servers?|should|could|can)\b)/i;

export function querySignals(groups: QueryGroup[], query = ""): QuerySignals {
  const wanted = new Map<string, number>();
  for (const group of groups) {
    for (const [term, weight] of group.terms) {
      if (weight > (wanted.get(term) ?? 0)) wanted.set(term, weight);
    }
  }
  const words = new Set(groups.flatMap((group) => [group.word, ...(group.parts ?? [])]));
  const inflections = new Map<string, Set<Inflection>>();
  for (const group of groups) {
    // "who ..." asks for the people (users, members) who are: many, unless one is named.
    const inflection = group.word === "who" ? "s" : inflectionOf(group.word);
    if (!inflection) continue;
    for (const term of group.terms.keys()) {
      const set = inflections.get(term) ?? new Set<Inflection>();
      set.add(inflection);
      inflections.set(term, set);
    }
  }
  const question = QUESTION.test(query) && !CAPABILITY_QUESTION.test(query);
  // A request names its action in the base form ("run", "modify"); "running" and "modified"
  // describe a state the user asks about, which is a read.
  const writeVerbs = question
    ? []
    : groups
        .filter((group) => isBaseForm(group.word))
        .map((group) => toTerm(group.word))
        .filter(isWriteVerb);
  // A read names what it reads by its container ("what files are in this directory"); an action
  // names what it acts on before where ("add a column to the table").
  const places = writeVerbs.length > 0 ? placeWords(query) : new Set<string>();
  const placed = new Set<string>();
  const acted = new Set<string>();
  for (const group of groups) {
    const where = places.has(group.word) ? placed : acted;
    for (const term of group.terms.keys()) where.add(term);
  }
  for (const term of acted) placed.delete(term);
  const values = [...new Set((query.match(STRUCTURED) ?? []).map((value) => value.toLowerCase()))];
  const many = MANY.test(query);
  return { wanted, words, inflections, writeVerbs, question, placed, values, many };
}

/** A verb of the verb lists here ("list", "create"). */
function isAVerb(word: string): boolean {
  const term = toTerm(word);
  return READ_VERBS.has(term) || isWriteVerb(term);
}

/** Prepositions that open a place phrase: where the action happens, not what it acts on. */
const PLACE = new Set("in on to into onto inside within from at under".split(" "));
/** Words that end a place phrase: the next clause, a conjunction, another preposition. */
const PLACE_END = new Set(
  "and or but so that which who whose saying says with for by when whenever if as than then".split(
    " ",
  ),
);

/**
 * The words of a request's place phrases: "add a note *to my tax return task*", "move it *into
 * the Finance folder*". "to" before a verb is not a place ("I want to create ...").
 */
export function placeWords(query: string): Set<string> {
  const places = new Set<string>();
  for (const clause of normalizeQuery(query).split(/[,.;:!?()]/)) {
    const words = splitWords(clause);
    let inside = false;
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      if (PLACE.has(word)) {
        const next = words[i + 1];
        inside = !(word === "to" && next !== undefined && isAVerb(next));
        continue;
      }
      if (PLACE_END.has(word)) inside = false;
      else if (inside && !isStopword(word)) places.add(word);
    }
  }
  return places;
}

type Inflection = "s" | "ed" | "ing";

/** A word's inflection: a plural or third person ("fields"), a past participle, a gerund. */
export function inflectionOf(word: string): Inflection | undefined {
  if (word.length > 4 && word.endsWith("ing")) return "ing";
  if (word.length > 3 && word.endsWith("ed")) return "ed";
  if (word.length > 3 && word.endsWith("s") && !/(ss|us|is)$/.test(word)) return "s";
  return undefined;
}

function sameInflection(word: string, inflections: Set<Inflection> | undefined): boolean {
  if (!inflections) return false;
  const inflection = inflectionOf(word);
  return inflection !== undefined && inflections.has(inflection);
}

/** True for a word that is not an inflected verb form: "run", "ping", not "running", "ran". */
function isBaseForm(word: string): boolean {
  return lemma(word) === word && !(word.length > 5 && /(ing|ed)$/.test(word));
}

/** The multiplier the signals give one tool for one query. */
export function lift(tool: NameFeatures, query: QuerySignals): number {
  let factor = 1 + LIFTS.name * nameCoverage(tool, query);
  if (query.writeVerbs.length === 0 && tool.reads) factor *= 1 + LIFTS.read;
  if (verbMismatch(tool, query)) factor *= 1 - LIFTS.verbMismatch;
  if (tool.serverTerms.length > 0) {
    const named = tool.serverTerms.filter((term) => query.wanted.get(term) === 1).length;
    factor *= 1 + (LIFTS.server * named) / tool.serverTerms.length;
  }
  if (tool.values.size > 0 && query.values.length > 0) {
    const quoted = query.values.filter((value) => tool.values.has(value)).length;
    factor *= 1 + (LIFTS.value * quoted) / query.values.length;
  }
  if (query.many && tool.many) factor *= 1 + LIFTS.many;
  return factor;
}

/**
 * How much of the tool's name the query asks for: 1 when every name word is a query word. A name
 * word reached only through its stem ("comment" for "comments") counts less, unless it has the
 * same inflection as the query word that reached it ("properties" for "fields").
 */
function nameCoverage(tool: NameFeatures, query: QuerySignals): number {
  if (tool.nameTerms.size === 0) return 0;
  let covered = 0;
  for (const [term, word] of tool.nameTerms) {
    const wanted = query.wanted.get(term);
    if (wanted === undefined) continue;
    const weight = query.placed.has(term) ? wanted * LIFTS.place : wanted;
    const same = query.words.has(word) || sameInflection(word, query.inflections.get(term));
    if (same) covered += weight;
    else if (inflectionOf(word) === "s" || query.inflections.get(term)?.has("s"))
      covered += weight * LIFTS.numberOnly;
    else covered += weight * LIFTS.stemOnly;
  }
  return covered / tool.nameTerms.size;
}

/**
 * A tool named for an action the query does not ask for: `delete_comment` for "comment on a
 * card", `create_table` for "what tables are there". Creation verbs fit a query whose verb the
 * name holds as a noun (`create_issue_link` for "link two issues").
 */
function verbMismatch(tool: NameFeatures, query: QuerySignals): boolean {
  const verb = tool.verb;
  if (!verb) return false;
  // A question ("which pipelines ran", "who approved it") asks for no change, even when it
  // names the verb of a tool that makes one.
  if (query.question) return !READ_VERBS.has(verb);
  if (query.wanted.has(verb)) return false;
  // The description's verb counts too: `git_add` says "Stage files for commit".
  if (tool.action && query.wanted.has(tool.action)) return false;
  if (query.writeVerbs.length === 0) return !READ_VERBS.has(verb);
  if (MAKERS.has(verb) && query.writeVerbs.some((term) => tool.nameTerms.has(term))) return false;
  // A verb of the kind the query asks for: "start a thread" and `create_forum_post`.
  return !query.writeVerbs.some((term) => sameAction(term, verb));
}

/**
 * The number siblings among a server's tools: two names alike but for one word, which one of them
 * has in the plural (`markIssueWontFix`, `markIssuesWontFix`; `create_item`, `create_items`).
 * Returns the plural one's and the singular one's positions.
 */
export function numberSiblings(names: readonly string[]): { plural: number; singular: number }[] {
  const byKey = new Map<string, number[]>();
  const words = names.map((name) => splitWords(name).map((word) => word.toLowerCase()));
  words.forEach((parts, i) => {
    const key = parts.map((word) => toTerm(word)).join(" ");
    const same = byKey.get(key) ?? [];
    same.push(i);
    byKey.set(key, same);
  });
  const pairs: { plural: number; singular: number }[] = [];
  for (const same of byKey.values()) {
    if (same.length !== 2) continue;
    const [a, b] = same as [number, number];
    const differ = words[a]!.flatMap((word, k) => (word === words[b]![k] ? [] : [k]));
    if (differ.length !== 1 || words[a]!.length !== words[b]!.length) continue;
    const k = differ[0]!;
    const pluralA = inflectionOf(words[a]![k]!) === "s";
    const pluralB = inflectionOf(words[b]![k]!) === "s";
    if (pluralA === pluralB) continue;
    pairs.push(pluralA ? { plural: a, singular: b } : { plural: b, singular: a });
  }
  return pairs;
}
