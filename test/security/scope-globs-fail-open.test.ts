/**
 * Attack: calling what a deny rule was written to stop, where the glob silently matched nothing.
 * The original gateway's own example (`denied_tools: ["write_*", "delete_*"]` on a bot key) must
 * deny `files:write_file`, and `evil:*` must deny a tool whose own name holds a `:`
 * (`danger:wipe`, qualified `evil:danger:wipe`), on every door: gateway_invoke, flat mode and
 * `/mcp/{backend}`.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { logger } from "../../src/logger.ts";
import { hashKey } from "../../src/security/keys.ts";
import { BUN, type ConnectedClient, FIXTURES, startGateway, tempDir, waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "./_helpers.ts";

setDefaultTimeout(30_000);

const KEYS = {
  bot: "bot-key-0123456789abcdef",
  noevil: "noevil-key-0123456789abcdef",
  nodanger: "nodanger-key-0123456789abcdef",
};

let gateway: Awaited<ReturnType<typeof startGateway>>;
const opened: ConnectedClient[] = [];

function toolsFile(names: string[]): string {
  const file = join(tempDir(), "tools.json");
  writeFileSync(file, JSON.stringify(names.map((name) => ({ name, description: `${name}.` }))));
  return file;
}

beforeAll(async () => {
  const server = join(FIXTURES, "poisoned/server.ts");
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - name: bot
      key: "${hashKey(KEYS.bot)}"
      denied_tools: ["write_*", "delete_*"]
    - name: noevil
      key: "${hashKey(KEYS.noevil)}"
      denied_tools: ["evil:*"]
    - name: nodanger
      key: "${hashKey(KEYS.nodanger)}"
      allowed_tools: ["evil:*"]
      denied_tools: ["evil:danger:*"]
backends:
  files:
    command: ${BUN}
    args: ["${server}"]
    env: { TOOLS_FILE: "${toolsFile(["read_file", "write_file", "delete_file"])}" }
  evil:
    command: ${BUN}
    args: ["${server}"]
    env: { TOOLS_FILE: "${toolsFile(["echo", "danger:wipe"])}" }
`);
  await waitFor(() => gateway.gateway.index.tools("files").length === 3);
  await waitFor(() => gateway.gateway.index.tools("evil").length === 2);
});

afterAll(async () => {
  for (const client of opened) await client.close();
  await gateway?.stop();
});

async function connect(key: string, path = "/mcp"): Promise<ConnectedClient> {
  const client = await connectWithKey(gateway.url, key, path);
  opened.push(client);
  return client;
}

/** Calls `server:tool` through gateway_invoke; the result's text. */
async function invoke(key: string, server: string, tool: string): Promise<string> {
  const { client } = await connect(key);
  return (await meta(client, "gateway_invoke", { server, tool, arguments: {} })).text;
}

/** Calls a tool by its flat name on `/mcp?surface=flat`; the result's text, or the error's. */
async function callFlat(key: string, name: string): Promise<string> {
  const { client } = await connect(key, "/mcp?surface=flat");
  const result = await client
    .callTool({ name, arguments: {} })
    .catch((error: Error) => ({ content: [{ type: "text", text: error.message }] }));
  return JSON.stringify(result.content);
}

/** Calls `tool` on `/mcp/{server}`; the result's text, or the error's. */
async function callDirect(key: string, server: string, tool: string): Promise<string> {
  const { client } = await connect(key, `/mcp/${server}`);
  const result = await client
    .callTool({ name: tool, arguments: {} })
    .catch((error: Error) => ({ content: [{ type: "text", text: error.message }] }));
  return JSON.stringify(result.content);
}

describe('a bare glob in denied_tools ("write_*") denies those tools on every server', () => {
  test("gateway_invoke", async () => {
    expect(await invoke(KEYS.bot, "files", "write_file")).toContain(
      'denied by policy (rule denied_tools "write_*" of key "bot")',
    );
    expect(await invoke(KEYS.bot, "files", "delete_file")).toContain("denied by policy");
    expect(await invoke(KEYS.bot, "files", "read_file")).toContain("called read_file");
  });

  test("flat mode and /mcp/{backend}", async () => {
    expect(await callFlat(KEYS.bot, "files__write_file")).not.toContain("called write_file");
    expect(await callDirect(KEYS.bot, "files", "write_file")).toContain("denied by policy");
    expect(await callDirect(KEYS.bot, "files", "read_file")).toContain("called read_file");
  });

  test("the denied tools are not listed", async () => {
    const { client } = await connect(KEYS.bot, "/mcp/files");
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["read_file"]);
  });
});

describe("server:* covers a tool whose own name holds ':'", () => {
  test('denied_tools ["evil:*"] denies evil:danger:wipe everywhere', async () => {
    // The whole server is denied, so hidden: unknown to the key, as on /mcp/evil below.
    expect(await invoke(KEYS.noevil, "evil", "danger:wipe")).toContain(
      '[SERVER_NOT_FOUND] unknown server "evil"',
    );
    expect(await callFlat(KEYS.noevil, "evil__danger:wipe")).not.toContain("called danger:wipe");
    // The whole server is denied: /mcp/evil answers like a server that does not exist.
    await expect(connectWithKey(gateway.url, KEYS.noevil, "/mcp/evil")).rejects.toThrow();
  });

  test('the first ":" ends the server: "evil:danger:*" denies danger:wipe, not echo', async () => {
    expect(await invoke(KEYS.nodanger, "evil", "danger:wipe")).toContain(
      'rule denied_tools "evil:danger:*"',
    );
    expect(await callDirect(KEYS.nodanger, "evil", "danger:wipe")).toContain("denied by policy");
    expect(await callFlat(KEYS.nodanger, "evil__danger:wipe")).not.toContain("called danger:wipe");
    expect(await invoke(KEYS.nodanger, "evil", "echo")).toContain("called echo");
  });
});

describe("a pattern that matches nothing is warned about by name", () => {
  test("at load (no such server) and once the tools are listed (no such tool)", async () => {
    const lines: string[] = [];
    const level = logger.level;
    const reporters = logger.options.reporters;
    logger.level = 3;
    logger.setReporters([{ log: (entry) => lines.push(entry.args.join(" ")) }]);
    let second: Awaited<ReturnType<typeof startGateway>> | undefined;
    try {
      second = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - name: typo
      key: "${hashKey("typo-key-0123456789abcdef")}"
      backends: [file]
      denied_tools: ["files", "wirte_*", "read_*"]
backends:
  files:
    command: ${BUN}
    args: ["${join(FIXTURES, "poisoned/server.ts")}"]
    env: { TOOLS_FILE: "${toolsFile(["read_file", "write_file"])}" }
`);
      await waitFor(() =>
        lines.some((line) => line.includes('denied_tools "wirte_*" of key "typo" matches no tool')),
      );
    } finally {
      logger.level = level;
      logger.setReporters(reporters);
      await second?.stop();
    }
    const log = lines.join("\n");
    expect(log).toContain(
      'auth.api_keys[0].backends: backends "file" of key "typo" matches no configured server (files)',
    );
    expect(log).toContain(
      'denied_tools "files" of key "typo" matches no tool of any server; a pattern without ":" names tools on every server: write "files:*" for the server',
    );
    expect(log).not.toContain('"read_*"');
    // Once: the warning after discovery is not repeated.
    expect(lines.filter((line) => line.includes('"wirte_*"')).length).toBe(1);
  });
});
