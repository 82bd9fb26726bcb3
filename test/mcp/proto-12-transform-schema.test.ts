/**
 * A tool with an `outputSchema` and a `response_transform` (`backends.NAME.tools.TOOL`): its
 * results are the transform's shape, which the backend's schema does not describe. It was listed
 * with that schema all the same, so the SDK client's check refused every transformed result on
 * `/mcp` (flat, surfaced) and `/mcp/{backend}`. It is listed without one now (the index and
 * gateway.lock keep the backend's definition), and its results pass.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { BUN, FIXTURES, startGateway, waitFor } from "../helpers.ts";

setDefaultTimeout(30_000);

const FEATUREFUL = join(FIXTURES, "servers/featureful-11-server.ts");
let gateway: Awaited<ReturnType<typeof startGateway>>;
const clients: Client[] = [];

beforeAll(async () => {
  // weather's outputSchema requires city and celsius; the transform keeps the city alone.
  gateway = await startGateway(`
capabilities: { enabled: false }
meta_mcp: { surfaced_tools: ["feat:weather"] }
backends:
  feat:
    command: ${BUN}
    args: ["${FEATUREFUL}"]
    tools:
      weather:
        response_transform: { project: [city] }
`);
  await waitFor(() => gateway.gateway.index.tools("feat").length > 0);
});
afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await gateway?.stop();
});

async function listed(path: string): Promise<{ client: Client; schema: unknown }> {
  const client = new Client({ name: "proto-12", version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}${path}`)));
  clients.push(client);
  const { tools } = await client.listTools();
  const weather = tools.find((tool) => tool.name.endsWith("weather"));
  return { client, schema: weather?.outputSchema };
}

for (const [path, name] of [
  ["/mcp?surface=flat", "feat__weather"],
  ["/mcp", "feat__weather"],
  ["/mcp/feat", "weather"],
] as const) {
  test(`${path}: listed without the backend's schema, and the transformed result passes`, async () => {
    const { client, schema } = await listed(path);
    expect(schema).toBeUndefined();
    const result = await client.callTool({ name, arguments: { city: "Oslo" } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ city: "Oslo" });
  });
}

test("the index keeps the backend's definition (gateway.lock pins what the backend declared)", () => {
  expect(gateway.gateway.index.get("feat", "weather")?.outputSchema).toBeDefined();
});
