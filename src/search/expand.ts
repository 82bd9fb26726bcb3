import { lowerBound } from "./bm25f.ts";
import { editDistance } from "./distance.ts";
import { baseForm, derivedForms, lemma, lexiconSynonyms } from "./lexicon.ts";
import { isWriteVerb, phrasalVerbs, READ_VERBS, synonymsOf, unabbreviate } from "./synonyms.ts";
import { isStopword, splitWords, toTerm } from "./tokenize.ts";

/** What query expansion needs from the index: which terms exist. */
export interface Vocabulary {
  has(term: string): boolean;
  /** All index terms, sorted. */
  terms(): readonly string[];
  /** True when the term is a word of some server's name ("sentry", "airtable"). */
  isServerWord?(term: string): boolean;
  /** The server-name term a word is the short form of ("argo" for `argocd`), if any. */
  shortServerName?(term: string): string | undefined;
  /** The terms of the server's name a product word stands for ("feishu" on `lark`), if any. */
  productOf?(term: string): string[] | undefined;
}

/** One word of the query and the index terms that stand for it, each with a weight ≤ 1. */
export interface QueryGroup {
  word: string;
  terms: Map<string, number>;
  /** The two query words a joined group was made of ("merge", "requests" for "mergerequests"). */
  parts?: [string, string];
}

