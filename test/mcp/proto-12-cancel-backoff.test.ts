/**
 * A call cancelled by its client while it waits between retries. cockatiel's retry waits out
 * its backoff whatever the signal says, then makes one more attempt: the cancelled call held
 * its call slot for the rest of the backoff (up to `max_backoff`, 10 s by default: here 20 s),
 * and then made an attempt for nobody (connecting, or starting the backend, if it had stopped).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { BUN, FIXTURE_SERVER, startGateway, tempDir, waitFor } from "../helpers.ts";

setDefaultTimeout(90_000);

const LOG = join(tempDir(), "fixture.log");
writeFileSync(LOG, "");
const calls = () =>
  readFileSync(LOG, "utf8")
    .split("\n")
    .filter((l) => l === "hang_once called");

let gateway: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  // hang_once (read-only, so retried) hangs on its first call: that attempt times out.
  gateway = await startGateway(`
capabilities: { enabled: false }
failsafe:
  retry: { enabled: true, max_attempts: 3, initial_backoff: 20s, max_backoff: 20s, multiplier: 1 }
  circuit_breaker: { enabled: false }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    env: { FIXTURE_LOG: "${LOG}" }
    timeout: 1s
`);
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
});
afterAll(() => gateway?.stop());

test("cancelling frees the call at once and runs the tool no more", async () => {
  const client = new Client({ name: "proto-12", version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
  const controller = new AbortController();
  const call = client
    .callTool(
      { name: "gateway_invoke", arguments: { server: "fixture", tool: "hang_once" } },
      { signal: controller.signal, timeout: 60_000 },
    )
    .catch((error: unknown) => error);
  // The first attempt ran and timed out: the call is waiting out its backoff.
  await waitFor(() => calls().length === 1);
  await Bun.sleep(1_500);
  expect(gateway.gateway.pool.inFlight()).toBe(1);
  controller.abort("the user moved on");
  await call;
  const cancelledAt = Date.now();
  await waitFor(() => gateway.gateway.pool.inFlight() === 0, 20_000);
  const freedAfter = Date.now() - cancelledAt;
  // Well before the backoff's end (about 17 s from here), loaded machine or not.
  expect(freedAfter).toBeLessThan(10_000);
  expect(calls().length).toBe(1);
  await client.close();
});
