/**
 * A backend that starts fine and then crashes on every call. Each call found it stopped, the
 * start before it counted as a success and reset the breaker's count of failures in a row, so
 * the breaker never opened (4 crashes in a row against `failure_threshold: 2`). A start's
 * success no longer counts: the breaker opens after two crashes, and /health says so.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";

let gateway: Awaited<ReturnType<typeof startGateway>>;
let client: ConnectedClient;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
failsafe:
  circuit_breaker: { enabled: true, failure_threshold: 2, reset_timeout: 60s }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(() => gateway.gateway.index.tools("fx").length > 0);
  client = await connectHttp(gateway.url);
}, 30_000);

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
});

const call = async (tool: string) =>
  firstText(
    await client.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fx", tool, arguments: tool === "echo" ? { message: "x" } : {} },
    }),
  );

describe("a backend that crashes on every call", () => {
  test("opens its breaker after failure_threshold crashes, though each start succeeded", async () => {
    expect(await call("crash")).toStartWith("[BACKEND_UNAVAILABLE]");
    expect(await call("crash")).toStartWith("[BACKEND_UNAVAILABLE]");
    expect(await call("echo")).toStartWith("[CIRCUIT_OPEN]");
    const health = (await (await fetch(`${gateway.url}/health`)).json()) as {
      backends: Record<string, { circuit_state?: string }>;
    };
    expect(health.backends.fx?.circuit_state).toBe("open");
  }, 30_000);
});
