import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { recordAdminAction } from "../../src/hooks.ts";
import { hashKey } from "../../src/security/keys.ts";
import type { AuditRow } from "../../src/state/store.ts";
import { BUN, FIXTURE_SERVER, ROOT, startFromFile, tempDir, waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

const OPS = "ops-key-0123456789abcdef";
const CI = "ci-key-0123456789abcdef";
const NEW = "new-key-0123456789abcdef";
const SECRET = "sk-live-abcdefghijklmnopqrstuvwx";

type Row = AuditRow & { id: number };

function configText(dir: string, keys: string, extra = "") {
  return `capabilities: { enabled: false }
state_dir: ${join(dir, "state")}
audit: { file: audit.jsonl${extra} }
auth:
  enabled: true
  api_keys:
${keys}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;
}
const KEYS = `    - { name: ops, key: "${hashKey(OPS)}", admin: true }
    - { name: ci, key: "${hashKey(CI)}" }`;

describe("the audit log", () => {
  const dir = tempDir();
  const file = join(dir, "gateway.yaml");
  let running: Awaited<ReturnType<typeof runGateway>>;
  let url: string;

  beforeAll(async () => {
    writeFileSync(file, configText(dir, KEYS));
    running = await runGateway({ config: loadConfig({ path: file }), port: 0, watch: false });
    url = running.url!;
    await waitFor(() => running.gateway.index.tools("fixture").length > 0);
  });
  afterAll(() => running?.stop());

  async function rows(key: string, query = ""): Promise<Row[]> {
    const response = await fetch(`${url}/api/audit${query}`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { rows: Row[] }).rows;
  }

  test("records a call, a tool error and a refusal, one row each, without the arguments", async () => {
    const ci = await connectWithKey(url, CI);
    const ok = await meta(ci.client, "gateway_invoke", {
      server: "fixture",
      tool: "echo",
      arguments: { message: `hello ${SECRET}` },
    });
    expect(ok.isError).toBeFalsy();
    await meta(ci.client, "gateway_invoke", { server: "fixture", tool: "fail" });
    const missing = await meta(ci.client, "gateway_invoke", { server: "fixture", tool: "nope" });
    expect(missing.text).toStartWith("[TOOL_NOT_FOUND]");
    await ci.close();

    const mine = await rows(CI, "?tool=fixture:echo");
    expect(mine).toHaveLength(1);
    const [call] = mine;
    expect(call).toMatchObject({ kind: "call", caller: "key:ci", server: "fixture", tool: "echo" });
    expect(call!.outcome).toBe("ok");
    expect(call!.argsHash).toMatch(/^[0-9a-f]{16}$/);
    expect(call!.session).toBeString();
    expect(call!.bytes).toBeGreaterThan(0);
    expect(call!.latencyMs).toBeGreaterThan(0);
    expect(JSON.stringify(call)).not.toContain("hello");

    const all = await rows(CI);
    expect(all.find((row) => row.tool === "fail")).toMatchObject({
      outcome: "error",
      code: "TOOL_ERROR",
    });
    expect(all.find((row) => row.tool === "nope")).toMatchObject({
      kind: "refusal",
      outcome: "refused",
      code: "TOOL_NOT_FOUND",
      caller: "key:ci",
    });
  });

  test("records reloads, keys created and revoked, and admin actions; callers see their own rows", async () => {
    writeFileSync(
      file,
      configText(
        dir,
        `    - { name: ops, key: "${hashKey(OPS)}", admin: true }
    - { name: fresh, key: "${hashKey(NEW)}" }`,
      ),
    );
    await running.reload();
    recordAdminAction(running.gateway.hooks, {
      action: "server.kill",
      caller: "ops",
      target: "fixture",
    });
    const admin = await rows(OPS, "?limit=20");
    const actions = admin.filter((row) => row.kind === "admin").map((row) => row.tool);
    expect(actions).toEqual(
      expect.arrayContaining(["reload", "key.create", "key.revoke", "server.kill"]),
    );
    expect(admin.find((row) => row.tool === "key.create")?.server).toBe("fresh");
    expect(admin.find((row) => row.tool === "key.revoke")?.server).toBe("ci");
    // An admin filters by caller; a key that is not admin sees its own rows whatever it asks.
    expect((await rows(OPS, "?caller=ci")).every((row) => row.caller === "key:ci")).toBe(true);
    const fresh = await connectWithKey(url, NEW);
    await meta(fresh.client, "gateway_invoke", {
      server: "fixture",
      tool: "echo",
      arguments: { message: "x" },
    });
    await fresh.close();
    const own = await rows(NEW, "?caller=ops");
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((row) => row.caller === "key:fresh")).toBe(true);
  });

  test("records gateway.lock being updated", async () => {
    writeFileSync(join(dir, "gateway.lock"), "version: 1\nbackends: {}\n");
    await waitFor(async () => (await rows(OPS, "?tool=lock.update")).length === 1);
    const [row] = await rows(OPS, "?tool=lock.update");
    expect(row).toMatchObject({ kind: "admin", caller: "lock-file" });
  });

  test("exports JSON Lines, and appends every row to audit.file", async () => {
    const response = await fetch(`${url}/api/audit?format=jsonl&since=1h`, {
      headers: { Authorization: `Bearer ${OPS}` },
    });
    expect(response.headers.get("content-type")).toContain("application/jsonl");
    const lines = (await response.text()).trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) expect(JSON.parse(line).caller).toBeString();
    const sunk = readFileSync(join(dir, "audit.jsonl"), "utf8").trim().split("\n");
    expect(sunk.length).toBe(lines.length);
    expect(sunk.join("\n")).not.toContain(SECRET);
  });

  test("mcp-gateway audit prints the rows from the state database", async () => {
    const result = Bun.spawnSync(
      [BUN, join(ROOT, "src/main.ts"), "audit", "--config", file, "--caller", "ci", "--json"],
      { stderr: "pipe" },
    );
    expect(result.stderr.toString()).not.toContain("rror");
    const printed = result.stdout
      .toString()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Row);
    expect(printed.length).toBe(3);
    expect(printed.every((row) => row.caller === "key:ci")).toBe(true);
    const table = Bun.spawnSync(
      [
        BUN,
        join(ROOT, "src/main.ts"),
        "audit",
        "--config",
        file,
        "--tool",
        "echo",
        "--since",
        "1h",
      ],
      { stderr: "pipe" },
    );
    expect(table.exitCode).toBe(0);
    expect(table.stdout.toString()).toContain("fixture:echo");
  });
});

test("with audit.include_arguments the redacted arguments are kept", async () => {
  const dir = tempDir();
  const file = join(dir, "gateway.yaml");
  writeFileSync(
    file,
    `capabilities: { enabled: false }\naudit: { include_arguments: true }\nbackends:\n  fixture:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`,
  );
  const running = await startFromFile(file);
  try {
    await waitFor(() => running.gateway.index.tools("fixture").length > 0);
    const client = await connectWithKey(running.url!, undefined);
    await meta(client.client, "gateway_invoke", {
      server: "fixture",
      tool: "echo",
      arguments: { message: `token=${SECRET}` },
    });
    await client.close();
    const response = await fetch(`${running.url}/api/audit`);
    const [row] = ((await response.json()) as { rows: Row[] }).rows;
    expect(row!.detail).toContain("token=");
    expect(row!.detail).not.toContain(SECRET);
  } finally {
    await running.stop();
  }
});
