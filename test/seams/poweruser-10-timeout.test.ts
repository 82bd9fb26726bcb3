import { describe, expect, test } from "bun:test";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startGateway,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();

describe("a call that times out", () => {
  test("names the setting that bounded it: the backend's timeout, or the tool's own", async () => {
    const gateway = await startGateway(
      [
        "capabilities: { enabled: false }",
        "failsafe: { retry: { enabled: false }, circuit_breaker: { enabled: false } }",
        "backends:",
        "  fixture:",
        `    command: ${BUN}`,
        `    args: ["${FIXTURE_SERVER}"]`,
        "    timeout: 300ms",
        "    tool_timeouts: { hang_once: 200ms }",
        "",
      ].join("\n"),
    );
    cleanups.push(() => gateway.stop());
    const session = await connectHttp(gateway.url);
    cleanups.push(() => session.close());
    const call = (tool: string) =>
      session.client.callTool({ name: "gateway_invoke", arguments: { server: "fixture", tool } });
    const write = firstText(await call("hang_write"));
    expect(write).toStartWith("[BACKEND_TIMEOUT] [backend:fixture] no answer after 300ms");
    expect(write).toContain(
      "raise backends.fixture.timeout, or backends.fixture.tool_timeouts.hang_write for this tool alone",
    );
    const once = firstText(await call("hang_once"));
    expect(once).toContain("no answer after 200ms");
    expect(once).toContain("(raise backends.fixture.tool_timeouts.hang_once)");
  }, 30_000);
});
