/**
 * A stdio gateway lives as long as the client that started it: when the client crashes, is
 * killed, or stops reading, the gateway exits and takes its backends' process trees with it.
 * Real processes: a parent (standing in for Claude Code or Cursor) spawns `serve --stdio`,
 * calls a backend that starts a grandchild, then dies or closes a pipe.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  freePort,
  ROOT,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
setDefaultTimeout(60_000);

function running(pattern: string): number[] {
  const found = spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" });
  return found.stdout
    .split("\n")
    .filter(Boolean)
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A backend (`sh` → bun) that also starts a grandchild; all carry `marker` in their command. */
function config(marker: string): string {
  return writeConfig(`
state_dir: ${tempDir()}
capabilities: { enabled: false }
backends:
  fixture:
    command: sh
    args: ["-c", "${BUN} -e 'setInterval(() => {}, 1000)' ${marker} & exec ${BUN} ${FIXTURE_SERVER} ${marker}"]
`);
}

/**
 * The client: spawns the gateway, calls the backend, prints `{gateway, helper}` and stays.
 * `held`: a helper process inherits the gateway's stdin (as a shell or a sibling may), so stdin
 * never ends when the client dies. `deaf`: the client stops reading the gateway's stdout once
 * told to on its own stdin (the test first sees the backends run: when the client went deaf by
 * itself 200 ms after the answer, a loaded machine's gateway had exited and taken its backends
 * before the test looked for them).
 */
const PARENT = `
const { spawn } = require("node:child_process");
const [mode, bun, main, config] = process.argv.slice(2);
const gw = spawn(bun, [main, "serve", "--stdio", "--config", config], { stdio: ["pipe", "pipe", "ignore"] });
let helper;
if (mode === "held") {
  helper = spawn("sleep", ["300"], { stdio: ["ignore", "ignore", "ignore", gw.stdin], detached: true });
  helper.unref();
}
const send = (m) => gw.stdin.write(JSON.stringify(m) + "\\n");
let out = "";
gw.stdout.on("data", (d) => {
  out += d;
  if (!out.includes('"id":2')) return;
  out = "";
  console.log(JSON.stringify({ gateway: gw.pid, helper: helper?.pid }));
  if (mode === "deaf") {
    process.stdin.once("data", () => {
      gw.stdout.destroy();
      setTimeout(() => send({ jsonrpc: "2.0", id: 3, method: "tools/list" }), 200);
    });
  }
});
send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "parent", version: "1" } } });
send({ jsonrpc: "2.0", method: "notifications/initialized" });
send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "gateway_invoke", arguments: { server: "fixture", tool: "echo", arguments: { message: "hi" } } } });
setInterval(() => {}, 1000);
`;

async function startParent(mode: "held" | "deaf", marker: string) {
  const script = join(tempDir(), "parent.cjs");
  writeFileSync(script, PARENT);
  const parent = Bun.spawn(["node", script, mode, BUN, join(ROOT, "src/main.ts"), config(marker)], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
    env: { ...process.env, XDG_STATE_HOME: tempDir() },
  });
  cleanups.push(() => parent.kill("SIGKILL"));
  const reader = parent.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the parent exited before the gateway answered");
    text += new TextDecoder().decode(value);
  }
  const pids = JSON.parse(text.split("\n")[0] as string) as { gateway: number; helper?: number };
  cleanups.push(() => {
    for (const pid of [pids.gateway, pids.helper]) if (pid && alive(pid)) process.kill(pid, 9);
    for (const pid of running(marker)) process.kill(pid, 9);
  });
  await waitFor(() => running(marker).length === 2, 20_000);
  return { parent, ...pids };
}

