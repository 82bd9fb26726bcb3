import type { Posting } from "./bm25f.ts";
import { DESCRIBED, type Doc } from "./doc.ts";
import { tokenize } from "./tokenize.ts";

/** What makes a word a server's product word (`productOf`). */
export const PRODUCT = { share: 0.5, purity: 0.9, tools: 3 };

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
    const of = seen(server);
    if (of < PRODUCT.tools || own < PRODUCT.share * of) continue;
    if (own >= PRODUCT.purity * holders) return [...new Set(tokenize(server))];
  }
  return undefined;
}
