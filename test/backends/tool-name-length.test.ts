/**
 * A backend listing a tool whose name is 180 KB (or empty): the name went into every metrics
 * label, log line and search index entry, and every scope check read it (a 180 KB name held a
 * key's gateway_list_tools past 30 s). The spec gives names 1 to 128 characters: such a tool is
 * left out, with a warning, and the backend's other tools are served.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, FIXTURES, startGateway, tempDir, waitFor } from "../helpers.ts";

let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  const dir = tempDir();
  const file = join(dir, "tools.json");
  const tool = (name: string) => ({ name, description: "Adds", inputSchema: { type: "object" } });
  writeFileSync(file, JSON.stringify([tool("add"), tool("x".repeat(180_000)), tool("")]));
  gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  pz:
    command: ${BUN}
    args: ["${join(FIXTURES, "poisoned/server.ts")}"]
    env: { TOOLS_FILE: "${file}" }
`);
}, 30_000);

afterAll(() => gateway?.stop());

describe("tool names past the spec's 128 characters, or empty", () => {
  test("are left out; the backend's other tools are served", async () => {
    await waitFor(() => gateway.gateway.index.tools("pz").length > 0);
    expect(gateway.gateway.index.tools("pz").map((tool) => tool.name)).toEqual(["add"]);
  });
});
