import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { loginBackend } from "../../src/backends/oauth/login.ts";
import { oauthFile, readRecord } from "../../src/backends/oauth/store.ts";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { type OAuthBackend, startOAuthBackend } from "../fixtures/servers/oauth-backend.ts";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  firstText,
  ROOT,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

/** Plays the browser: follows the authorization URL to the gateway's loopback callback. */
async function approve(url: URL | string): Promise<void> {
  const authorize = await fetch(url, { redirect: "manual" });
  expect(authorize.status).toBe(302);
  const back = await fetch(authorize.headers.get("location")!);
  expect(back.status).toBe(200);
}

/** `mcp-gateway auth login NAME` as a user runs it: reads the URL it prints, then approves. */
async function cliLogin(configFile: string, name: string): Promise<string> {
  const child = Bun.spawn(
    [BUN, join(ROOT, "src/main.ts"), "auth", "login", name, "--config", configFile, "--no-browser"],
    { stdout: "pipe", stderr: "pipe", env: { ...process.env, DISPLAY: "" } },
  );
  const reader = child.stdout.getReader();
  let out = "";
  while (!/^http\S+$/m.test(out)) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  const url = out.match(/^(http\S+)$/m)?.[1];
  if (!url) throw new Error(`no URL printed: ${out} ${await new Response(child.stderr).text()}`);
  await approve(url);
  const code = await child.exited;
  const stderr = await new Response(child.stderr).text();
  expect(code, stderr).toBe(0);
  return stderr;
}

let remote: OAuthBackend;
let gateway: RunningGateway & { url: string };
let configFile: string;
const state = tempDir();

const whoami = (session: ConnectedClient) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "remote", tool: "whoami", arguments: {} },
  });

beforeAll(async () => {
  // Tokens live 4s: the gateway refreshes at half their life, before the server sees one expire.
  remote = startOAuthBackend({ expiresIn: 4 });
  // No `oauth` block: the 401 with WWW-Authenticate is enough to know a login is due.
  configFile = writeConfig(`
state_dir: ${state}
backends:
  remote:
    url: ${remote.url}
`);
  const config = loadConfig({ path: configFile });
  gateway = (await runGateway({ config, port: 0, memoryState: true })) as typeof gateway;
});

afterAll(async () => {
  await gateway?.stop();
  remote?.stop();
});

describe("OAuth login to a remote backend", () => {
  test("a backend answering 401 waits for a login: needs_login, not failed", async () => {
    await waitFor(() => gateway.gateway.pool.status("remote")?.state === "needs_login");
    const health = (await (await fetch(`${gateway.url}/health`)).json()) as {
      backends: Record<string, { state: string; error?: string }>;
    };
    expect(health.backends.remote!.state).toBe("needs_login");
    expect(health.backends.remote!.error).toContain("mcp-gateway auth login remote");
    const session = await connectHttp(gateway.url);
    try {
      // More calls than the breaker's failure_threshold (5): waiting for a login is not the
      // backend failing, so its breaker stays closed and works at once after the login.
      for (let i = 0; i < 7; i++) {
        const result = await whoami(session);
        expect(result.isError).toBe(true);
        expect(firstText(result)).toContain("auth login remote");
      }
      expect(gateway.gateway.pool.breakerState("remote")).toBe("closed");
    } finally {
      await session.close();
    }
  });

  test("auth login: registration, PKCE and the resource indicator, tokens kept 0600", async () => {
    await cliLogin(configFile, "remote");
    expect(remote.stats.registrations).toBe(1);
    expect(remote.stats.codes).toBe(1);
    expect(remote.stats.errors).toEqual([]);
    const file = oauthFile(state, "remote");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(state, "oauth")).mode & 0o777).toBe(0o700);
    expect(readRecord(state, "remote", remote.url).tokens?.access_token).toBeTruthy();
  }, 20_000);

  test("the gateway uses the login, refreshes before expiry, and recovers from a 401", async () => {
    const session = await connectHttp(gateway.url);
    try {
      expect(firstText(await whoami(session))).toBe("subject=alice");
      expect(gateway.gateway.pool.status("remote")?.state).toBe("ready");
      // Past half the token's life: the next request refreshes first.
      await Bun.sleep(2_300);
      expect(firstText(await whoami(session))).toBe("subject=alice");
      expect(remote.stats.refreshes).toBe(1);
      expect(remote.stats.expiredSeen).toBe(0);
      // The server drops the access token: one 401, one refresh, the call retried once.
      remote.revoke();
      expect(firstText(await whoami(session))).toBe("subject=alice");
      expect(remote.stats.refreshes).toBe(2);
    } finally {
      await session.close();
    }
  }, 20_000);

  test("a revoked login (refresh token too) turns the backend to needs_login; a new login heals it", async () => {
    const session = await connectHttp(gateway.url);
    try {
      remote.revoke({ refresh: true });
      const refused = await whoami(session);
      expect(refused.isError).toBe(true);
      expect(firstText(refused)).toContain("auth login remote");
      expect(gateway.gateway.pool.status("remote")?.state).toBe("needs_login");

      await loginBackend({
        backend: loadConfig({ path: configFile }).backends[0]!,
        onUrl: approve,
      });
      // The registered client is reused when the callback address is the same; here the
      // port is new each login, so the gateway registers again.
      expect(firstText(await whoami(session))).toBe("subject=alice");
      expect(gateway.gateway.pool.status("remote")?.state).toBe("ready");
    } finally {
      await session.close();
    }
  }, 20_000);

  test("auth status and logout; tokens never reach config export", async () => {
    const run = (...args: string[]) =>
      Bun.spawnSync([BUN, join(ROOT, "src/main.ts"), ...args, "--config", configFile]);
    const status = run("auth", "status", "--json");
    const rows = JSON.parse(status.stdout.toString()).backends;
    expect(rows[0]).toMatchObject({ name: "remote", state: "logged in", refreshable: true });
    const token = readRecord(state, "remote", remote.url).tokens!.access_token;
    const exported = run("config", "export");
    expect(exported.stdout.toString()).not.toContain(token);
    expect(status.stdout.toString()).not.toContain(token);
    expect(run("auth", "logout", "remote").exitCode).toBe(0);
    expect(readRecord(state, "remote", remote.url).tokens).toBeUndefined();
  }, 20_000);
});

