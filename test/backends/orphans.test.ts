import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { BUN, cleanupsAfterAll, tempDir, waitFor } from "../helpers.ts";
import { HOSTILE_SERVER, running, startServe, text } from "./_serve.ts";

const cleanups = cleanupsAfterAll();
// Each test starts real gateway processes (two, for the restart); the machine may be busy.
setDefaultTimeout(30_000);

/** A backend whose process, and every process it starts, carry `marker` in their command line. */
function backend(marker: string): string {
  return `backends:\n  hostile:\n    command: ${BUN}\n    args: ["${HOSTILE_SERVER}", "${marker}"]\n`;
}

function newMarker(): string {
  return `mcpgw-orphan-${crypto.randomUUID().slice(0, 8)}`;
}

/** The gateway's watchdog (a child `sh` of the serve process). */
function watchdogOf(pid: number): number[] {
  const found = spawnSync("pgrep", ["-P", String(pid), "-f", "mcp-gateway-watchdog"], {
    encoding: "utf8",
  });
  return found.stdout.split("\n").filter(Boolean).map(Number);
}

describe.skipIf(process.platform !== "linux")("a backend's children never outlive it", () => {
  test("a backend that crashes takes its children with it, setsid ones too", async () => {
    const marker = newMarker();
    const gateway = await startServe(backend(marker));
    cleanups.push(() => gateway.stop());
    const pids = JSON.parse(text(await gateway.invoke("hostile", "children", { marker })));
    expect(pids.group).toBeGreaterThan(0);
    expect(pids.session).toBeGreaterThan(0);
    // The backend and its two children.
    await waitFor(() => running(marker).length === 3);
    const crashed = await gateway.invoke("hostile", "crash");
    expect(crashed.isError).toBe(true);
    await waitFor(() => running(marker).length === 0, 15_000);
    // The gateway goes on, and the backend starts again on next use.
    expect(text(await gateway.invoke("hostile", "echo", { message: "again" }))).toBe("again");
  });

  test("kill -9 of the gateway leaves nothing running", async () => {
    const marker = newMarker();
    const gateway = await startServe(backend(marker));
    cleanups.push(() => gateway.stop());
    await gateway.invoke("hostile", "children", { marker });
    await waitFor(() => running(marker).length === 3);
    gateway.process.kill("SIGKILL");
    await gateway.process.exited;
    await waitFor(() => running(marker).length === 0, 15_000);
  });

  test("a gateway that starts reaps what a gateway killed with its watchdog left", async () => {
    const marker = newMarker();
    const state = tempDir();
    const env = { ...process.env, XDG_STATE_HOME: state };
    const first = await startServe(backend(marker), env);
    cleanups.push(() => first.stop());
    await first.invoke("hostile", "children", { marker });
    await waitFor(() => running(marker).length === 3);
    const watchdogs = watchdogOf(first.process.pid);
    expect(watchdogs.length).toBe(1);
    // As the OOM killer might: the watchdog first, then the gateway.
    for (const pid of watchdogs) process.kill(pid, "SIGKILL");
    first.process.kill("SIGKILL");
    await first.process.exited;
    await Bun.sleep(300);
    // The backend itself died with the gateway (PR_SET_PDEATHSIG); its children did not.
    expect(running(marker).length).toBe(2);
    const second = await startServe("backends: {}\n", env);
    cleanups.push(() => second.stop());
    await waitFor(() => running(marker).length === 0, 15_000);
  });

  test("a gateway that starts leaves another live gateway's backends alone", async () => {
    const marker = newMarker();
    const env = { ...process.env, XDG_STATE_HOME: tempDir() };
    const first = await startServe(backend(marker), env);
    cleanups.push(() => first.stop());
    await first.invoke("hostile", "children", { marker });
    await waitFor(() => running(marker).length === 3);
    const second = await startServe("backends: {}\n", env);
    cleanups.push(() => second.stop());
    await Bun.sleep(300);
    expect(running(marker).length).toBe(3);
    expect(text(await first.invoke("hostile", "echo", { message: "mine" }))).toBe("mine");
  });
});
