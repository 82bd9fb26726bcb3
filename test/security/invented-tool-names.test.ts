/**
 * Attack: `tools/call` through `/mcp/{backend}` with a new invented tool name each time, to grow
 * a metrics series and a `call_stats` row per name (unbounded label cardinality) and to reach
 * the backend with names it never listed.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey } from "./_helpers.ts";

setDefaultTimeout(30_000);

let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  fixture:
    command: ${process.execPath}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  await gateway?.stop();
});

describe("names the backend never listed", () => {
  test("are refused, and add no metrics series and no usage row", async () => {
    const direct = await connectWithKey(gateway.url, undefined, "/mcp/fixture");
    try {
      for (let i = 0; i < 20; i++) {
        const result = await direct.client.callTool({ name: `invented_${i}`, arguments: {} });
        expect(result.isError).toBe(true);
        expect((result.content as { text: string }[])[0]!.text).toContain(
          `[TOOL_NOT_FOUND] server "fixture" has no tool "invented_${i}"`,
        );
      }
      const echo = await direct.client.callTool({ name: "echo", arguments: { message: "real" } });
      expect(JSON.stringify(echo.content)).toContain("real");
    } finally {
      await direct.close();
    }
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).not.toContain("invented_");
    expect(metrics).toContain('tool="echo"');
    const usage = (await (await fetch(`${gateway.url}/api/usage`)).json()) as unknown;
    expect(JSON.stringify(usage)).not.toContain("invented_");
  });
});
