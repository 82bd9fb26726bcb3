/**
 * A skill's score in gateway_search_tools is measured against the tools the caller sees and the
 * skills it sees, as one index (src/skills/serve.ts `jointIndex`): a word rare among two skills
 * is not rare among the tools they are ranked with. Before, a caller's search of the joint index
 * passed an `allow` that only skills passed, so its scores came from an index of its skills alone
 * and the tools weighed on nothing.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { ToolIndex } from "../../src/search/index.ts";
import { hashKey } from "../../src/security/keys.ts";
import { asTool } from "../../src/skills/registry.ts";
import { SKILLS_SERVER } from "../../src/skills/scan.ts";
import { skillsFor } from "../../src/skills/serve.ts";
import { BUN, FIXTURE_SERVER, startGateway, tempDir, waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";
import { claudeSkills } from "./_fixtures.ts";

setDefaultTimeout(30_000);

const KEY = "joint-scores-0123456789abcdef";
const QUERY = "echo back the staged changes as a commit message";
const stops: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(stops.map((stop) => stop())));

describe("a skill's score, with a skill hidden from the caller", () => {
  test("is its score in one index of the tools and skills the caller sees", async () => {
    const dir = join(tempDir("mcpgw-joint-"), "skills");
    claudeSkills(dir);
    const running = await startGateway(`
capabilities: { enabled: false }
skills: { dir: "${dir}" }
backends:
  fixture: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
auth:
  enabled: true
  api_keys:
    - { name: k, key: "${hashKey(KEY)}", denied_tools: ["skills:pdf-tools"] }
`);
    stops.push(() => running.stop());
    const { gateway } = running;
    await waitFor(() => gateway.index.tools("fixture").length > 0);
    const client = await connectWithKey(running.url, KEY);
    stops.push(() => client.close());

    const listed = await meta(client.client, "gateway_list_tools", { server: "fixture" });
    const seen = new Set((listed.data.tools as { tool: string }[]).map((row) => row.tool));
    expect(seen.size).toBeGreaterThan(0);
    const registry = skillsFor(gateway)!;
    const expected = new ToolIndex((server, tool) =>
      server === SKILLS_SERVER ? registry.hints(tool.name) : undefined,
    );
    expected.upsert(
      "fixture",
      gateway.index.tools("fixture").filter((tool) => seen.has(tool.name)),
    );
    expected.upsert(
      SKILLS_SERVER,
      registry
        .served()
        .filter((skill) => skill.name !== "pdf-tools")
        .map(asTool),
    );
    const want = expected
      .search(QUERY, { server: SKILLS_SERVER })
      .find((hit) => hit.tool.name === "commit-helper")?.score;
    expect(want).toBeDefined();

    const { data } = await meta(client.client, "gateway_search_tools", { query: QUERY });
    const got = (data.matches as { tool: string; score: number }[]).find(
      (match) => match.tool === "commit-helper",
    )?.score;
    expect(got).toBe(Math.round(want! * 1000) / 1000);
  });
});
