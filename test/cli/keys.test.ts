import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { parse as parseYaml } from "yaml";
import { BUN, firstText, ROOT, startGateway, tempDir } from "../helpers.ts";
import { runCli } from "./_run.ts";

setDefaultTimeout(60_000);

// `keys create`, `keys revoke` and `keys enable` edit only the lines they own, as `add` and
// `remove` do, and offer to turn auth on when it is off.

/** Terminal output without escape sequences and whitespace, for matching. */
const ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");
const plain = (text: string) => text.replace(ESCAPE, "").replace(/\s+/g, "");

/** A config as a user keeps it: comments on key lines, flow lists, a commented auth section. */
const CONFIG = `# my gateway
server:
  host: 127.0.0.1 # loopback only
  port: 39400

backends:
  files:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] # where it may read
    env: {LOG_LEVEL: "info"}

auth: # who may call
  enabled: false # not yet
  # one key per client
  api_keys: [] # none yet

capabilities: { enabled: false }
`;

const box = () => {
  const home = tempDir("mcpgw-keys-");
  const file = join(home, "gateway.yaml");
  writeFileSync(file, CONFIG);
  const env = { HOME: home, PATH: process.env.PATH ?? "" };
  const cli = (...args: string[]) => runCli([...args, "--config", file], { env });
  return { file, env, cli, read: () => readFileSync(file, "utf8") };
};

/** Every line of `original` but `except` is still in `text`, in order, byte for byte. */
function expectLinesKept(original: string, text: string, except: string[] = []): void {
  const lines = text.split("\n");
  let at = 0;
  for (const line of original.split("\n")) {
    if (except.includes(line)) continue;
    const found = lines.indexOf(line, at);
    expect(found, `line kept: ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(at);
    at = found + 1;
  }
}

describe("keys edits keep comments and layout", () => {
  test("create adds only its entry; revoke takes only it away; the exact command it prints turns auth on", () => {
    const { file, env, cli, read } = box();
    const created = cli("keys", "create", "alice", "--allow", "files:*", "--rate-limit", "60");
    expect(created.code).toBe(0);
    const text = read();
    expectLinesKept(CONFIG, text, ["  api_keys: [] # none yet"]);
    expect(text).toContain("  api_keys: # none yet\n    - name: alice\n");
    expect(text).toContain('      allowed_tools: ["files:*"]\n      rate_limit: 60\n');
    expect(parseYaml(text).auth.api_keys[0].name).toBe("alice");

    // Revoking it gives back the file as it was, byte for byte.
    expect(cli("keys", "revoke", "alice").code).toBe(0);
    expect(read()).toBe(CONFIG);

    // Auth is off: without a terminal, create says so and prints the command that turns it on.
    const again = cli("keys", "create", "bob");
    expect(again.code).toBe(0);
    const withKey = read();
    const command = /turn it on with: (mcp-gateway keys enable .*)$/m.exec(again.stderr)?.[1];
    expect(command).toBe(`mcp-gateway keys enable --config ${JSON.stringify(file)}`);
    // Run exactly that, through a shell, with `mcp-gateway` being this source tree.
    const shell = Bun.spawnSync(
      ["sh", "-c", command!.replace(/^mcp-gateway/, `"${BUN}" "${join(ROOT, "src/main.ts")}"`)],
      { env: { ...env, NO_COLOR: "1" }, stderr: "pipe" },
    );
    expect(shell.exitCode).toBe(0);
    expect(shell.stderr.toString()).toContain(`auth.enabled turned on in ${file}`);
    expect(read()).toBe(withKey.replace("  enabled: false # not yet", "  enabled: true # not yet"));
  });

  test("--enable-auth turns auth on, and the gateway then asks for the key it printed", async () => {
    const home = tempDir("mcpgw-keys-");
    const file = join(home, "gateway.yaml");
    writeFileSync(file, "# mine\ncapabilities: { enabled: false }\n");
    const env = { HOME: home, PATH: process.env.PATH ?? "" };
    const run = runCli(["keys", "create", "ci", "--enable-auth", "--config", file], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`auth.enabled turned on in ${file}`);
    const key = run.stdout.trim();
    const text = readFileSync(file, "utf8");
    expect(text.startsWith("# mine\ncapabilities: { enabled: false }\n")).toBe(true);
    expect(parseYaml(text).auth.enabled).toBe(true);

    const gateway = await startGateway(text, {});
    try {
      const anonymous = await fetch(`${gateway.url}/mcp`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      });
      expect(anonymous.status).toBe(401);
      const client = new Client({ name: "keyed", version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${key}` } },
        }),
      );
      const listed = await client.callTool({ name: "gateway_list_servers", arguments: {} });
      expect(firstText(listed)).toContain("servers");
      await client.close();
    } finally {
      await gateway.stop();
    }
  });

  // `script` (util-linux) gives the command a real pseudo-terminal, as a user's shell would.
  test.skipIf(Bun.which("script") === null)(
    "on a terminal, create asks whether to turn auth on",
    async () => {
      const { file, env, read } = box();
      const command = `${BUN} ${join(ROOT, "src/main.ts")} keys create tty --config ${file}`;
      const proc = Bun.spawn(["script", "-qec", command, "/dev/null"], {
        env: { ...env, TERM: "xterm-256color", COLUMNS: "200", LINES: "40" },
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
      });
      let out = "";
      const reading = (async () => {
        for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
      })();
      for (let i = 0; i < 400 && !plain(out).includes("Turniton?"); i++) await Bun.sleep(50);
      expect(plain(out)).toContain("Turniton?");
      proc.stdin.write("\r"); // the default: yes
      proc.stdin.flush();
      expect(await proc.exited).toBe(0);
      await reading;
      expect(parseYaml(read()).auth).toMatchObject({ enabled: true, api_keys: [{ name: "tty" }] });
      expect(read()).toContain("  enabled: true # not yet\n");
    },
  );
});
