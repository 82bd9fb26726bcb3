import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  firstText,
  freePort,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { faultClient } from "./_faults.ts";

// The same faults as faults.test.ts, with the backend over Streamable HTTP instead of stdio.
const cleanups = cleanupsAfterAll();

async function setup(backendYaml = "", topYaml = "") {
  const log = join(tempDir(), "fixture.log");
  writeFileSync(log, "");
  const port = await freePort();
  const backend = Bun.spawn([BUN, FIXTURE_SERVER, "--http", String(port)], {
    env: { ...process.env, FIXTURE_LOG: log },
    stderr: "ignore",
  });
  cleanups.push(() => backend.kill());
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined)) !== undefined,
  );
  const gateway = await startGateway(`
${topYaml}
capabilities: { enabled: false }
backends:
  remote:
    url: http://127.0.0.1:${port}/mcp
${backendYaml}
`);
  const { invoke, calls } = await faultClient(gateway, "remote", log, cleanups);
  return { gateway, invoke, calls, log, backend };
}

describe("faults over Streamable HTTP", () => {
  test("a timeout is a tool error saying so, and is cancelled at the backend", async () => {
    const { invoke, log } = await setup("    timeout: 300ms");
    expect(firstText(await invoke("wait"))).toMatch(/^\[BACKEND_TIMEOUT\] .*after 300ms/);
    await waitFor(() => readFileSync(log, "utf8").includes("cancelled"));
  });

  test("the breaker opens after failures and answers at once", async () => {
    const { invoke } = await setup(
      "    timeout: 200ms",
      "failsafe: { circuit_breaker: { failure_threshold: 2, reset_timeout: 5s }, retry: { enabled: false } }",
    );
    await invoke("hang_write");
    await invoke("hang_write");
    expect(firstText(await invoke("echo", { message: "x" }))).toMatch(/^\[CIRCUIT_OPEN\]/);
  });

  test("a read-only tool is retried; a tool with side effects is not", async () => {
    const { invoke, calls } = await setup(
      "    timeout: 300ms",
      "failsafe: { retry: { initial_backoff: 10ms } }",
    );
    expect(firstText(await invoke("hang_once"))).toBe("answered");
    expect(calls("hang_once")).toBe(2);
    expect(firstText(await invoke("hang_write"))).toStartWith("[BACKEND_TIMEOUT]");
    expect(calls("hang_write")).toBe(1);
  });

  test("a backend that goes away fails the call with a clear error", async () => {
    const { invoke, backend } = await setup("", "failsafe: { retry: { enabled: false } }");
    expect(firstText(await invoke("echo", { message: "up" }))).toBe("up");
    backend.kill();
    await backend.exited;
    const down = await invoke("echo", { message: "down" });
    expect(down.isError).toBe(true);
    expect(firstText(down)).toStartWith("[BACKEND_UNAVAILABLE]");
  });
});
