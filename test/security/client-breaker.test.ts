/**
 * `auth.client_circuit_breaker` (the original gateway's): a caller whose calls keep failing to
 * dispatch is paused alone, then let through again after a probe; other callers never notice.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, startGateway } from "../helpers.ts";
import { connectWithKey, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

const FLAKY_KEY = "mgw_flaky-client-key-0123456789abcdef0123";
const STEADY_KEY = "mgw_steady-client-key-0123456789abcdef012";

let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
failsafe:
  retry: { enabled: false }
  circuit_breaker: { failure_threshold: 50 }
auth:
  enabled: true
  client_circuit_breaker:
    enabled: true
    failure_threshold: 2
    success_threshold: 1
    reset_timeout: 1s
  api_keys:
    - { name: flaky, key: "${hashKey(FLAKY_KEY)}" }
    - { name: steady, key: "${hashKey(STEADY_KEY)}" }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    timeout: 300ms
`);
});

afterAll(async () => {
  await gateway?.stop();
});

const slow = { server: "fixture", tool: "slow", arguments: { steps: 1, delayMs: 2000 } };
const echo = { server: "fixture", tool: "echo", arguments: { message: "hi" } };

describe("client circuit breaker", () => {
  test("two failed dispatches pause that caller only; a probe after reset_timeout closes it", async () => {
    const flaky = await connectWithKey(gateway.url, FLAKY_KEY);
    const steady = await connectWithKey(gateway.url, STEADY_KEY);
    try {
      for (let i = 0; i < 2; i++) {
        const failed = await meta(flaky.client, "gateway_invoke", slow);
        expect(failed.isError).toBe(true);
        expect(failed.text).toContain("TIMEOUT");
      }
      // Open for the flaky caller: even a call that would work is refused, naming the rule.
      const paused = await meta(flaky.client, "gateway_invoke", echo);
      expect(paused.isError).toBe(true);
      expect(paused.text).toContain("[CIRCUIT_OPEN]");
      expect(paused.text).toContain("auth.client_circuit_breaker");
      // Another caller of the same backend is not affected.
      const other = await meta(steady.client, "gateway_invoke", echo);
      expect(other.isError).toBeFalsy();
      expect(other.text).toContain("hi");

      await Bun.sleep(1100);
      const probe = await meta(flaky.client, "gateway_invoke", echo);
      expect(probe.isError).toBeFalsy();
      const after = await meta(flaky.client, "gateway_invoke", echo);
      expect(after.isError).toBeFalsy();
    } finally {
      await flaky.close();
      await steady.close();
    }
  });

  test("a tool's own error result is a dispatched call, not a failure", async () => {
    const steady = await connectWithKey(gateway.url, STEADY_KEY);
    try {
      for (let i = 0; i < 4; i++) {
        const failed = await meta(steady.client, "gateway_invoke", {
          server: "fixture",
          tool: "fail",
          arguments: {},
        });
        expect(failed.isError).toBe(true);
        expect(failed.text).not.toContain("CIRCUIT_OPEN");
      }
      const ok = await meta(steady.client, "gateway_invoke", echo);
      expect(ok.isError).toBeFalsy();
    } finally {
      await steady.close();
    }
  });
});
