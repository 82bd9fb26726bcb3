import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import {
  BUN,
  connectHttp,
  connectStdio,
  FIXTURE_SERVER,
  firstText,
  freePort,
  ROOT,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

function running(pattern: string): number[] {
  const result = spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" });
  return result.stdout
    .split("\n")
    .filter(Boolean)
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

describe("the gateway as a process", () => {
  test("serve --stdio exposes the meta tools and invokes a backend", async () => {
    const config = writeConfig(`
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
    const session = await connectStdio(config);
    try {
      const { tools } = await session.client.listTools();
      expect(tools.map((t) => t.name)).toContain("gateway_invoke");
      const result = await session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "echo", arguments: { message: "over stdio" } },
      });
      expect(firstText(result)).toBe("over stdio");
    } finally {
      await session.close();
    }
  });

  test("SIGTERM stops the gateway and leaves no child or grandchild running", async () => {
    const marker = `mcpgw-orphan-${crypto.randomUUID().slice(0, 8)}`;
    const port = await freePort();
    const config = writeConfig(`
state_dir: ${tempDir()}
backends:
  fixture:
    command: sh
    args: ["-c", "${BUN} -e 'setInterval(() => {}, 1000)' ${marker} & exec ${BUN} ${FIXTURE_SERVER} ${marker}"]
`);
    const gateway = Bun.spawn(
      [BUN, join(ROOT, "src/main.ts"), "serve", "--config", config, "--port", String(port)],
      {
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok,
    );
    await waitFor(() => running(marker).length === 2);
    gateway.kill("SIGTERM");
    expect(await gateway.exited).toBe(0);
    expect(await new Response(gateway.stdout).text()).toBe("");
    await waitFor(() => running(marker).length === 0, 15_000);
  });

  test("SIGTERM drains: a call in flight finishes before the backends close", async () => {
    const port = await freePort();
    const config = writeConfig(`
state_dir: ${tempDir()}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
    const gateway = Bun.spawn(
      [BUN, join(ROOT, "src/main.ts"), "serve", "--config", config, "--port", String(port)],
      { stdout: "pipe", stderr: "pipe" },
    );
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok);
    await waitFor(
      async () => (await (await fetch(`${url}/health`)).json()).backends.fixture.tools > 0,
    );
    const session = await connectHttp(url);
    const call = session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool: "slow", arguments: { steps: 8, delayMs: 100 } },
    });
    await Bun.sleep(250);
    gateway.kill("SIGTERM");
    expect(firstText(await call)).toBe("done 8");
    expect(await gateway.exited).toBe(0);
    // The log says what the shutdown waits for, and for how long at most.
    expect(await new Response(gateway.stderr).text()).toContain(
      "waiting up to 30 s (server.shutdown_timeout) for 1 call(s) in flight to finish (fixture ×1)",
    );
    await session.close();
  }, 20_000);

  test("tool lists are cached on disk, so the next start indexes before backends answer", async () => {
    const stateDir = tempDir();
    const yaml = `
state_dir: ${stateDir}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;
    const file = writeConfig(yaml);
    const warm = await runGateway({ config: loadConfig({ path: file }), port: 0 });
    await waitFor(() => warm.gateway.index.tools("fixture").length === 16);
    await warm.stop();
    const cold = await runGateway({ config: loadConfig({ path: file }), port: 0 });
    try {
      // Served from the cache: indexed, and the process not started until first use (its state
      // says so; a 500 ms bound on the indexing failed under load).
      await waitFor(() => cold.gateway.index.tools("fixture").length === 16);
      expect(cold.gateway.pool.status("fixture")!.state).toBe("idle");
      const report = await (await fetch(`${cold.url}/health`)).json();
      expect(report.backends.fixture).toMatchObject({ state: "idle", tools: 16 });
    } finally {
      await cold.stop();
    }
  });
});
