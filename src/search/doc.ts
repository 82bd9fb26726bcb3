import type { Tool } from "../mcp/sdk.ts";
import { FIELD_NAMES, type Weighable } from "./bm25f.ts";
import { toEntryTexts } from "./fields.ts";
import { type NameFeatures, nameFeatures, numberSiblings } from "./signals.ts";
import { splitWords, tokenizeForIndex, toTerm } from "./tokenize.ts";

/** One indexed tool: its terms per field (tokenized once) and what its name says. */
export interface Doc extends Weighable {
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
export const DESCRIBED = (["name", "title", "summary", "description"] as const).map((field) =>
  FIELD_NAMES.indexOf(field),
);

export function toDoc(server: string, tool: Tool, hints?: string, house = new Set<string>()): Doc {
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

/**
 * The documents of a server's tools when only some of them are seen (`docs`, in its tools'
 * order): what depends on the server's other tools (house words, so twins; singular and plural
 * siblings) is worked out again from these alone; the terms are shared.
 */
export function seenPart(docs: readonly Doc[]): Doc[] {
  const house = houseWords(docs.map((doc) => doc.tool));
  const seen = docs.map((doc) => ({
    ...doc,
    name: { ...doc.name, many: undefined as boolean | undefined },
    twin: twinOf(doc.name, house),
  }));
  for (const { plural, singular } of numberSiblings(docs.map((doc) => doc.tool.name))) {
    seen[plural]!.name.many = true;
    seen[singular]!.name.many = false;
  }
  return seen;
}

/**
 * Words most of a server's tool names carry (`browser_` on a browser server, `maps_`): they name
 * the server's domain, not what one tool does, so twins are matched without them.
 */
export function houseWords(tools: Tool[]): Set<string> {
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

/** The words of a tool's name without its server's house words, sorted (`Doc.twin`). */
export function twinOf(name: NameFeatures, house: Set<string>): string {
  return [...name.nameTerms.keys()]
    .filter((term) => !house.has(term))
    .sort()
    .join(" ");
}
