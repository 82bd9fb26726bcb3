import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FILESYSTEM,
  FIXTURES,
  firstText,
  ROOT,
  startGateway,
  tempDir,
} from "../helpers.ts";

// Spawns CLIs and gateways: slow on a loaded machine.
setDefaultTimeout(30_000);

/** Config files written in the original Rust gateway's format (see the README beside them). */
const CONFIGS = join(FIXTURES, "original/configs");
const KEYS = {
  WEB_APP_KEY: "k-web-0123456789",
  OPS_KEY: "k-ops-0123456789",
  BOT_KEY: "k-bot-0123456789",
};

describe("the original gateway's config files load and mean the same", () => {
  test("full.yaml: failsafe spellings, per-backend breakers, nulls, env_files with ~", () => {
    const home = tempDir();
    mkdirSync(join(home, ".mcp-gateway"));
    writeFileSync(join(home, ".mcp-gateway/.env"), "LOG_LEVEL=debug\n");
    const config = loadConfig({ path: join(CONFIGS, "full.yaml"), env: { HOME: home } });
    expect(config.failsafe.retry.multiplier).toBe(3);
    expect(config.failsafe.rate_limit.burst).toBe(25);
    const byName = Object.fromEntries(config.backends.map((b) => [b.name, b]));
    expect(byName.files!.cwd).toBeUndefined();
    expect(byName.files!.command).toBe("npx");
    expect(byName.files!.env.LOG_LEVEL).toBe("debug");
    expect(byName.remote!.circuit_breaker).toEqual({
      enabled: true,
      failure_threshold: 10,
      success_threshold: 3,
      reset_timeout: 60_000,
    });
    expect(byName.flaky!.circuit_breaker).toEqual({ enabled: false });
    expect(byName.flaky!.url).toBe("http://127.0.0.1:8932/sse");
    expect(config.auth.bearer_token).toBeUndefined();
    expect(config.security.tool_policy?.deny).toEqual(["drop_*"]);
    expect(config.warnings).toContain(
      `env_files: ${join(CONFIGS, "missing.env")} does not exist; skipped`,
    );
  });

  test("client-scopes.yaml: key names with spaces, client_circuit_breaker loaded", () => {
    const config = loadConfig({ path: join(CONFIGS, "client-scopes.yaml"), env: KEYS });
    expect(config.auth.api_keys.map((key) => key.name)).toEqual([
      "Web App",
      "Ops Team",
      "Chat Bot",
    ]);
    expect(config.warnings.join("\n")).not.toContain("client_circuit_breaker");
    expect(config.auth.client_circuit_breaker).toEqual({
      enabled: true,
      failure_threshold: 5,
      success_threshold: 2,
      reset_timeout: 30_000,
    });
  });

  test("identity-only.yaml: auth on with only the key server loads locked, and says so", () => {
    const config = loadConfig({ path: join(CONFIGS, "identity-only.yaml"), env: {} });
    expect(config.auth.enabled).toBe(true);
    expect(config.warnings.join("\n")).toContain("every request is refused");
  });

  test("every-key.yaml: every documented key loads; an A2A agent is a failed backend", () => {
    const env = { K1: "k-one-0123456789", GW_TOKEN_X: "k-admin-0123456789" };
    const config = loadConfig({ path: join(CONFIGS, "every-key.yaml"), env });
    const agent = config.backends.find((backend) => backend.name === "c")!;
    expect(agent.configError).toContain("A2A agents are not supported");
    expect(config.backends.find((backend) => backend.name === "b")!.transport).toBe(
      "streamable-http",
    );
    expect(config.warnings.join("\n")).toContain("backends.a.idle_timeout");
  });

  test.each(["full.yaml", "client-scopes.yaml", "identity-only.yaml"])(
    "mcp-gateway list --config %s exits 0",
    (name) => {
      const run = Bun.spawnSync(
        [BUN, join(ROOT, "src/main.ts"), "list", "--config", join(CONFIGS, name)],
        { env: { ...process.env, ...KEYS, HOME: tempDir() }, stderr: "pipe" },
      );
      expect(run.stderr.toString()).not.toContain("ERROR");
      expect(run.exitCode).toBe(0);
    },
  );
});

describe("security.tool_policy", () => {
  const cleanups = cleanupsAfterAll();
  const dir = tempDir();
  writeFileSync(join(dir, "notes.txt"), "hello");

  async function gatewayWith(policy: string) {
    const gateway = await startGateway(
      `capabilities: { enabled: false }\nsecurity:\n  tool_policy: ${policy}\nbackends:\n  files:\n    command: "node ${FILESYSTEM} ${dir}"\n`,
    );
    cleanups.push(() => gateway.stop());
    const { client, close } = await connectHttp(gateway.url);
    cleanups.push(close);
    const invoke = async (tool: string, args: Record<string, unknown>) =>
      firstText(
        await client.callTool({
          name: "gateway_invoke",
          arguments: { server: "files", tool, arguments: args },
        }),
      );
    return { gateway, invoke };
  }

  test("the default deny list refuses write_file to everyone and hides it; reads still work", async () => {
    const { gateway, invoke } = await gatewayWith("{ enabled: true, use_default_deny: true }");
    const written = await invoke("write_file", { path: join(dir, "x.txt"), content: "x" });
    expect(written).toStartWith("[POLICY_DENIED]");
    expect(written).toContain('security.tool_policy default deny list "write_file"');
    expect(await invoke("read_text_file", { path: join(dir, "notes.txt") })).toContain("hello");
    expect(gateway.gateway.router.visible("files", "write_file", localAdmin())).toBe(false);
  });

  test("allow overrides the default list; default_action deny refuses the rest", async () => {
    const { invoke } = await gatewayWith(
      '{ enabled: true, default_action: deny, allow: ["write_file", "files:list_*"] }',
    );
    expect(await invoke("write_file", { path: join(dir, "y.txt"), content: "y" })).not.toContain(
      "POLICY_DENIED",
    );
    expect(await invoke("list_directory", { path: dir })).toContain("notes.txt");
    const read = await invoke("read_text_file", { path: join(dir, "notes.txt") });
    expect(read).toContain("security.tool_policy default_action deny");
  });
});

describe("a backend's own circuit_breaker", () => {
  const cleanups = cleanupsAfterAll();
  test("failure_threshold 1 on one backend opens its breaker at the first failure; others keep the global 5", async () => {
    const gateway = await startGateway(
      `capabilities: { enabled: false }\nbackends:\n  strict:\n    http_url: "http://127.0.0.1:9/mcp"\n    circuit_breaker: { failure_threshold: 1, reset_timeout: "60s" }\n  lenient:\n    http_url: "http://127.0.0.1:9/mcp"\n`,
    );
    cleanups.push(() => gateway.stop());
    const { client, close } = await connectHttp(gateway.url);
    cleanups.push(close);
    const call = async (server: string) =>
      firstText(
        await client.callTool({
          name: "gateway_invoke",
          arguments: { server, tool: "anything", arguments: {} },
        }),
      );
    await call("strict");
    await call("lenient");
    expect(await call("strict")).toStartWith("[CIRCUIT_OPEN]");
    expect(await call("lenient")).not.toStartWith("[CIRCUIT_OPEN]");
  });
});

function localAdmin() {
  return { id: "local", admin: true, allows: () => true, allowsCatalog: () => true };
}
