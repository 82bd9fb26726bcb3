/**
 * Hot reload × calls in flight in several sessions: renaming a backend, or pointing its name at
 * another server, while calls are running. No call is lost, and none is answered by the wrong
 * backend.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import {
  BUN,
  type ConnectedClient,
  cleanupsAfterAll,
  connectHttp,
  EVERYTHING,
  FIXTURE_SERVER,
  firstText,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
const fixture = (name: string) =>
  `  ${name}:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`;
const everything = (name: string) =>
  `  ${name}:\n    command: node\n    args: ["${EVERYTHING}", "stdio"]\n`;

let gateway: Awaited<ReturnType<typeof startFromFile>>;
let file: string;
let sessions: ConnectedClient[];

beforeAll(async () => {
  file = writeConfig(`backends:\n${fixture("alpha")}${everything("other")}`);
  gateway = await startFromFile(file);
  cleanups.push(() => gateway.stop());
  // Both running: a call to a backend still starting when a reload replaces it fails with
  // "[BACKEND_UNAVAILABLE] stopped while starting" (under load, server-everything took longer
  // than the test's 100 ms to start); this file is about calls the backend already has.
  await waitFor(
    () =>
      gateway.gateway.index.tools("alpha").length > 0 &&
      gateway.gateway.index.tools("other").length > 0,
    20_000,
  );
  sessions = await Promise.all([connectHttp(gateway.url), connectHttp(gateway.url)]);
  for (const session of sessions) cleanups.push(session.close);
}, 30_000);

const invoke = (session: ConnectedClient, server: string, tool: string, args = {}) =>
  session.client.callTool({ name: "gateway_invoke", arguments: { server, tool, arguments: args } });

const reload = async (text: string) => {
  writeFileSync(file, text);
  const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
  return (await response.json()) as { added: string[]; removed: string[]; changed: string[] };
};

describe("reload while calls are in flight", () => {
  test("a renamed backend: calls in flight finish; the old name is gone, the new one answers", async () => {
    const inFlight = sessions.map((session) =>
      invoke(session, "alpha", "slow", { steps: 6, delayMs: 100 }),
    );
    // In flight before the reload (was: a fixed 150 ms).
    await waitFor(() => gateway.gateway.pool.inFlight() >= sessions.length);
    const summary = await reload(`backends:\n${fixture("beta")}${everything("other")}`);
    expect(summary.added).toEqual(["beta"]);
    expect(summary.removed).toEqual(["alpha"]);
    const results = await Promise.all(inFlight);
    for (const result of results) expect(firstText(result)).toBe("done 6");
    expect(firstText(await invoke(sessions[0]!, "beta", "echo", { message: "b" }))).toBe("b");
    expect(firstText(await invoke(sessions[1]!, "alpha", "echo", { message: "a" }))).toStartWith(
      "[SERVER_NOT_FOUND]",
    );
  }, 30_000);

  test("a name pointed at another server: the calls after it reach the new one, search and lists too", async () => {
    // "other" was server-everything; now it is the fixture, and "beta" becomes server-everything.
    const inFlight = invoke(sessions[0]!, "other", "trigger-long-running-operation", {
      duration: 1,
      steps: 3,
    });
    await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
    await reload(`backends:\n${everything("beta")}${fixture("other")}`);
    const first = await inFlight;
    expect(JSON.stringify(first.content)).toContain("Long running operation completed");
    const echoed = await invoke(sessions[1]!, "other", "echo", { message: "x" });
    // The fixture's echo answers the message alone; server-everything's says "Echo: x".
    expect(firstText(echoed)).toBe("x");
    const listed = await sessions[1]!.client.callTool({
      name: "gateway_list_tools",
      arguments: { server: "other" },
    });
    const names = (listed.structuredContent as { tools: { tool: string }[] }).tools.map(
      (t) => t.tool,
    );
    expect(names).toContain("pid");
    expect(names).not.toContain("get-env");
    expect(firstText(await invoke(sessions[0]!, "beta", "echo", { message: "y" }))).toBe("Echo: y");
  }, 30_000);

  test("a removed backend's hung call ends at its timeout, and then its process is gone", async () => {
    await reload(`backends:\n${fixture("beta")}${fixture("gamma")}    timeout: 1s\n`);
    await waitFor(() => gateway.gateway.index.tools("gamma").length > 0);
    const pid = Number(firstText(await invoke(sessions[0]!, "gamma", "pid")));
    const hung = invoke(sessions[1]!, "gamma", "hang_write");
    await waitFor(() => gateway.gateway.pool.inFlight() >= 1);
    await reload(`backends:\n${fixture("beta")}`);
    expect(process.kill(pid, 0)).toBe(true);
    expect(firstText(await hung)).toStartWith("[BACKEND_TIMEOUT]");
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 5000);
  }, 30_000);

  test("a backend replaced by one that cannot start no longer offers the old server's tools", async () => {
    await reload(`backends:\n${everything("beta")}`);
    await waitFor(() => gateway.gateway.index.tools("beta").length > 0);
    await reload(
      `backends:\n  beta:\n    command: sh\n    args: ["-c", "echo broken >&2; exit 1"]\n`,
    );
    await waitFor(() => gateway.gateway.pool.status("beta")?.state === "failed");
    const found = await sessions[0]!.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "print the environment variables" },
    });
    const matches = (found.structuredContent as { matches: { server: string }[] }).matches;
    expect(matches.filter((m) => m.server === "beta")).toEqual([]);
    const listed = await sessions[1]!.client.callTool({
      name: "gateway_list_tools",
      arguments: { server: "beta" },
    });
    expect((listed.structuredContent as { tools: unknown[] }).tools).toEqual([]);
  }, 30_000);
});
