import { describe, expect, setDefaultTimeout, spyOn, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scaled } from "../../bench/search/_scaled.ts";
import type { Tool } from "../../src/mcp/sdk.ts";
import { Postings } from "../../src/search/bm25f.ts";
import { hintsFor } from "../../src/search/hints.ts";
import { type SearchOptions, ToolIndex } from "../../src/search/index.ts";

// A platform team's gateway: thousands of tools, many keys each seeing its own part of them.
const BENCH = join(import.meta.dir, "../../bench");
const queries: { query: string }[] = JSON.parse(
  readFileSync(join(BENCH, "search/queries.json"), "utf8"),
);
const hints = hintsFor(true, {});
// Indexes of thousands of tools built from scratch, on a loaded machine.
setDefaultTimeout(300_000);

/** A small seeded generator, so a failure names the same scope each run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

type Allow = (server: string, tool: string) => boolean;
const pick = (seed: number, share: number): Allow => {
  const chosen = new Map<string, boolean>();
  const next = random(seed);
  return (server, tool) => {
    const key = `${server}:${tool}`;
    if (!chosen.has(key)) chosen.set(key, next() < share);
    return chosen.get(key)!;
  };
};

/** Keys' scopes: whole servers, every delete_* hidden (each server seen in part), samples. */
const SCOPES: Record<string, Allow> = {
  "a third of the servers hidden, no delete": (server, tool) =>
    !/-[36]$|^git/.test(server) && !tool.startsWith("delete"),
  "one server family": (server) => server.startsWith("github") || server.startsWith("slack"),
  "read tools only": (_server, tool) => /^(get|list|search|read)/.test(tool),
  "half of every server's tools": pick(1, 0.5),
  "a tenth of the tools": pick(2, 0.1),
  "almost everything": pick(3, 0.97),
  "one tool": (server, tool) => server === "notion" && tool === "notion_search",
};

/** Requests as users write them, typos, a server's short name and a product word among them. */
const QUERIES = [
  ...queries.slice(0, 120).map((q) => q.query),
  "creat an isue on gihtub",
  "argo sync my app",
  "sonar code smells",
  "feishu message to the team",
  "delete the file",
  "list all my repositories",
  "screenshot",
];

/** An index of these tools alone, built from nothing: what a view must rank as. */
function fromScratch(lists: [string, Tool[]][], allow: Allow): ToolIndex {
  const index = new ToolIndex(hints);
  for (const [server, tools] of lists) {
    const seen = tools.filter((tool) => allow(server, tool.name));
    if (seen.length) index.upsert(server, seen.length === tools.length ? tools : seen);
  }
  return index;
}

const shown = (index: ToolIndex, query: string, options: SearchOptions) =>
  index
    .search(query, { limit: 8, ...options })
    .map((hit) => `${hit.server}:${hit.tool.name} ${hit.score}`);

describe("a scope's view ranks as an index of what it sees, built from scratch", () => {
  const lists = scaled(3000);
  const index = new ToolIndex(hints);
  for (const [server, tools] of lists) index.upsert(server, tools);

  test.each(Object.keys(SCOPES))("%s: same hits, same scores, same explanations", (name) => {
    const allow = SCOPES[name]!;
    const scratch = fromScratch(lists, allow);
    for (const query of QUERIES) {
      expect(shown(index, query, { allow, scope: name })).toEqual(shown(scratch, query, {}));
    }
    const [first] = scratch.search("create an issue", { limit: 1 });
    if (first) {
      expect(
        index.explain("create an issue", first.server, first.tool.name, { allow, scope: name }),
      ).toEqual(scratch.explain("create an issue", first.server, first.tool.name));
    }
  });

  test("after servers re-list, lose tools and leave, the views still rank as from scratch", () => {
    const changing = new ToolIndex(hints);
    let current = scaled(1500).map(([server, tools]) => [server, tools] as [string, Tool[]]);
    for (const [server, tools] of current) changing.upsert(server, tools);
    const allow = SCOPES["a third of the servers hidden, no delete"]!;
    const other = SCOPES["half of every server's tools"]!;
    for (let round = 0; round < 3; round++) {
      // Each round: one server loses tools, one is removed, one long-description server re-lists.
      const [cut, gone, grown] = [current[round]!, current[10 + round]!, current[20 + round]!];
      cut[1] = cut[1].slice(0, Math.ceil(cut[1].length / 2));
      changing.upsert(cut[0], cut[1]);
      changing.remove(gone[0]);
      const longer = grown[1].map((tool) => ({
        ...tool,
        description: `${tool.description ?? ""} ${"and more words about it ".repeat(30)}`,
      }));
      grown[1] = longer;
      changing.upsert(grown[0], longer);
      current = current.filter(([server]) => server !== gone[0]);
      for (const [scope, sees] of [
        ["first", allow],
        ["second", other],
      ] as const) {
        const scratch = fromScratch(current, sees);
        for (const query of QUERIES.slice(0, 40)) {
          expect(shown(changing, query, { allow: sees, scope })).toEqual(shown(scratch, query, {}));
        }
      }
    }
  });
});

describe("a scope's first search at scale", () => {
  const lists = scaled(3000);
  const index = new ToolIndex(hints);
  for (const [server, tools] of lists) index.upsert(server, tools);
  index.search("warm up");

  test("weighs only the terms the search reads: no postings are built over its tools", () => {
    const rebuilds = spyOn(Postings.prototype, "rebuild");
    try {
      for (const [name, allow] of Object.entries(SCOPES)) {
        index.search("open a pull request", { allow, scope: `first ${name}` });
      }
      expect(rebuilds).not.toHaveBeenCalled();
    } finally {
      rebuilds.mockRestore();
    }
  });

  test("hundreds of keys' scopes are kept: a second round asks no scope about every tool", () => {
    // Key i sees the tools whose name's length leaves i's remainder out, and a server in 40.
    const scopes = Array.from({ length: 300 }, (_, i) => ({
      scope: `key ${i}`,
      allow: ((server: string, tool: string) =>
        (server.length + tool.length) % 7 !== i % 7 && server.length % 40 !== i % 40) as Allow,
    }));
    let asked = 0;
    const counted = (allow: Allow): Allow => {
      return (server, tool) => {
        asked++;
        return allow(server, tool);
      };
    };
    for (const { scope, allow } of scopes) {
      index.search("send a message", { allow: counted(allow), scope });
    }
    asked = 0;
    for (const { scope, allow } of scopes) {
      index.search("send a message", { allow: counted(allow), scope });
    }
    // Only the few candidates rank checks again; a rebuilt view would ask about all 3,000.
    expect(asked).toBeLessThan(scopes.length * 100);
    const memory = index.viewMemory();
    expect(memory.views).toBeGreaterThanOrEqual(300);
  });
});
