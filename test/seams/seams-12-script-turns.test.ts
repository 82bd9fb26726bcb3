/**
 * Code mode × one flaky backend × every other session: scripts that wait on a hung backend
 * held the gateway's four sandboxes, so every other engineer's script (one that calls nothing
 * slow, or nothing at all) waited until they timed out. A script waiting on its tool calls now
 * gives its turn to another. And a script cancelled while it waited for a turn never runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, firstText, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const STUCK = "stuck-key-0123456789abcdef";
const OTHER = "other-key-0123456789abcdef";
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
code_mode: { enabled: true, timeout: 90s }
auth:
  enabled: true
  api_keys:
    - { name: stuck, key: "${hashKey(STUCK)}" }
    - { name: other, key: "${hashKey(OTHER)}" }
backends:
  flaky:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    timeout: 120s
  fine:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(
    () =>
      gateway.gateway.index.tools("flaky").length > 0 &&
      gateway.gateway.index.tools("fine").length > 0,
    20_000,
  );
}, 30_000);
afterAll(() => gateway?.stop(), 30_000);

const execute = (
  client: Awaited<ReturnType<typeof connectWithKey>>["client"],
  code: string,
  signal?: AbortSignal,
) =>
  client
    .callTool({ name: "gateway_execute", arguments: { code } }, { timeout: 120_000, signal })
    .then(firstText, (error: Error) => `thrown: ${error.message}`);

describe("scripts waiting on a hung backend", () => {
  test("do not hold back another key's script", async () => {
    const stuck = await connectWithKey(gateway.url, STUCK);
    const other = await connectWithKey(gateway.url, OTHER);
    const cancel = new AbortController();
    try {
      let hungDone = 0;
      const hung = Array.from({ length: 6 }, () =>
        execute(stuck.client, "return await tools.flaky.wait({})", cancel.signal).finally(() => {
          hungDone++;
        }),
      );
      const handles = (
        gateway.gateway.pool as unknown as { handles: Map<string, { running: number }> }
      ).handles;
      await waitFor(() => handles.get("flaky")!.running >= 4, 30_000);
      const answer = await execute(
        other.client,
        `const a = await tools.fine.echo({ message: "fine" }); return { a, n: 6 * 7 }`,
      );
      expect(answer).toContain("42");
      expect(answer).toContain("fine");
      // The hung scripts are all still waiting: the answer did not wait for them to time out.
      expect(hungDone).toBe(0);
      cancel.abort();
      await Promise.all(hung);
      // Cancelled, they end at the backend too, none left running or waiting for a turn.
      await waitFor(() => handles.get("flaky")!.running === 0, 20_000);
    } finally {
      cancel.abort();
      await stuck.close();
      await other.close();
    }
  }, 120_000);
});
