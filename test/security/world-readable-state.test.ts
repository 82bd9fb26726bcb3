/**
 * Attack: another local user reads what the gateway keeps on disk (callers, errors, tool lists in
 * state.db; every backend and tool in gateway.lock), because the state folder was made 0755 and
 * its files 0644 under the usual umask. They are made 0700/0600. And a malformed path
 * (`/mcp/%E0%A4%A`) is the client's mistake, answered 400, never a 500 "URI error".
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { runCli } from "../cli/_run.ts";
import { BUN, connectHttp, FIXTURE_SERVER, tempDir, waitFor } from "../helpers.ts";
import { homeIn } from "./_helpers.ts";

setDefaultTimeout(60_000);

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

const dir = tempDir("mcpgw-private-");
const stateDir = join(dir, "deep", "state");
const file = join(dir, "gateway.yaml");
let running: RunningGateway & { url: string };
const umask = process.umask(0o022);

beforeAll(async () => {
  writeFileSync(
    file,
    `capabilities: { enabled: false }
state_dir: ${stateDir}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`,
  );
  const config = loadConfig({ path: file, env: process.env });
  running = (await runGateway({ config, port: 0, env: process.env })) as typeof running;
  await waitFor(() => running.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  await running?.stop();
  process.umask(umask);
});

describe("the state folder and its files are for this user only", () => {
  test("state folder 0700; state.db and its WAL and SHM files 0600", async () => {
    const session = await connectHttp(running.url);
    await session.client.callTool({ name: "gateway_list_servers", arguments: {} });
    await session.close();
    expect(mode(stateDir)).toBe("700");
    const db = join(stateDir, "state.db");
    expect(mode(db)).toBe("600");
    // WAL mode: SQLite made these beside the database, with the database's mode.
    for (const extra of ["-wal", "-shm"]) {
      expect(existsSync(db + extra)).toBe(true);
      expect(mode(db + extra)).toBe("600");
    }
  });

  test("a state.db left 0644 by an older version is tightened on open", async () => {
    const other = tempDir("mcpgw-private-old-");
    writeFileSync(join(other, "state.db"), "");
    chmodSync(join(other, "state.db"), 0o644);
    const { openStateStore } = await import("../../src/state/store.ts");
    const store = await openStateStore(other);
    store.close();
    expect(mode(join(other, "state.db"))).toBe("600");
  });

  test("`mcp-gateway lock` writes gateway.lock 0600 and its snapshots in a 0700 folder", () => {
    const home = tempDir("mcpgw-private-lock-");
    const config = join(home, "gateway.yaml");
    const lockState = join(home, "fresh-state");
    writeFileSync(
      config,
      `capabilities: { enabled: false }
state_dir: ${lockState}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`,
    );
    const run = runCli(["lock", "--config", config], { env: homeIn(home) });
    expect(run.stderr).not.toContain("Error");
    expect(run.code).toBe(0);
    expect(mode(join(home, "gateway.lock"))).toBe("600");
    expect(mode(lockState)).toBe("700");
    expect(mode(join(lockState, "lock-snapshots"))).toBe("700");
  });
});

describe("malformed paths are the client's mistake", () => {
  for (const path of ["/mcp/%E0%A4%A", "/mcp/%", "/mcp/%ZZ", "/mcp/%E0%A4%A/"]) {
    test(`${path}: 400 with a JSON-RPC error, not a 500`, async () => {
      const response = await fetch(`${running.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: "{}",
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: number; message: string } };
      expect(body.error.code).toBe(-32600);
      expect(body.error.message).toContain("percent-encoding");
    });
  }
});
