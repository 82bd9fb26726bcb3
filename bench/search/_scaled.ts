/** The real tools of bench/corpus, and that corpus grown to any size for search at scale. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool } from "../../src/mcp/sdk.ts";

/** Every real server's tools (bench/corpus/tools.json), by server. */
export const CORPUS: Record<string, Tool[]> = JSON.parse(
  readFileSync(join(import.meta.dir, "../corpus/tools.json"), "utf8"),
);

/**
 * The corpus copied under new server names (`github-1`, `github-2`, ...) until it holds `count`
 * tools, as [server, tools] pairs.
 */
export function scaled(count: number, corpus = CORPUS): [string, Tool[]][] {
  const out: [string, Tool[]][] = [];
  let total = 0;
  for (let copy = 0; total < count; copy++) {
    for (const [server, tools] of Object.entries(corpus)) {
      const take = tools.slice(0, count - total);
      if (take.length === 0) break;
      out.push([copy ? `${server}-${copy}` : server, take]);
      total += take.length;
    }
  }
  return out;
}
