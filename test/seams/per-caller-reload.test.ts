/**
 * `per_caller` × hot reload × a call in flight. A reload that changes a key's credentials gives
 * its caller a fresh connection with the new values; a call already running on the old one
 * finishes there first (as a removed or replaced backend's calls do), instead of being cut off.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  firstText,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const ALICE = "alice-key-0123456789abcdef";
const cleanups = cleanupsAfterAll();
const config = (token: string) => `capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", admin: true, credentials: { token: ${token} } }
backends:
  mine:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    per_caller:
      env: { SERVICE_TOKEN: "{caller.token}" }
`;

let file: string;
let gateway: Awaited<ReturnType<typeof startFromFile>>;

beforeAll(async () => {
  file = writeConfig(config("first"));
  gateway = await startFromFile(file);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("mine").length > 0);
}, 30_000);

describe("a key's credentials changed by a reload", () => {
  test("the call running on the old connection finishes; the next one gets a new connection", async () => {
    const alice = await connectWithKey(gateway.url, ALICE);
    cleanups.push(alice.close);
    const invoke = (tool: string, args = {}) =>
      alice.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "mine", tool, arguments: args },
      });
    const before = firstText(await invoke("pid"));
    const running = invoke("slow", { steps: 8, delayMs: 100 });
    // In flight before the reload (was: a fixed 250 ms).
    await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
    writeFileSync(file, config("second"));
    const reloaded = await fetch(`${gateway.url}/api/reload`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ALICE}` },
    });
    expect(reloaded.status).toBe(200);
    // The next call reaches a connection opened with the new credentials (a new process)...
    const after = firstText(await invoke("pid"));
    expect(after).not.toBe(before);
    // ...while the call that was running on the old one finishes there.
    expect(firstText(await running)).toBe("done 8");
  }, 30_000);
});
