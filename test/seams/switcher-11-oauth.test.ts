/**
 * A switcher's OAuth logins: the original gateway keeps each backend's tokens in
 * ~/.mcp-gateway/oauth/<key>_tokens.json (and the client it registered in <key>_client.json),
 * where key is the first 8 bytes of sha256("name:url") in hex (its src/oauth/storage.rs). A
 * backend with no login of its own here takes that one, so the switch needs no new login, and
 * an expired token is refreshed with the imported refresh token and client.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loginBackend } from "../../src/backends/oauth/login.ts";
import { readRecord } from "../../src/backends/oauth/store.ts";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { startOAuthBackend } from "../fixtures/servers/oauth-backend.ts";
import { connectHttp, firstText, tempDir, writeConfig } from "../helpers.ts";

setDefaultTimeout(30_000);

const remote = startOAuthBackend({ expiresIn: 3600 });
const open: { close(): Promise<void> | void }[] = [];
afterAll(async () => {
  for (const item of open.reverse()) await item.close();
  remote.stop();
});

/** Plays the browser: follows the authorization URL to the login's loopback callback. */
async function approve(url: URL | string): Promise<void> {
  const authorize = await fetch(url, { redirect: "manual" });
  const back = await fetch(authorize.headers.get("location")!);
  expect(back.status).toBe(200);
}

/** The original's config for the backend, with a state folder of ours. */
const config = (state: string) =>
  writeConfig(`state_dir: ${state}
capabilities: { enabled: false }
backends:
  remote:
    http_url: ${remote.url}
    streamable_http: true
`);

describe("the original gateway's stored OAuth login", () => {
  test("is used by a backend with none here, and its refresh token renews an expired one", async () => {
    // A login made once (as the original would have), written where the original keeps it.
    const elsewhere = tempDir();
    await loginBackend({
      backend: loadConfig({ path: config(elsewhere) }).backends[0]!,
      onUrl: approve,
    });
    const made = readRecord(elsewhere, "remote", remote.url);
    expect(made.tokens?.refresh_token).toBeDefined();
    const home = tempDir();
    const dir = join(home, ".mcp-gateway", "oauth");
    mkdirSync(dir, { recursive: true });
    const key = createHash("sha256").update(`remote:${remote.url}`).digest("hex").slice(0, 16);
    writeFileSync(
      join(dir, `${key}_tokens.json`),
      JSON.stringify({
        access_token: made.tokens!.access_token,
        token_type: "Bearer",
        refresh_token: made.tokens!.refresh_token,
        // Expired a minute ago: only a refresh with the imported client gets a new one.
        expires_at: Math.floor(Date.now() / 1000) - 60,
      }),
    );
    writeFileSync(join(dir, `${key}_client.json`), JSON.stringify(made.client!.client_id));
    const refreshes = remote.stats.refreshes;

    const state = tempDir();
    const env = { ...process.env, HOME: home };
    const gateway = (await runGateway({
      config: loadConfig({ path: config(state), env }),
      port: 0,
      memoryState: true,
      env,
    })) as RunningGateway & { url: string };
    open.push({ close: () => gateway.stop() });
    const session = await connectHttp(gateway.url);
    open.push(session);
    const answer = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "remote", tool: "whoami", arguments: {} },
    });
    expect(answer.isError, firstText(answer)).toBeFalsy();
    expect(firstText(answer)).toStartWith("subject=");
    expect(remote.stats.refreshes).toBeGreaterThan(refreshes);
    // Kept here from then on: the original's files are read once.
    expect(readRecord(state, "remote", remote.url).tokens?.access_token).toBeDefined();
  });
});
