import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { checkExposition, sample } from "./_exposition.ts";

// /metrics and /api/usage against a real gateway: our fixture MCP server over stdio, driven by
// the SDK's client. The crash is real (the fixture exits), and so is the restart that follows.
const cleanups = cleanupsAfterAll();

const BACKEND = `
capabilities: { enabled: false }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;

async function connect(url: string) {
  const session = await connectHttp(url);
  cleanups.push(() => session.close());
  return (tool: string, args: Record<string, unknown> = {}) =>
    session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fx", tool, arguments: args },
    });
}

const metrics = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe("/metrics", () => {
  test("counts calls, tool errors, failures, latency, sessions and the restart after a crash", async () => {
    const gateway = await startGateway(BACKEND);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("fx").length > 0);
    const invoke = await connect(gateway.url);
    expect(firstText(await invoke("echo", { message: "one" }))).toContain("one");
    expect((await invoke("fail")).isError).toBe(true);
    expect((await invoke("crash")).isError).toBe(true);
    expect(firstText(await invoke("echo", { message: "two" }))).toContain("two");

    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
    const text = await response.text();
    checkExposition(text);
    const echo = 'server="fx",tool="echo"';
    expect(sample(text, `mcp_gateway_tool_calls_total{${echo}}`)).toBe(2);
    expect(sample(text, `mcp_gateway_tool_calls_total{server="fx",tool="fail"}`)).toBe(1);
    expect(
      sample(text, 'mcp_gateway_tool_errors_total{server="fx",tool="fail",code="TOOL_ERROR"}'),
    ).toBe(1);
    expect(text).toMatch(
      /^mcp_gateway_tool_errors_total\{server="fx",tool="crash",code="BACKEND_[A-Z]+"\} 1$/m,
    );
    expect(sample(text, `mcp_gateway_tool_errors_total{${echo},code="TOOL_ERROR"}`)).toBe(
      undefined,
    );
    expect(sample(text, `mcp_gateway_tool_call_duration_seconds_count{${echo}}`)).toBe(2);
    expect(sample(text, `mcp_gateway_tool_call_duration_seconds_bucket{${echo},le="+Inf"}`)).toBe(
      2,
    );
    expect(sample(text, `mcp_gateway_tool_call_duration_seconds_sum{${echo}}`)).toBeGreaterThan(0);
    expect(sample(text, 'mcp_gateway_backend_restarts_total{server="fx"}')).toBe(1);
    expect(sample(text, 'mcp_gateway_backend_starts_total{server="fx"}')).toBe(2);
    expect(sample(text, 'mcp_gateway_backend_state{server="fx",state="ready"}')).toBe(1);
    expect(sample(text, 'mcp_gateway_backend_tools{server="fx"}')).toBeGreaterThan(5);
    expect(sample(text, 'mcp_gateway_circuit_breaker_state{server="fx"}')).toBe(0);
    expect(sample(text, "mcp_gateway_sessions")).toBe(1);
    expect(sample(text, 'mcp_gateway_tool_calls_in_flight{server="fx"}')).toBe(0);
  });

  test("an open circuit breaker shows as 2", async () => {
    const gateway = await startGateway(
      `${BACKEND}    timeout: 200ms
failsafe: { circuit_breaker: { failure_threshold: 2, success_threshold: 1, reset_timeout: 30s }, retry: { enabled: false } }`,
    );
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("fx").length > 0);
    const invoke = await connect(gateway.url);
    for (let i = 0; i < 2; i++)
      expect(firstText(await invoke("wait"))).toContain("BACKEND_TIMEOUT");
    const text = await metrics(gateway.url);
    expect(sample(text, 'mcp_gateway_circuit_breaker_state{server="fx"}')).toBe(2);
    expect(sample(text, 'mcp_gateway_backend_state{server="fx",state="open"}')).toBe(1);
  });

  test("with auth on, /metrics needs a key", async () => {
    const key = "mgw_metrics-test-key-0123456789abcdefghijklmnopq";
    const gateway = await startGateway(
      `${BACKEND}auth: { enabled: true, api_keys: [{ name: scraper, key: "${key}" }] }`,
    );
    cleanups.push(() => gateway.stop());
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
    const authorized = await fetch(`${gateway.url}/metrics`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(authorized.status).toBe(200);
    checkExposition(await authorized.text());
  });
});

describe("usage stats", () => {
  test("persist across a restart in the state directory", async () => {
    const stateDir = join(tempDir(), "state");
    const file = writeConfig(`state_dir: ${stateDir}\n${BACKEND}`);
    const start = async () => {
      const running = await runGateway({ config: loadConfig({ path: file }), port: 0 });
      cleanups.push(() => running.stop());
      await waitFor(() => running.gateway.index.tools("fx").length > 0);
      return running as RunningGateway & { url: string };
    };
    const usage = async (url: string) =>
      ((await (await fetch(`${url}/api/usage`)).json()) as { usage: Record<string, unknown>[] })
        .usage;

    const first = await start();
    let invoke = await connect(first.url);
    await invoke("echo", { message: "a" });
    await invoke("echo", { message: "b" });
    await invoke("fail");
    expect((await usage(first.url)).map((u) => [u.tool, u.calls, u.errors])).toEqual([
      ["echo", 2, 0],
      ["fail", 1, 1],
    ]);
    await first.stop();

    const second = await start();
    invoke = await connect(second.url);
    await invoke("echo", { message: "c" });
    const rows = await usage(second.url);
    expect(rows.map((u) => [u.tool, u.calls, u.errors])).toEqual([
      ["echo", 3, 0],
      ["fail", 1, 1],
    ]);
    const fail = rows.find((u) => u.tool === "fail")!;
    expect(fail.lastError).toBeString();
    expect(fail.callers).toEqual([{ caller: "local", calls: 1 }]);
    // Prometheus counters are per process; only usage stats outlive it.
    expect(
      sample(await metrics(second.url), 'mcp_gateway_tool_calls_total{server="fx",tool="echo"}'),
    ).toBe(1);
  });
});
