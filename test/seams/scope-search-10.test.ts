/**
 * Search must not leak across scopes (round 10): a key that cannot see a tool must get the same
 * search order and scores whether that tool exists or not. Otherwise the statistics the ranking
 * uses (how rare a word is, the words a typo is repaired to, search feedback's shares) tell the
 * key that a hidden tool exists and what it says. Each attack runs against two gateways that
 * differ only in what the key cannot see, and compares what the key reads.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, cleanupsAfterAll, FIXTURES, firstText, startGateway, waitFor } from "../helpers.ts";

setDefaultTimeout(60_000);
const cleanups = cleanupsAfterAll();

const LISTED = join(FIXTURES, "servers/listed10.ts");
const BOB = "bob-key-0123456789abcdef0123";

type Running = RunningGateway & { url: string };
type Listed = { name: string; description: string }[];

const FILES: Listed = [
  { name: "read_file", description: "Read the contents of a file from disk" },
  { name: "write_file", description: "Write text to a file on disk" },
  { name: "list_files", description: "List the files in a folder" },
  { name: "move_file", description: "Move or rename a file" },
];
/** On `files`, hidden from bob by `denied_tools`. */
const PURGE = {
  name: "purge_files",
  description: "Permanently delete every file in the payroll archive folder",
};
const NOTES: Listed = [
  { name: "create_note", description: "Create a note with a title and text" },
  { name: "search_notes", description: "Search notes by their words" },
  { name: "delete_note", description: "Delete a note" },
];
/** A whole backend outside bob's `backends`. */
const PAYROLL: Listed = [
  { name: "run_payroll", description: "Run the monthly payroll and pay the salaries" },
  { name: "list_salaries", description: "List the salaries of every employee" },
  { name: "delete_employee", description: "Delete an employee's record file" },
];

const backend = (name: string, tools: Listed) =>
  `  ${name}: { command: ${BUN}, args: ["${LISTED}"], env: { TOOLS: ${JSON.stringify(JSON.stringify(tools))} } }`;

/** A gateway serving `files` and `notes`, and whatever else `extra` lists. */
async function started(files: Listed, extra: string, more = ""): Promise<Running> {
  const gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: bob, key: "${hashKey(BOB)}", backends: [files, notes], denied_tools: ["files:purge_*"] }
${more}
backends:
${backend("files", files)}
${backend("notes", NOTES)}
${extra}
`);
  cleanups.push(() => gateway.stop());
  const names = ["files", "notes", ...(extra ? ["payroll"] : [])];
  await waitFor(() => names.every((name) => gateway.gateway.index.tools(name).length > 0));
  return gateway;
}

/** An SDK client with `key` (and `profile`, named at initialize), as client program `name`. */
async function userClient(url: string, key: string, profile?: string, name = "scope-search-10") {
  const client = new Client({ name, version: "1" });
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  if (profile) headers["X-MCP-Profile"] = profile;
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }),
  );
  cleanups.push(() => client.close());
  return client;
}

/** What a search answers: each match's server, tool and score. */
async function search(client: Client, query: string, limit = 10) {
  const result = await client.callTool({
    name: "gateway_search_tools",
    arguments: { query, limit },
  });
  const { matches } = JSON.parse(firstText(result)) as {
    matches: { server: string; tool: string; score: number }[];
  };
  return matches.map(({ server, tool, score }) => ({ server, tool, score }));
}

const QUERIES = [
  "delete a file",
  "read file",
  "list the files in a folder",
  "permanently remove files",
  // Typos: repaired only to words some tool says.
  "payrol archive",
  "salarys",
  "delete note",
  "employee record",
];

describe("a key's search, with tools it cannot see on another backend and on its own", () => {
  let withHidden: Running;
  let without: Running;
  beforeAll(async () => {
    [withHidden, without] = await Promise.all([
      started([...FILES, PURGE], backend("payroll", PAYROLL)),
      started(FILES, ""),
    ]);
  });

  test("ranks and scores exactly as on a gateway without them", async () => {
    const [a, b] = await Promise.all([
      userClient(withHidden.url, BOB),
      userClient(without.url, BOB),
    ]);
    for (const query of QUERIES) {
      const seen = await search(a, query);
      expect({ query, seen }).toEqual({ query, seen: await search(b, query) });
      expect(JSON.stringify(seen)).not.toMatch(/purge|payroll|salar|employee/);
    }
  });

  test("and in the dashboard's search explanation (/api/explain)", async () => {
    const explain = async (gateway: Running, q: string) => {
      const response = await fetch(`${gateway.url}/api/explain?q=${encodeURIComponent(q)}`, {
        headers: { Authorization: `Bearer ${BOB}` },
      });
      expect(response.status).toBe(200);
      return await response.json();
    };
    for (const query of QUERIES) {
      const seen = await explain(withHidden, query);
      expect({ query, seen }).toEqual({ query, seen: await explain(without, query) });
    }
  });

  test("and the same before and after a reload takes the hidden backend away", async () => {
    const gateway = await started([...FILES, PURGE], backend("payroll", PAYROLL));
    const client = await userClient(gateway.url, BOB);
    const before = [];
    for (const query of QUERIES) before.push(await search(client, query));
    const file = gateway.gateway.config.file!;
    writeFileSync(file, readFileSync(file, "utf8").replace(/^ {2}payroll:.*$/m, ""));
    expect((await gateway.reload()).removed).toEqual(["payroll"]);
    const after = [];
    for (const query of QUERIES) after.push(await search(client, query));
    expect(after).toEqual(before);
  });

  test("while an unscoped caller still ranks over every tool it sees", async () => {
    // The admin's view is the whole index: its search answers as the index does.
    const hits = withHidden.gateway.index.search("delete a file", { limit: 10 });
    const tools = hits.map((hit) => `${hit.server}:${hit.tool.name}`);
    expect(tools).toContain("files:purge_files");
    expect(tools).toContain("payroll:delete_employee");
  });
});

describe("a profile a reload changes, searched by a session already open", () => {
  test("ranks among what it sees now, as a gateway started with the new profile does", async () => {
    const profile = (denied: string) => `
