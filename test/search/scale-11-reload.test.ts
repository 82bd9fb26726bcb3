/**
 * Hot reload × search at scale (a platform team's gateway: thousands of tools, keys with their
 * own scopes, skills served beside the tools). A reload that changes one backend must not make
 * the next search re-index every other backend (a search is synchronous: every request waits),
 * and a key's search must follow what the reload put in or out of its scope.
 */
import { afterAll, describe, expect, setDefaultTimeout, spyOn, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { ToolIndex } from "../../src/search/index.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURES, startFromFile, tempDir, waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";
import { claudeSkills } from "../skills/_fixtures.ts";

setDefaultTimeout(120_000);

const LISTED = join(FIXTURES, "servers/listed10.ts");
const KEY = "scale-11-reload-0123456789abcdef";
const corpus: Record<string, { name: string; description?: string }[]> = JSON.parse(
  readFileSync(join(import.meta.dir, "../../bench/corpus/tools.json"), "utf8"),
);
/** Eight real servers' tools, descriptions cut so each list fits in one environment variable. */
const SERVERS = Object.entries(corpus)
  .filter(([, tools]) => tools.length >= 20)
  .slice(0, 8)
  .map(([name, tools]) => ({
    name,
    tools: tools.map((tool) => ({
      name: tool.name,
      description: (tool.description ?? tool.name).slice(0, 200),
    })),
  }));

const stops: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(stops.map((stop) => stop())));

const yaml = (skills: string, keyBackends: string[], extra: Record<string, unknown[]> = {}) => `
capabilities: { enabled: false }
skills: { dir: "${skills}" }
auth:
  enabled: true
  api_keys:
    - { name: team, key: "${hashKey(KEY)}", backends: ${JSON.stringify([...keyBackends, "skills"])} }
backends:
${SERVERS.map(
  ({ name, tools }) =>
    `  ${name}: { command: ${BUN}, args: ["${LISTED}"], env: { TOOLS: ${JSON.stringify(
      JSON.stringify([...tools, ...(extra[name] ?? [])]),
    )} } }`,
).join("\n")}
`;

describe("a reload at scale, searched by a scoped key", () => {
  test("re-indexes the backend that changed alone, and the key's search follows its new scope", async () => {
    const dir = tempDir("scale-11-reload-");
    const skills = join(dir, "skills");
    claudeSkills(skills);
    const file = join(dir, "gateway.yaml");
    const [first, second, third] = SERVERS.map((server) => server.name) as [string, string, string];
    writeFileSync(file, yaml(skills, [first, second]));
    const running: RunningGateway & { url: string } = await startFromFile(file);
    stops.push(() => running.stop());
    const { gateway } = running;
    await waitFor(() => SERVERS.every(({ name }) => gateway.index.tools(name).length > 0), 60_000);
    const client = await connectWithKey(running.url, KEY);
    stops.push(() => client.close());
    const search = async (query: string) => {
      const { data } = await meta(client.client, "gateway_search_tools", { query, limit: 20 });
      return (data.matches as { server: string; tool: string }[]).map((m) => m.server);
    };
    // The first search builds the index of tools and skills together.
    const before = await search("list the items");
    expect(before.every((server) => [first, second, "skills"].includes(server))).toBe(true);

    // The operator adds a tool to one backend and moves the key from `second` to `third`.
    const added = {
      name: "reconcile_ledger_entries",
      description: "Reconcile the ledger entries of an account",
    };
    writeFileSync(file, yaml(skills, [first, third], { [first]: [added] }));
    const upserts = spyOn(ToolIndex.prototype, "upsert");
    try {
      await running.reload();
      await waitFor(() => gateway.index.get(first, added.name) !== undefined, 60_000);
      const after = await search("reconcile the ledger entries");
      // Only the backend that re-listed was indexed again, by the gateway and by the joint index.
      const others = upserts.mock.calls
        .map(([server]) => server)
        .filter((server) => server !== first && SERVERS.some(({ name }) => name === server));
      expect(others).toEqual([]);
      expect(after[0]).toBe(first);
      const scoped = await search("list the items");
      expect(scoped.some((server) => server === third)).toBe(true);
      expect(scoped.some((server) => server === second)).toBe(false);
    } finally {
      upserts.mockRestore();
    }
  });
});
