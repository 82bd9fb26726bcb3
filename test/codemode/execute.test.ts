import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { OrderedClient } from "../../src/mcp/sdk.ts";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  type ConnectedClient,
  EVERYTHING,
  FIXTURE_SERVER,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

// gateway_execute through the real gateway: the SDK's client over HTTP, the fixture server and
// server-everything as backends, every tool call on gateway_invoke's own path.

const log = join(tempDir(), "fixture.log");
const ECHO_ONLY = "mgw_echo_only_key_for_code_mode_0001";
let gateway: Awaited<ReturnType<typeof startGateway>>;
let client: Client;
let echoOnly: ConnectedClient;

beforeAll(async () => {
  writeFileSync(log, "");
  gateway = await startGateway(`
capabilities: { enabled: false }
code_mode: { enabled: true, timeout: 3s, max_calls: 5, result_handle_threshold: 2000 }
auth:
  enabled: true
  api_keys:
    - name: admin
      key: "${hashKey("mgw_admin_key_for_code_mode_00000001")}"
    - name: echo-only
      key: "${hashKey(ECHO_ONLY)}"
      allowed_tools: ["fixture:echo"]
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    env: { FIXTURE_LOG: "${log}" }
  everything:
    command: node
    args: ["${EVERYTHING}", "stdio"]
`);
  await waitFor(
    () =>
      gateway.gateway.index.tools("fixture").length > 0 &&
      gateway.gateway.index.tools("everything").length > 0,
  );
  const ordered = new OrderedClient({ name: "code-mode-test", version: "1" }, { capabilities: {} });
  await ordered.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
      requestInit: { headers: { Authorization: "Bearer mgw_admin_key_for_code_mode_00000001" } },
    }),
  );
  client = ordered as unknown as Client;
  echoOnly = await connectWithKey(gateway.url, ECHO_ONLY);
});

afterAll(async () => {
  await echoOnly?.close();
  await client?.close();
  await gateway?.stop();
});

const run = (code: string, extra: Record<string, unknown> = {}, on: Client = client) =>
  meta(on, "gateway_execute", { code, ...extra });

