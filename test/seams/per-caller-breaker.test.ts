/**
 * One caller's bad credentials × every other caller of a `per_caller` backend. Each caller runs
 * its own connection with its own values; when one caller's connection cannot start (its token
 * is wrong), that caller's failures must not open the circuit breaker for everybody.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, cleanupsAfterAll, FIXTURE_SERVER, firstText, startGateway } from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const ALICE = "alice-key-0123456789abcdef";
const MALLORY = "mallory-key-0123456789abcdef";
const cleanups = cleanupsAfterAll();
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  // The backend starts only with the right token, as a server that checks its key at start does.
  const script = `test "$SERVICE_TOKEN" = good && exec ${BUN} ${FIXTURE_SERVER}; echo "bad token" >&2; exit 1`;
  gateway = await startGateway(`
server: { shutdown_timeout: 1s }
failsafe:
  circuit_breaker: { failure_threshold: 2, reset_timeout: 30s }
  restart: { initial_backoff: 10ms, max_backoff: 10ms, crash_limit: 50 }
  error_budget: { min_calls: 2, threshold: 0.5 }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", credentials: { token: good } }
    - { name: mallory, key: "${hashKey(MALLORY)}", credentials: { token: wrong } }
backends:
  service:
    command: sh
    args: ["-c", ${JSON.stringify(script)}]
    env: { SERVICE_TOKEN: good }     # the discovery's own credential (docs/configuration.md)
    per_caller:
      env: { SERVICE_TOKEN: "{caller.token}" }
`);
  cleanups.push(() => gateway.stop());
}, 30_000);

describe("a per_caller backend's breaker and error budget", () => {
  test("a caller whose own connection fails does not open it, or spend the error budget, for the others", async () => {
    const alice = await connectWithKey(gateway.url, ALICE);
    const mallory = await connectWithKey(gateway.url, MALLORY);
    cleanups.push(alice.close, mallory.close);
    const invoke = (who: typeof alice) =>
      who.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "service", tool: "echo", arguments: { message: "hi" } },
      });
    for (let i = 0; i < 4; i++) {
      const failed = await invoke(mallory);
      expect(failed.isError).toBe(true);
      await Bun.sleep(30);
    }
    expect(firstText(await invoke(alice))).toBe("hi");
  }, 30_000);
});
