/**
 * Surfaced tools (`meta_mcp.surfaced_tools`) × a backend's first discovery: a client that
 * connects as the gateway starts (an editor launching both) lists and calls them as soon as it
 * can. Lists and calls wait (bounded) for a backend still starting, as flat lists and
 * gateway_invoke do; before, the first tools/list had no surfaced tool and a call of one was
 * "not found".
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, cleanupsAfterAll, connectHttp, FIXTURES, startGateway } from "../helpers.ts";

const SERVER = join(FIXTURES, "servers/featureful-11-server.ts");
const cleanups = cleanupsAfterAll();
const config = `capabilities: { enabled: false }\nmeta_mcp: { surfaced_tools: ["feat:weather", "feat:report"] }\nbackends:\n  feat:\n    command: ${JSON.stringify(BUN)}\n    args: [${JSON.stringify(SERVER)}]\n`;

describe("surfaced tools of a backend still starting", () => {
  test("are in the first tools/list, with their schema, annotations and icons", async () => {
    const gateway = await startGateway(config);
    cleanups.push(() => gateway.stop());
    const { client, close } = await connectHttp(gateway.url);
    cleanups.push(close);
    const tools = (await client.listTools()).tools.filter((t) => t.name.startsWith("feat__"));
    expect(tools.map((t) => t.name).sort()).toEqual(["feat__report", "feat__weather"]);
    const weather = tools.find((t) => t.name === "feat__weather");
    expect(weather?.outputSchema?.required).toEqual(["city", "celsius"]);
    const report = tools.find((t) => t.name === "feat__report");
    expect(report).toMatchObject({ title: "Report", annotations: { readOnlyHint: true } });
    expect(report?.icons?.length).toBe(1);
  }, 60_000);

  test("answer a first call by their surfaced name", async () => {
    const gateway = await startGateway(config);
    cleanups.push(() => gateway.stop());
    const { client, close } = await connectHttp(gateway.url);
    cleanups.push(close);
    const result = await client.callTool({ name: "feat__weather", arguments: { city: "Rome" } });
    expect(result.structuredContent).toEqual({ city: "Rome", celsius: 4 });
  }, 60_000);
});