describe.skipIf(process.platform !== "linux")("a stdio gateway whose client is gone", () => {
  test("the client dies while a helper still holds stdin: the gateway and its backends exit", async () => {
    const marker = `mcpgw-lc11-${crypto.randomUUID().slice(0, 8)}`;
    const { parent, gateway, helper } = await startParent("held", marker);
    parent.kill("SIGKILL");
    await parent.exited;
    // stdin is still open (the helper lives), so only the parent's death can tell.
    expect(helper && alive(helper)).toBe(true);
    await waitFor(() => !alive(gateway), 20_000);
    await waitFor(() => running(marker).length === 0, 10_000);
  });

  test("the client stops reading stdout: the first answer fails to write and the gateway exits", async () => {
    const marker = `mcpgw-lc11-${crypto.randomUUID().slice(0, 8)}`;
    const { parent, gateway } = await startParent("deaf", marker);
    parent.stdin.write("stop reading\n");
    parent.stdin.flush();
    await waitFor(() => !alive(gateway), 20_000);
    await waitFor(() => running(marker).length === 0, 10_000);
    // The client lives on: it was the broken pipe that ended the gateway.
    expect(alive(parent.pid)).toBe(true);
  });
});

describe.skipIf(process.platform !== "linux")("serve under a supervisor", () => {
  test("a second SIGTERM during the drain exits at once and kills the backends", async () => {
    const marker = `mcpgw-lc11-${crypto.randomUUID().slice(0, 8)}`;
    const port = await freePort();
    const file = config(marker);
    const gateway = Bun.spawn(
      [BUN, join(ROOT, "src/main.ts"), "serve", "--config", file, "--port", String(port)],
      { stdout: "ignore", stderr: "ignore", env: { ...process.env, XDG_STATE_HOME: tempDir() } },
    );
    cleanups.push(() => gateway.kill("SIGKILL"));
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok,
      20_000,
    );
    const client = new Client({ name: "lc11", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)),
    );
    await waitFor(
      async () =>
        (await (await fetch(`http://127.0.0.1:${port}/health`)).json()).backends.fixture.tools > 0,
      20_000,
    );
    // A call that ends only when cancelled keeps the drain waiting (shutdown_timeout: 30s).
    client
      .callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "wait", arguments: {} },
      })
      .catch(() => {});
    await Bun.sleep(1000);
    expect(running(marker)).toHaveLength(2);
    gateway.kill("SIGTERM");
    await Bun.sleep(500);
    expect(gateway.exitCode).toBeNull();
    gateway.kill("SIGTERM");
    const code = await Promise.race([
      gateway.exited,
      Bun.sleep(10_000).then(() => "still running"),
    ]);
    expect(code).toBe(143);
    await waitFor(() => running(marker).length === 0, 10_000);
  });
});

describe.skipIf(process.platform !== "linux")("a gateway that crashes", () => {
  test("an uncaught exception kills the backends' trees on its way out", async () => {
    const marker = `mcpgw-lc11-${crypto.randomUUID().slice(0, 8)}`;
    const dir = tempDir();
    const trigger = join(dir, "crash-now");
    // A fault the gateway cannot be made to have from outside: a throw nobody catches.
    const preload = join(dir, "crash.ts");
    writeFileSync(
      preload,
      `const timer = setInterval(() => { if (require("node:fs").existsSync(${JSON.stringify(trigger)})) { clearInterval(timer); throw new Error("boom"); } }, 50);\n`,
    );
    const port = await freePort();
    const gateway = Bun.spawn(
      [
        BUN,
        "--preload",
        preload,
        join(ROOT, "src/main.ts"),
        "serve",
        "--config",
        config(marker),
        "--port",
        String(port),
      ],
      { stdout: "ignore", stderr: "ignore", env: { ...process.env, XDG_STATE_HOME: tempDir() } },
    );
    cleanups.push(() => gateway.kill("SIGKILL"));
    await waitFor(
      async () =>
        (await (await fetch(`http://127.0.0.1:${port}/health`)).json()).backends.fixture.tools > 0,
      20_000,
    );
    await waitFor(() => running(marker).length === 2, 20_000);
    writeFileSync(trigger, "");
    expect(await gateway.exited).not.toBe(0);
    await waitFor(() => running(marker).length === 0, 10_000);
  });
});
