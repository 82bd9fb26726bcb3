/**
 * A config edited to `auth.enabled: false` while the gateway listens beyond loopback. The reload
 * refuses it (as `serve` refuses to start so), but the security guard's own watcher of the
 * config's folder, which re-reads the keys so a revoked key stops at once, applied the file's
 * auth section as it was: 100 ms after the edit the gateway answered anyone, with or without
 * `watch: false` (attacks-8's "keys stay in force" failed so in CI when the edit's event came
 * before its last request). The watcher follows key changes only; auth goes off through a
 * reload alone.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import { writeConfig } from "../helpers.ts";

const ADMIN = "auth-off-by-file-admin-0123456789";
let running: RunningGateway | undefined;
afterAll(() => running?.stop());

describe("a config edited to turn auth off, on a gateway bound beyond loopback", () => {
  test("leaves the keys in force: no request without one gets in", async () => {
    const on = `capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${hashKey(ADMIN)}", admin: true }
`;
    const file = writeConfig(on);
    running = await runGateway({
      config: loadConfig({ path: file }),
      host: "127.0.0.2",
      port: 0,
      memoryState: true,
      watch: false,
    });
    const url = `http://127.0.0.2:${running.port}/api/config`;
    expect((await fetch(url)).status).toBe(401);
    writeFileSync(file, on.replace("enabled: true", "enabled: false"));
    // The guard's watcher acts 100 ms after the event; 2 s covers a slow event on a loaded machine.
    const statuses = new Set<number>();
    for (const until = Date.now() + 2000; Date.now() < until; ) {
      statuses.add((await fetch(url)).status);
      await Bun.sleep(50);
    }
    expect([...statuses]).toEqual([401]);
    // A key still works.
    const keyed = await fetch(url, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(keyed.status).toBe(200);
  });
});
