import { describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";

// Spawns CLIs and gateways: slow on a loaded machine.
setDefaultTimeout(30_000);

const cleanups = cleanupsAfterAll();

/** Two fixture servers (both have `echo`), with the given meta_mcp settings. */
async function clientWith(meta: string) {
  const backend = `    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`;
  const gateway = await startGateway(
    `capabilities: { enabled: false }\nmeta_mcp: ${meta}\nbackends:\n  one:\n${backend}  two:\n${backend}`,
  );
  cleanups.push(() => gateway.stop());
  await waitFor(
    () => gateway.gateway.index.tools("one").length && gateway.gateway.index.tools("two").length,
  );
  const session = await connectHttp(gateway.url);
  cleanups.push(() => session.close());
  return session.client;
}

const SURFACED = '["one:pid", "one:echo", "two:echo", "one:gateway_invoke"]';

describe("meta_mcp.surfaced_names", () => {
  test("bare: a surfaced tool keeps its own name unless another tool (or a meta tool) shares it", async () => {
    const client = await clientWith(`{ surfaced_names: bare, surfaced_tools: ${SURFACED} }`);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain("pid");
    expect(names).toContain("one__echo");
    expect(names).toContain("two__echo");
    expect(names).not.toContain("echo");
    const result = await client.callTool({ name: "pid", arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(Number(firstText(result))).toBeGreaterThan(0);
  });

  test("qualified (the default): server__tool for every one", async () => {
    const client = await clientWith(`{ surfaced_tools: ${SURFACED} }`);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain("one__pid");
    expect(names).not.toContain("pid");
  });

  test("bare applies to the flat list too (meta_mcp.enabled: false)", async () => {
    const client = await clientWith("{ enabled: false, surfaced_names: bare }");
    // Every fixture tool is on both servers, so all stay qualified until one is unique.
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("one__crash");
    await client.callTool({ name: "one__add_tool", arguments: { name: "only_on_one" } });
    const names = await waitFor(async () => {
      const listed = (await client.listTools()).tools.map((tool) => tool.name);
      return listed.includes("only_on_one") ? listed : undefined;
    });
    expect(names).toContain("one__echo");
    expect(names).not.toContain("one__only_on_one");
  });
});
