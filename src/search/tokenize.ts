import { lemma } from "./lexicon.ts";

/**
 * Words that carry no meaning in a request for a tool ("I want to ...", "can you please ...").
 * Kept short on purpose: "all", "new" and "out" can decide between tools. "up" goes: alone it
 * matches nothing useful, and in "set up" or "back up" the joined word is what tools say.
 */
const STOPWORDS = new Set(
  (
    "a about am an and are as at be been being by can could did do does for from had has have how i if " +
    "in into is it its just let lets me my of on or our please should so some that the their them " +
    "then there these was were yet " +
    "this those to tool tools up us use using want we what when where which who will with would you your"
  ).split(" "),
);

/** Splits identifiers and prose into lowercase words: `getUserRepos`, `list_issues`, `a.b`. */
export function splitWords(text: string): string[] {
  return (
    text
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      // "XMLHttp" → "XML Http"; a lookahead, since `([A-Z]+)([A-Z][a-z])` retries a long run of
      // capitals from each of its letters (quadratic time on "AAAA...").
      .replace(/([A-Z])(?=[A-Z][a-z])/g, "$1 ")
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean)
  );
}

/**
 * A light English stemmer: joins plurals and verb forms of one word ("issues", "issue",
 * "creating", "created", "create" → "creat"). Derived forms ("deletion") come from the lexicon.
 */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("ied") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (word.endsWith("ing") && word.length > 5) return trimDouble(word.slice(0, -3));
  if (word.endsWith("ed") && word.length > 5) return trimDouble(word.slice(0, -2));
  if (/(ch|sh|x|z|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s") && !/(ss|us|is)$/.test(word)) return dropE(word.slice(0, -1));
  return dropE(word);
}

/** A final silent e is dropped, so "create" meets "creat(ing)" and "creat(ed)". */
function dropE(word: string): string {
  return word.length > 4 && word.endsWith("e") && !word.endsWith("ee") ? word.slice(0, -1) : word;
}

function trimDouble(word: string): string {
  return /([b-df-hj-np-tv-z])\1$/.test(word) && !/(ll|ss|zz)$/.test(word)
    ? word.slice(0, -1)
    : word;
}

/** True for words a query can drop without losing meaning. */
export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

/** The index term of one word: irregular forms to their lemma ("ran" → "run"), then stemmed. */
export function toTerm(word: string): string {
  let term = TERMS.get(word);
  if (term === undefined) {
    if (TERMS.size >= TERM_CACHE) TERMS.clear();
    term = stem(lemma(word));
    TERMS.set(word, term);
  }
  return term;
}

/** Tool texts repeat their words a lot; indexing 10,000 tools stems far fewer distinct words. */
const TERMS = new Map<string, string>();
const TERM_CACHE = 50_000;

/** Index terms of a text: split, without stopwords, lemmatised and stemmed. */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  for (const word of splitWords(text)) if (!STOPWORDS.has(word)) terms.push(toTerm(word));
  return terms;
}

/** Names written in PascalCase in prose: "GitHub", "JavaScript", "PostgreSQL", "OAuth". */
const BRAND = /\b(?:[A-Z][a-z]+(?:[A-Z][a-z0-9]+|[A-Z]{2,}\b)+|[A-Z]{2}[a-z]{2,})\b/g;

/**
 * Index terms of a tool's text: as `tokenize`, plus each PascalCase name joined, so "GitHub" is
 * found by "github" as well as by "git hub" (queries are rarely typed in PascalCase).
 */
export function tokenizeForIndex(text: string): string[] {
  const terms = tokenize(text);
  for (const brand of text.match(BRAND) ?? []) terms.push(toTerm(brand.toLowerCase()));
  return terms;
}
