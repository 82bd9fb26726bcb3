import type { Tool } from "../mcp/sdk.ts";
import type { Posting } from "./bm25f.ts";
import { DESCRIBED, type Doc } from "./doc.ts";
import { tokenize, toTerm } from "./tokenize.ts";

/**
 * What makes a word a server's product word (`productOf`): said by `share` of one server's
 * tools (of `tools` or more), or written capitalised inside a sentence by `tools` or more of
 * them, and by `named` of those that say it ("... in a Codeup repository", on 13 of
 * alibaba-devops's 203 tools); either way by `purity` of every tool that says it.
 */
export const PRODUCT = { share: 0.5, purity: 0.9, tools: 3, named: 0.5 };

/** A capitalised word after a space inside a sentence, not its first ("in a Codeup repository"). */
const PROPER_NOUN = /(?<=[^.!?:\s][ \t]+)[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\b/g;

/**
 * The terms a tool's title and description write capitalised inside a sentence: the names of
 * things ("Codeup", "Firestore", "BigQuery"), where a word of the language is written small.
 */
export function properTerms(tool: Tool): Set<string> {
  const found = new Set<string>();
  for (const text of [tool.title, tool.description]) {
    if (typeof text !== "string") continue;
    for (const [word] of text.matchAll(PROPER_NOUN)) found.add(toTerm(word.toLowerCase()));
  }
  return found;
}

/**
 * Whether `own` of a server's `of` tools saying a term (`named` of them capitalised) make it a
 * candidate for the server's product word; `PRODUCT.purity` is checked against every server's.
 */
export function productCandidate(own: number, of: number, named: () => number): boolean {
  if (of < PRODUCT.tools) return false;
  if (own >= PRODUCT.share * of) return true;
  if (own < PRODUCT.tools) return false;
  const capitalised = named();
  return capitalised >= PRODUCT.tools && capitalised >= PRODUCT.named * own;
}

/** The described fields' bits in a packed field count (`Posting.fields`). */
const DESCRIBED_BITS = DESCRIBED.reduce((bits, f) => bits | (15 << (4 * f)), 0);

/** The fewest letters a short form of a server's name has ("argo", "sonar"). */
export const SHORT_NAME = 4;

/**
 * The server-name term `term` is the short form of, given the words of the servers' names and
 * the tools holding the term: a server-name word it begins whose server's tools hold it in their
 * own texts (not hints) more than all other servers' tools together. The rule is
 * `ToolIndex.shortServerName`'s; a scope's view applies it to the tools it sees (`doc` is
 * undefined for the others).
 */
export function shortNameIn(
  term: string,
  serverWords: ReadonlySet<string>,
  posting: Posting | undefined,
  doc: (id: number) => Doc | undefined,
): string | undefined {
  const begins = (word: string) => word.startsWith(term) && word !== term;
  if (![...serverWords].some(begins) || !posting) return undefined;
  // The tools whose own text (not their hints) holds the word, per server.
  const holders = new Map<string, number>();
  let count = 0;
  for (let i = 0; i < posting.ids.length; i++) {
    const found = posting.own[i] ? doc(posting.ids[i]!) : undefined;
    if (!found) continue;
    holders.set(found.server, (holders.get(found.server) ?? 0) + 1);
    count++;
  }
  let found: string | undefined;
  for (const [server, own] of holders) {
    if (own * 2 > count) found = tokenize(server).find(begins);
  }
  return found;
}

/**
 * The terms of the server's name `term` is the product word of, counted over the tools in
 * `posting` (every tool holding the term) that `doc` returns: the rule is `ToolIndex.productOf`'s,
 * counted when asked, for a scope's view. `seen`: how many tools of a server the view holds.
 */
export function productIn(
  term: string,
  posting: Posting | undefined,
  doc: (id: number) => Doc | undefined,
  seen: (server: string) => number,
): string[] | undefined {
  if (!posting || term.length < 3) return undefined;
  const tools = new Map<string, number>();
  let holders = 0;
  for (let i = 0; i < posting.ids.length; i++) {
    const found = doc(posting.ids[i]!);
    if (!found) continue;
    const packed = posting.fields?.[i];
    const says =
      packed !== undefined && packed < 2 ** 32
        ? (packed & DESCRIBED_BITS) !== 0
        : DESCRIBED.some((f) => found.tf[f]!.has(term));
    if (!says) continue;
    holders++;
    tools.set(found.server, (tools.get(found.server) ?? 0) + 1);
  }
  for (const [server, own] of tools) {
    if (own < PRODUCT.purity * holders) continue;
    const named = () => {
      let count = 0;
      for (let i = 0; i < posting.ids.length; i++) {
        const found = doc(posting.ids[i]!);
        if (found?.server === server && properTerms(found.tool).has(term)) count++;
      }
      return count;
    };
    if (productCandidate(own, seen(server), named)) return [...new Set(tokenize(server))];
  }
  return undefined;
}