/** Weights of each kind of expansion, relative to the word itself (1). */
export const WEIGHTS = {
  synonym: 0.6,
  derived: 0.7,
  lexicon: 0.35,
  prefix: 0.45,
  typo1: 0.75,
  typo2: 0.5,
  split: 0.8,
  /** "who ..." → the tools of users and members, which no word of the question names. */
  who: 0.5,
  /** "is my crawl finished yet" → a status tool: asking whether work is done asks its status. */
  state: 0.9,
  /** "leave a comment", "file a bug": a verb no list knows, before "a" thing, creates it. */
  newThing: 0.5,
  /** "did main pass the quality gate?": any other yes/no question about a thing asks its status. */
  yesNo: 0.5,
  /** "anything on my calendar about the offsite": asking for what is about something searches. */
  topic: 0.5,
  /** A capitalised word inside a sentence ("Alice", "Berlin"): a name, not what to do. */
  name: 0.6,
  /** A phrasal verb's meaning ("keep me posted" → subscribe, watch, notify): all but the words. */
  phrase: 0.8,
  /** "open it again" → `reopen`, "run it again" → `rerun`: a verb done again, where a tool names it so. */
  again: 0.9,
  /** "argo" → `argocd`, "sonar" → `sonarqube`: a server's name as its own tools shorten it. */
  shortName: 1,
  /** "feishu" → `lark`: a word nearly only one server's tools say, and most of them do. */
  product: 1,
  /**
   * A word only of a sentence that asks for nothing, beside one that asks ("can you open a ticket
   * in Plane? *the dark mode toggle doesnt stick*"): what the thing is about, not which tool.
   */
  context: 0.5,
};
const MAX_QUERY_WORDS = 24;
/** A request that opens with a verb and "a" or "an" thing: "leave a comment", "log a new call". */
const NEW_THING = /^\s*(?:please\s+)?([a-z]+)\s+(?:a|an)\s+(?:new\s+)?([a-z]+)/i;
const MAKE = ["create", "add"].map(toTerm);
/** A question about people: "who's in our workspace", "who can merge". */
const WHO = /^\s*who(?:'s|se|m)?\b/i;
const PEOPLE = ["user", "member", "person", "people"].map(toTerm);
/** A yes/no question whether some work is done: "is my crawl finished yet?". */
const DONE_QUESTION = /^\s*(?:is|are|has|have)\b.*\b(?:done|finished|complete|completed|ready)\b/i;
const DONE = /^(?:done|finished|complete|completed|ready)$/;
const STATUS = toTerm("status");
/** A yes/no question ("did the deploy pass?"), not one about a way to do something ("is there ..."). */
const YES_NO = /^\s*(?:is|are|was|were|did|does|has|have)\b(?!\s+(?:there|it\s+possible)\b)/i;
/** Words that ask for things by their content: "papers about transformers", "rows mentioning Berlin". */
const TOPIC =
  /\b(?:about|mentions?|mentioning|mentioned|contains?|containing|matching|regarding)\b/i;
const SEARCH = ["search", "find", "query"].map(toTerm);
/** A handle: "#oncall", "@percy". */
const HANDLE = /[#@]([\w-]+)/g;
/** A request to do something once more: its verb's "re-" form ("open ... again" → reopen). */
const AGAIN = /\bagain\b/i;

/**
 * Turns a query into groups of weighted index terms: the word's own term, its synonyms from the
 * domain table, derived forms and synonyms from the English lexicon, and for words the index
 * does not know, the vocabulary terms they are probably a typo, a prefix or a compound of.
 */
export function expandQuery(query: string, vocabulary: Vocabulary): QueryGroup[] {
  const groups: QueryGroup[] = [];
  const seen = new Set<string>();
  const names = namesIn(query);
  const { rest, meanings } = phrasalVerbs(
    normalizeQuery(query, (name) => vocabulary.isServerWord?.(toTerm(name)) === true),
  );
  for (const words of meanings) {
    const terms = new Map<string, number>();
    for (const term of words.map(toTerm)) if (vocabulary.has(term)) terms.set(term, WEIGHTS.phrase);
    if (terms.size > 0) groups.push({ word: words[0]!, terms });
  }
  const all = splitWords(rest)
    .filter((word) => !/^v?\d+$/.test(word))
    .flatMap(unabbreviate);
  const words = all.filter((word) => !isStopword(word));
  const again = AGAIN.test(query);
  // "#oncall", "@percy": a channel's or a person's handle names that thing, not a product.
  const handles = new Set(Array.from(query.matchAll(HANDLE), ([, name]) => name!.toLowerCase()));
  // "data sources" → "datasources", "on call" → "oncall": two words the tools write as one
  // become one group, the joined term first and each part at a discount.
  const joined = new Set<string>();
  const hyphens = query.toLowerCase();
  for (let i = 0; i + 1 < all.length && i < MAX_QUERY_WORDS; i++) {
    // Two words that carry no meaning make none together ("do I" is not "doi", "for me" not
    // "forme"), unless the request hyphenates them into one ("to-do").
    const hyphenated = () => hyphens.includes(`${all[i]}-${all[i + 1]}`);
    if (isStopword(all[i]!) && isStopword(all[i + 1]!) && !hyphenated()) continue;
    const word = all[i]! + all[i + 1]!;
    const term = toTerm(word);
    if (!vocabulary.has(term) || seen.has(term)) continue;
    seen.add(term);
    const terms = new Map([[term, 1]]);
    for (const synonym of synonymsOf(term)) {
      if (vocabulary.has(synonym)) terms.set(synonym, WEIGHTS.synonym);
    }
    for (const part of [all[i]!, all[i + 1]!]) {
      joined.add(part);
      const partTerm = toTerm(part);
      if (!isStopword(part) && vocabulary.has(partTerm)) terms.set(partTerm, WEIGHTS.split);
    }
    groups.push({ word, terms, parts: [all[i]!, all[i + 1]!] });
  }
  for (const word of words.slice(0, MAX_QUERY_WORDS)) {
    const term = toTerm(word);
    if (seen.has(term) || joined.has(word)) continue;
    seen.add(term);
    const terms = new Map<string, number>();
    const add = (candidate: string, weight: number) => {
      if (vocabulary.has(candidate) && weight > (terms.get(candidate) ?? 0)) {
        terms.set(candidate, weight);
      }
    };
    add(term, 1);
    // "in argo", "the sonar project": the short form of a server's name names the server.
    const server = vocabulary.shortServerName?.(term);
    if (server) add(server, WEIGHTS.shortName);
    // A product's name is not an English word ("feishu", "kubectl"); "draw" on a chart server is.
    const product = handles.has(word) ? undefined : vocabulary.productOf?.(term);
    if (product && !isWord(word)) for (const name of product) add(name, WEIGHTS.product);
    for (const synonym of synonymsOf(term)) add(synonym, WEIGHTS.synonym);
    if (again && word.length >= 3) {
      const redo = toTerm(`re${word}`);
      if (!vocabulary.isServerWord?.(redo)) add(redo, WEIGHTS.again);
    }
    const base = baseForm(word);
    for (const form of new Set([...derivedForms(word), ...derivedForms(base)])) {
      const formTerm = toTerm(form);
      add(formTerm, WEIGHTS.derived);
      for (const synonym of synonymsOf(formTerm)) add(synonym, WEIGHTS.derived * WEIGHTS.synonym);
    }
    // WordNet synonyms are broad ("find" → "notice"): measured, they help only for words the
    // tools never use ("altitude" → "height"), so they stand in for such words alone.
    if (!vocabulary.has(term)) {
      for (const synonym of new Set([...lexiconSynonyms(word), ...lexiconSynonyms(base)])) {
        add(toTerm(synonym), WEIGHTS.lexicon);
      }
    }
    if (terms.size === 0 && word.length >= 4) repair(word, term, vocabulary, add);
    if (terms.size > 0) groups.push({ word, terms });
  }
  mergeSynonyms(groups);
  const context = contextWords(query);
  for (const group of groups) {
    if (!context.has(group.word) || namesServer(group, vocabulary)) continue;
    if (vocabulary.isServerWord?.(toTerm(group.word))) continue;
    for (const [term, weight] of group.terms) group.terms.set(term, weight * WEIGHTS.context);
  }
  for (const group of groups) {
    if (!names.has(group.word) || vocabulary.isServerWord?.(toTerm(group.word))) continue;
    // A product's name ("Feishu" for `lark`) names its server, as the server's own name does.
    if (namesServer(group, vocabulary)) continue;
    for (const [term, weight] of group.terms) group.terms.set(term, weight * WEIGHTS.name);
  }
  askedOf(query, groups, vocabulary);
  return groups;
}

/** A sentence that asks for something: a question, a verb first, "can you", "please", "I need". */
const ASKS =
  /\?\s*$|^\s*(?:(?:hey|ok|okay|so|now|also|and|then)\b[\s,]*)*(?:please\s+)?(?:who|what|which|when|where|why|how|is|are|was|were|did|does|do|has|have|can|could|would|will)\b|\b(?:can|could|would)\s+you\b|\bplease\b|\bi\s+(?:want|need|would\s+like|'d\s+like)\b/i;

/**
 * The words of a request's sentences that ask for nothing, beside one that does: "hey, can you
 * open a ticket in Plane? *the dark mode toggle doesnt stick after a reload*". They tell what
 * the thing is about, not which tool makes it. Words the asking sentences have too stay.
 */
function contextWords(query: string): Set<string> {
  const words = new Set<string>();
  const sentences = query.split(/(?<=[.?!;])\s+/).filter((each) => /[a-z]{2}/i.test(each));
  if (sentences.length < 2) return words;
  const isVerb = (word: string) => READ_VERBS.has(toTerm(word)) || isWriteVerb(toTerm(word));
  const asks = (sentence: string) => {
    if (ASKS.test(sentence)) return true;
    const first = splitWords(sentence).find((word) => !isStopword(word));
    return first !== undefined && isVerb(first) && splitWords(sentence)[0] === first;
  };
  const asking = sentences.filter(asks);
  if (asking.length === 0 || asking.length === sentences.length) return words;
  const kept = new Set(asking.flatMap((sentence) => splitWords(sentence)));
  for (const sentence of sentences)
    if (!asking.includes(sentence))
      for (const word of splitWords(sentence)) if (!kept.has(word)) words.add(word);
  return words;
}

/** True when a group stands for a server's name at full weight (a product word, a short form). */
function namesServer(group: QueryGroup, vocabulary: Vocabulary): boolean {
  for (const [term, weight] of group.terms)
    if (weight === 1 && term !== toTerm(group.word) && vocabulary.isServerWord?.(term)) return true;
  return false;
}

/**
 * Two words of the request that are synonyms of each other ("make a new doc", "create a new
 * issue", "search and find") say one thing twice: the later one keeps its own term and loses the
 * synonyms they share. Otherwise a tool named for a rare synonym of both ("insert") would score
 * it twice and outrank the one the request names. Each still counts towards coverage.
 */
function mergeSynonyms(groups: QueryGroup[]): void {
  for (let i = 0; i < groups.length; i++) {
    const one = groups[i]!;
    const own = toTerm(one.word);
    for (let j = i + 1; j < groups.length; j++) {
      const other = groups[j]!;
      const theirs = toTerm(other.word);
      if (one.parts || other.parts || one.terms.get(own) !== 1 || other.terms.get(theirs) !== 1)
        continue;
      if (!one.terms.has(theirs) || !other.terms.has(own)) continue;
      for (const term of one.terms.keys()) if (term !== theirs) other.terms.delete(term);
    }
  }
}

/**
 * What a request asks for beyond its words: "who ..." asks for people (a group of its own, so
 * tools of users and members match it), "is ... done yet" and any other yes/no question ask for a
 * status, a request for what is "about" or "mentions" something asks to search, unless it names
 * a search already, and a verb no list knows before "a" thing ("leave a comment") makes one.
 */
function askedOf(query: string, groups: QueryGroup[], vocabulary: Vocabulary): void {
  const searches = groups.some((group) => SEARCH.some((term) => group.terms.get(term) === 1));
  if (TOPIC.test(query) && !searches) {
    const terms = new Map(
      SEARCH.filter((term) => vocabulary.has(term)).map((term) => [term, WEIGHTS.topic]),
    );
    if (terms.size > 0) groups.push({ word: "about", terms });
  }
  // "leave a comment", "log a call", "file a bug": a verb no list knows, then "a" thing, makes one.
  // The thing must be one the catalog knows: "summon a dragon" asks for nothing that exists.
  const [, opening, thing] = NEW_THING.exec(query.toLowerCase()) ?? [];
  if (
    opening &&
    thing &&
    !isStopword(opening) &&
    !isWriteVerb(toTerm(opening)) &&
    !READ_VERBS.has(toTerm(opening)) &&
    groups.some((group) => group.terms.has(toTerm(thing)))
  ) {
    const terms = new Map(
      MAKE.filter((term) => vocabulary.has(term)).map((term) => [term, WEIGHTS.newThing]),
    );
    if (terms.size > 0) groups.push({ word: "make", terms });
  }
  if (WHO.test(query)) {
    const terms = new Map(
      PEOPLE.filter((term) => vocabulary.has(term)).map((term) => [term, WEIGHTS.who]),
    );
    if (terms.size > 0) groups.push({ word: "who", terms });
  }
  if (DONE_QUESTION.test(query) && vocabulary.has(STATUS)) {
    const word = splitWords(query).find((each) => DONE.test(each))!;
    const group = groups.find((each) => each.word === word);
    if (!group) groups.push({ word, terms: new Map([[STATUS, WEIGHTS.state]]) });
    else if ((group.terms.get(STATUS) ?? 0) < WEIGHTS.state) group.terms.set(STATUS, WEIGHTS.state);
  } else if (YES_NO.test(query) && vocabulary.has(STATUS) && groups.length > 0) {
    // "did main pass the quality gate?", "is payments-api in sync?": a yes or no about a thing
    // asks for its state, whatever the words of that state (a thing the catalog knows of).
    if (!groups.some((group) => group.terms.has(STATUS)))
      groups.push({ word: "status", terms: new Map([[STATUS, WEIGHTS.yesNo]]) });
  }
}

/** A capitalised word after a lower-case word or a comma: "Alice", "Berlin", "Leads". */
const NAME = /(?<=[a-z0-9,;:]\s+)[A-Z][a-z]+\b/g;

/**
 * The words of a request that name something rather than say what to do: "remember that *Alice*
 * works at *Acme*", "which rows mention *Berlin*". Lower-cased, as query words are.
 */
function namesIn(query: string): Set<string> {
  return new Set(Array.from(query.matchAll(NAME), ([word]) => word.toLowerCase()));
}

/** A host name and a path: "docs.stripe.com/api", "github.com/original/project". */
const DOMAIN_PATH = /(?<![\w@./-])(?:[a-z0-9-]+\.)+(?:com|io|net|org|dev|app|ai|co|cloud)\/\S*/gi;
/** A bare domain: "monday.com", "acme.dev"; its name is the label before the top-level domain. */
const DOMAIN =
  /(?<![\w@./-])(?:[a-z0-9-]+\.)*([a-z0-9-]+)\.(?:com|io|net|org|dev|app|ai|co|cloud)\b(?![\w/-]|\.\w)/gi;

/** A quoted value, in double or single quotes: `"update the changelog"`, `'Fix checkout bug'`. */
const QUOTED =
  /(^|\s)(?:["\u201c][^"\u201d]{1,80}["\u201d]|['\u2018][^'\u2019]{1,80}['\u2019])(?=[\s.,;:!?)]|$)/g;
/**
 * A file name by its extension: "config.ini", "app.log", "report.pdf". It starts where a run of
 * name characters starts (not at every word boundary inside one), so a long run without an
 * extension ("a-a-a-...") is read once, not once per word in it.
 */
const FILE_NAME =
  /(?<![\w-])[\w-]+\.(?:ini|conf|cfg|env|json|jsonl|ya?ml|toml|xml|csv|tsv|txt|md|log|pdf|docx?|xlsx?|pptx?|png|jpe?g|gif|svg|webp|html?|css|jsx?|tsx?|mjs|py|rb|go|rs|java|kt|swift|c|cc|cpp|h|sh|sql|lock|zip|tar|gz)\b/gi;

const ENDS_IN_FILE_NAME = new RegExp(`${FILE_NAME.source}$`, "i");
/**
 * `owner/repo` ("facebook/react"), not a pair of words ("read/write"), acronyms ("CI/CD") or a
 * short abbreviation and a word ("lat/long"). The
 * name's letter is found by a lookahead: `[\w.-]*[A-Za-z][\w.-]*` splits a long name in
 * quadratically many ways before it gives up.
 */
const OWNER_REPO =
  /(^|\s)([A-Za-z0-9][\w.-]*)\/((?=[\w.-]*[A-Za-z])[\w.-]+)(?=[\s,;:!?)]|[.](?:\s|$)|$)/g;
/** A run of name characters, whole: a candidate for `HEX_RUN`. */
const NAME_RUN = /(?<![\w/])[\w-]+/g;
/** A generated name or hash ("api-7f9c", "a1b2c3d4"): a hex run holding both digits and letters. */
const HEX_RUN = /\b(?=[a-f]*\d)(?=\d*[a-f])[0-9a-f]{4,}\b/i;

function isWord(word: string): boolean {
  return (
    isStopword(word) ||
    lemma(word) !== word ||
    lexiconSynonyms(word).length > 0 ||
    derivedForms(word).length > 0
  );
}

/**
 * Replaces values a user pastes into a request with the word for their kind, which is what a
 * tool's parameters are named after: a URL with "url", an email address with "email", a path
 * with "path", a glob (`*.log`) with "pattern", `owner/repo` with "repository", an issue key
 * (`ENG-88`) with "issue"; a generated id (`api-7f9c`) goes; a file name gains "file". Their
 * pieces ("https", "com") would only match noise. A quoted value ("add a to-do \"update the
 * changelog\"") is content, not the request: it goes. "How many" asks to count. A contraction
 * loses its ending ("who's" → "who").
 */
/** Two decimal numbers with their fractions, a comma between: a latitude and a longitude. */
const COORDINATES = /(?<![\w.])-?\d{1,2}\.\d{2,},\s*-?\d{1,3}\.\d{2,}(?![\w.])/g;

/** A URL's host's name: the label before its top-level domain ("reddit" for www.reddit.com). */
const SITE =
  /^[a-z][a-z0-9+.-]*:\/\/(?:[^/@\s]*@)?(?:[a-z0-9-]+\.)*(?!(?:co|com|org|net|ac|gov|edu)\.[a-z]{2}(?:[/:?#]|$))([a-z0-9-]+)(?:\.(?:co|com|org|net|ac|gov|edu))?\.[a-z]{2,6}(?=[/:?#]|$)/i;

function siteName(url: string): string {
  return SITE.exec(url)?.[1] ?? "";
}

/** `isServer`: whether a URL's site's name ("reddit") names an indexed server; not by default. */
export function normalizeQuery(query: string, isServer?: (name: string) => boolean): string {
  const site = (name: string) => (name && isServer?.(name) ? name : "");
  const plain = query
    // "who's", "we're", "don't": the ending would be a word of its own ("s", "t"), matching noise.
    .replace(/(?<=[a-z])['\u2019](?:s|re|ve|ll|d|m|t)\b/gi, "")
    // A URL, and its site's name when that names a server ("https://www.reddit.com/r/rust" →
    // "url reddit" where a reddit server is indexed).
    .replace(/\b[a-z][a-z0-9+.-]{0,31}:\/\/\S+/gi, (url) =>
      site(siteName(url)) ? ` url ${site(siteName(url))} ` : " url ",
    )
    // A bare address with a path ("docs.stripe.com/api") is a URL; a bare domain ("monday.com",
    // "example.com") names a product or a site by its name, not by "com".
    .replace(DOMAIN_PATH, " url ")
    .replace(DOMAIN, (_, name: string) => ` ${name} `)
    // Each starts where its run of characters starts: from every word boundary inside a long run
    // ("a-a-a-...", "a.a.a...") the run would be read again, in quadratic time.
    .replace(/(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+\b/g, " email ")
    // A pasted coordinate pair ("40.7484, -73.9857") is a place's latitude and longitude.
    .replace(COORDINATES, " latitude longitude ")
    .replace(/(^|\s)~?(\/[\w.*-]+){2,}\/?/g, " path ")
    .replace(/(^|\s)[\w./-]*\*[\w.*/-]*/g, " pattern ");
  // Unless the quotes hold the whole request ("\"list my repos\"").
  const unquoted = withoutContent(plain.replace(QUOTED, " "));
  return (/[a-z]{2}/i.test(unquoted) ? unquoted : plain)
    .replace(OWNER_REPO, (whole, lead: string, owner: string, name: string) => {
      if (ENDS_IN_FILE_NAME.test(name)) return `${lead}path file `;
      const pair =
        isWord(owner.toLowerCase()) ||
        (owner.length <= 3 && (name.length <= 3 || isWord(name.toLowerCase())));
      return pair ? whole : `${lead}repository `;
    })
    .replace(NAME_RUN, (run) => (HEX_RUN.test(run) ? " " : run))
    .replace(/\b[A-Z][A-Z0-9]{1,9}-\d+\b/g, " issue ")
    .replace(FILE_NAME, "$& file ")
    .replace(/\bhow many\b/gi, " count ");
}

/** What to say, not what to do: "... saying the build is green", "... that says hi". */
const SAYING = /\b(?:saying|that\s+says|which\s+says|to\s+say|telling\s+\w+)\b[^.;!?]*/gi;
/** A question, which asks what was said ("what were people saying in #general") and keeps it. */
const QUESTION_START =
  /^\s*(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|did|does|has|have|had)\b/i;

/**
 * The words of a message the request dictates are its content, as quoted text is: "post an
 * update *saying we're blocked on legal*", "leave a note *telling them it moved*". They go,
 * unless they are the whole request.
 */
function withoutContent(query: string): string {
  if (QUESTION_START.test(query)) return query;
  const rest = query.replace(SAYING, " ");
  return /[a-z]{2}/i.test(rest) ? rest : query;
}

/** For a word the index lacks: a typo of a known term, a compound of two, or a known prefix. */
function repair(
  word: string,
  term: string,
  vocabulary: Vocabulary,
  add: (candidate: string, weight: number) => void,
) {
  const known = vocabulary.terms();
  const budget = term.length >= 8 ? 2 : 1;
  let found = false;
  // Typos rarely hit the first letter; scanning only terms that share it keeps this fast.
  const first = lowerBound(known, term[0]!);
  const end = lowerBound(known, String.fromCharCode(term.charCodeAt(0) + 1));
  for (let i = first; i < end; i++) {
    const candidate = known[i]!;
    if (Math.abs(candidate.length - term.length) > budget) continue;
    const distance = editDistance(term, candidate, budget);
    if (distance <= budget) {
      add(candidate, distance === 1 ? WEIGHTS.typo1 : WEIGHTS.typo2);
      found = true;
    }
  }
  // "screenshot" against "screen" + "shot", "filesystem" against "file" + "system".
  for (let cut = 4; cut <= word.length - 4; cut++) {
    const head = toTerm(word.slice(0, cut));
    const tail = toTerm(word.slice(cut));
    if (vocabulary.has(head) && vocabulary.has(tail)) {
      add(head, WEIGHTS.split);
      add(tail, WEIGHTS.split);
      found = true;
      break;
    }
  }
  if (found || term.length < 4) return;
  // "repo" → "repository", "config" → "configuration": terms the word begins.
  const low = lowerBound(known, term);
  for (let i = low; i < known.length && known[i]!.startsWith(term) && i < low + 8; i++) {
    add(known[i]!, WEIGHTS.prefix);
  }
}