routing_profiles:
  narrow: { deny_tools: ["${denied}"] }
`;
    const gateway = await started(FILES, "", profile("files:move_*"));
    const fresh = await started(FILES, "", profile("files:read_*"));
    const [open, other] = await Promise.all([
      userClient(gateway.url, BOB, "narrow"),
      userClient(fresh.url, BOB, "narrow"),
    ]);
    expect((await search(open, "move or rename a file")).map((hit) => hit.tool)).not.toContain(
      "move_file",
    );
    // The key and the profile's name stay: only the profile's rules change.
    const file = gateway.gateway.config.file!;
    writeFileSync(file, readFileSync(file, "utf8").replace("files:move_*", "files:read_*"));
    await gateway.reload();
    for (const query of ["move or rename a file", "read file", ...QUERIES]) {
      expect({ query, seen: await search(open, query) }).toEqual({
        query,
        seen: await search(other, query),
      });
    }
  });
});

describe("search feedback, learned by the same key under a profile that sees more", () => {
  const profiles = `
routing_profiles:
  wide: {}
  narrow: { deny_tools: ["files:write_file"] }
`;
  /** `wide` searches "save text" then calls each tool of `choices`, one search each. */
  async function taught(choices: [string, string][]): Promise<Running> {
    const gateway = await started(FILES, "", profiles);
    const wide = await userClient(gateway.url, BOB, "wide");
    for (const [server, tool] of choices) {
      await search(wide, "save text");
      const result = await wide.callTool({
        name: "gateway_invoke",
        arguments: { server, tool, arguments: {} },
      });
      expect(firstText(result)).toBe(`called ${tool}`);
    }
    return gateway;
  }

  test("moves nothing for a profile that cannot see the chosen tool", async () => {
    const note: [string, string] = ["notes", "create_note"];
    const write: [string, string] = ["files", "write_file"];
    const [a, b] = await Promise.all([taught([write, note, write, note]), taught([note, note])]);
    const [narrowA, narrowB] = await Promise.all([
      userClient(a.url, BOB, "narrow"),
      userClient(b.url, BOB, "narrow"),
    ]);
    const seen = await search(narrowA, "save text");
    expect(seen.map((hit) => hit.tool)).not.toContain("write_file");
    // What narrow learned from its own pool's visible choices, and nothing of write_file's.
    expect(seen).toEqual(await search(narrowB, "save text"));
  });
});