describe("gateway_execute", () => {
  test("is listed with code_mode.enabled, and the meta surface stays within 700 tokens", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "gateway_list_servers",
      "gateway_list_tools",
      "gateway_search_tools",
      "gateway_invoke",
      "gateway_execute",
    ]);
    expect(countTokens(JSON.stringify(tools))).toBeLessThanOrEqual(700);
  });

  test("one script calls several tools, filters, and returns only what matters", async () => {
    const out = await run(`
      const echoed = await tools.fixture.echo({ message: "hello" });
      const sum = await tools.everything["get-sum"]({ a: 2, b: 3 });
      const viaCall = await tools.call("fixture", "echo", { message: "x" });
      console.log("sum was", sum);
      return { echoed, viaCall, both: [echoed.length, sum] };
    `);
    expect(out.isError).toBeUndefined();
    expect(out.data.result).toEqual({
      echoed: "hello",
      viaCall: "x",
      both: [5, "The sum of 2 and 3 is 5."],
    });
    expect((out.data.logs as string[])[0]).toStartWith("sum was");
    expect(out.data.calls).toBe(3);
  });

  test("TypeScript is stripped of its types before it runs", async () => {
    const out = await run(`
      interface Echo { text: string }
      const message: string = "typed";
      const echoed = (await tools.fixture.echo({ message })) as string;
      const result: Echo = { text: echoed! };
      return result satisfies Echo;
    `);
    expect(out.data.result).toEqual({ text: "typed" });
  });

  test("a tool's structuredContent is what the script sees; a tool error throws in it", async () => {
    const out = await run(`
      const rich = await tools.fixture.rich({});
      let failure;
      try { await tools.fixture.fail({}); } catch (e) { failure = e.message; }
      return { rich, failure };
    `);
    expect(out.data.result).toEqual({
      rich: { ok: true, n: 1 },
      failure: "[BACKEND_ERROR] it went wrong",
    });
  });

  test("each call goes through gateway_invoke's path: hooks fire, arguments are checked", async () => {
    const seen: string[] = [];
    const unhook = gateway.gateway.hooks.hook("tool:call:before", (call) => {
      seen.push(`${call.server}:${call.tool}`);
    });
    const out = await run(`
      await tools.fixture.echo({ message: "a" });
      try { await tools.fixture.echo({ message: 5 }); } catch (e) { return e.message; }
    `);
    unhook();
    expect(seen).toEqual(["fixture:echo"]);
    expect(out.data.result as string).toStartWith("[INVALID_ARGUMENTS]");
  });

  test("scopes apply inside scripts: a key granted one tool cannot call another", async () => {
    const out = await run(
      `
      const ok = await tools.fixture.echo({ message: "allowed" });
      let denied;
      try { await tools.fixture.counter({}); } catch (e) { denied = e.message; }
      try { await tools.everything.echo({ message: "x" }); } catch (e) { denied += " | " + e.message; }
      return { ok, denied };
    `,
      {},
      echoOnly.client,
    );
    const result = out.data.result as { ok: string; denied: string };
    expect(result.ok).toBe("allowed");
    expect(result.denied).not.toContain("counted");
    expect(result.denied).toMatch(/\[(TOOL_NOT_FOUND|POLICY_DENIED|SERVER_NOT_FOUND)\]/);
  });

  test("a script error names its line", async () => {
    const out = await run(`const a = 1;\nnull.boom;`);
    expect(out.isError).toBe(true);
    expect(out.text).toStartWith("[CODE_ERROR]");
    expect(out.text).toContain("line 2");
  });

  test("progress of the calls reaches the client", async () => {
    const seen: number[] = [];
    const result = await client.callTool(
      {
        name: "gateway_execute",
        arguments: { code: `return await tools.fixture.slow({ steps: 3, delayMs: 2 })` },
      },
      { onprogress: (p: { progress: number }) => seen.push(p.progress) },
    );
    expect((result.structuredContent as { result: string }).result).toBe("done 3");
    expect(seen).toEqual([1, 2, 3]);
  });

  test("cancelling the execute cancels the calls in flight at the backend", async () => {
    const controller = new AbortController();
    const waits = () => readFileSync(log, "utf8").split("wait called").length;
    const before = waits();
    const call = client.callTool(
      { name: "gateway_execute", arguments: { code: `await tools.fixture.wait({});` } },
      { signal: controller.signal },
    );
    // The call reached the backend (a fixed 300 ms let a loaded machine abort before it did:
    // nothing to cancel there then).
    await waitFor(() => waits() > before);
    controller.abort("changed my mind");
    await expect(call).rejects.toThrow();
    await waitFor(() => readFileSync(log, "utf8").includes("cancelled"));
  });

  test("a large result is kept by handle, readable as a resource and by a later script", async () => {
    const out = await run(`return "x".repeat(5000)`);
    const uri = out.data.result_handle as string;
    expect(uri).toStartWith("result://");
    expect(out.data.result).toBeUndefined();
    expect(out.data.size).toBe(5002);
    const read = await client.readResource({ uri });
    expect((read.contents[0] as { text: string }).text).toBe(JSON.stringify("x".repeat(5000)));
    const again = await run(`return (await readResult(${JSON.stringify(uri)})).length`);
    expect(again.data.result).toBe(5000);
    // Another caller cannot read it.
    const stranger = await run(
      `try { await readResult(${JSON.stringify(uri)}) } catch (e) { return e.message }`,
      {},
      echoOnly.client,
    );
    expect(stranger.data.result as string).toContain("no stored result");
    await expect(echoOnly.client.readResource({ uri })).rejects.toThrow();
  });
});