describe("logging in from the dashboard", () => {
  test("a needs_login backend gets a login from POST /api/backends/NAME/login", async () => {
    const session = await connectHttp(gateway.url);
    try {
      // Logged out by the test before: the next call finds no token.
      expect((await whoami(session)).isError).toBe(true);
      expect(gateway.gateway.pool.status("remote")?.state).toBe("needs_login");
      const started = await fetch(`${gateway.url}/api/backends/remote/login`, { method: "POST" });
      expect(started.status).toBe(200);
      const { url } = (await started.json()) as { url: string };
      await approve(url);
      await waitFor(() => gateway.gateway.pool.status("remote")?.state === "ready");
      expect(firstText(await whoami(session))).toBe("subject=alice");
      const unknown = await fetch(`${gateway.url}/api/backends/nope/login`, { method: "POST" });
      expect(unknown.status).toBe(404);
    } finally {
      await session.close();
    }
  }, 20_000);
});

describe("OAuth with a configured client", () => {
  test("a pre-registered client id and secret are used, with no registration", async () => {
    const other = startOAuthBackend({
      noRegistration: true,
      client: { client_id: "gw", client_secret: "s3cret-value", redirect_uris: [] },
    });
    try {
      const dir = tempDir();
      const file = writeConfig(`
state_dir: ${dir}
backends:
  preset:
    url: ${other.url}
    oauth:
      client_id: gw
      client_secret: s3cret-value
      scopes: [files:read]
`);
      const backend = loadConfig({ path: file }).backends[0]!;
      const scopes: string[] = [];
      await loginBackend({
        backend,
        onUrl: (url) => {
          scopes.push(url.searchParams.get("scope") ?? "");
          return approve(url);
        },
      });
      expect(other.stats.registrations).toBe(0);
      expect(other.stats.codes).toBe(1);
      expect(other.stats.errors).toEqual([]);
      expect(scopes).toEqual(["files:read"]);
      // The secret is the operator's: kept out of the state folder and of `config export`.
      expect(readRecord(dir, "preset", other.url).client).toBeUndefined();
      const exported = Bun.spawnSync([
        BUN,
        join(ROOT, "src/main.ts"),
        "config",
        "export",
        "--config",
        file,
      ]);
      expect(exported.stdout.toString()).not.toContain("s3cret-value");
    } finally {
      other.stop();
    }
  }, 20_000);
});

describe("a 401 that is not OAuth", () => {
  test("without a Bearer challenge the backend is failed, with a message about its headers", async () => {
    const plain = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response("no", { status: 401 }),
    });
    const file = writeConfig(`
state_dir: ${tempDir()}
backends:
  plain:
    url: http://127.0.0.1:${plain.port}/mcp
    transport: streamable-http
`);
    const other = await runGateway({
      config: loadConfig({ path: file }),
      port: 0,
      memoryState: true,
    });
    try {
      await waitFor(() => other.gateway.pool.status("plain")?.state === "failed");
      expect(other.gateway.pool.status("plain")?.error).toContain("without an OAuth challenge");
    } finally {
      await other.stop();
      plain.stop(true);
    }
  }, 20_000);
});
