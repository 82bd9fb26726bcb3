/**
 * A key removed by a reload × its calls in flight: an engineer leaves, the platform team takes
 * the key out of the config. Its sessions' next requests are refused (401), but a call already
 * running (a long tool, a script's call) went on to the end, the backend working for a key that
 * no longer exists. It is cancelled at once now, at the backend too.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, FIXTURE_SERVER, firstText, startGateway, tempDir, waitFor } from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const ADMIN = "admin-key-0123456789abcdef";
const LEAVER = "leaver-key-0123456789abcdef";
const STAYER = "stayer-key-0123456789abcdef";
const log = join(tempDir("seams12-revoked-"), "fixture.log");
let gateway: Awaited<ReturnType<typeof startGateway>>;

const config = (keys: string) => `
capabilities: { enabled: false }
code_mode: { enabled: true }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
    - { name: stayer, key: "${hashKey(STAYER)}" }
${keys}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    timeout: 120s
    env: { FIXTURE_LOG: "${log}" }
  own:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    per_caller: { env: { OWN_TOKEN: "{caller.token}" } }
  mine:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    isolation: session
`;
const leaver = `    - { name: leaver, key: "${hashKey(LEAVER)}", credentials: { token: "leaver-token" } }`;

beforeAll(async () => {
  gateway = await startGateway(config(leaver));
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0, 20_000);
}, 30_000);
afterAll(() => gateway?.stop(), 30_000);

async function reloadWith(text: string) {
  writeFileSync(gateway.gateway.config.file!, text);
  const response = await fetch(`${gateway.url}/api/reload`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  expect(response.status).toBe(200);
}

const cancellations = () =>
  existsSync(log)
    ? readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("cancelled"))
    : [];

describe("a key revoked by a reload while its call runs", () => {
  test("the call ends at once, cancelled at the backend; another key's call runs on", async () => {
    const gone = await connectWithKey(gateway.url, LEAVER);
    const stays = await connectWithKey(gateway.url, STAYER);
    try {
      const call = (client: typeof gone.client, tool: string, args = {}) =>
        client
          .callTool(
            { name: "gateway_invoke", arguments: { server: "fixture", tool, arguments: args } },
            { timeout: 100_000 },
          )
          .then(firstText, (error: Error) => `thrown: ${error.message}`);
      const running = call(gone.client, "wait");
      const script = gone.client
        .callTool(
          { name: "gateway_execute", arguments: { code: "return await tools.fixture.wait({})" } },
          { timeout: 100_000 },
        )
        .then(firstText, (error: Error) => `thrown: ${error.message}`);
      const other = call(stays.client, "slow", { steps: 20, delayMs: 100 });
      // The three calls are at the backend (its handle counts them).
      const handle = (
        gateway.gateway.pool as unknown as { handles: Map<string, { running: number }> }
      ).handles;
      await waitFor(() => handle.get("fixture")!.running === 3, 20_000);
      const before = cancellations().length;
      await reloadWith(config(""));
      const text = await Promise.race([running, Bun.sleep(15_000).then(() => "still running")]);
      expect(text).not.toBe("still running");
      expect(text).toContain("[POLICY_DENIED] the key of key:leaver was revoked");
      const scripted = await Promise.race([script, Bun.sleep(15_000).then(() => "still running")]);
      expect(scripted).not.toBe("still running");
      expect(scripted).toContain("revoked");
      await waitFor(() => cancellations().length >= before + 2, 15_000);
      expect(await other).toContain("done 20");
    } finally {
      await gone.close();
      await stays.close();
    }
  }, 90_000);
});

/**
 * The revoked key's own process of backend `server` (its `pid` tool says which) stops once a
 * reload takes the key out.
 */
async function stopsWithTheKey(server: string): Promise<void> {
  await reloadWith(config(leaver));
  const gone = await connectWithKey(gateway.url, LEAVER);
  try {
    const answer = await gone.client.callTool({
      name: "gateway_invoke",
      arguments: { server, tool: "pid" },
    });
    const pid = Number(firstText(answer).match(/\d+/)?.[0]);
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    await reloadWith(config(""));
    await waitFor(() => !alive(), 15_000);
  } finally {
    await gone.close();
  }
}

describe("a key revoked by a reload", () => {
  test(
    "its own process of a per_caller backend (its credential in the env) stops",
    () => stopsWithTheKey("own"),
    60_000,
  );
});

describe("a key revoked by a reload, its session open", () => {
  test(
    "the session ends: its isolation: session process stops",
    () => stopsWithTheKey("mine"),
    60_000,
  );
});
