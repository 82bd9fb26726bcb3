/**
 * One backend that hangs at start × every session's searches and lists. Searches and lists wait
 * for a starting backend up to `meta_mcp.discovery_wait`, counted from when its start began:
 * once that is spent, other sessions' searches answer at once (naming it as starting) instead of
 * each waiting the whole bound again; calls to the good backend never wait; /health answers. A
 * reload that removes it, or a stop, ends its start at once instead of waiting for it to time out.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
/** An unusual number, so that the stuck process can be found by its command line. */
const STUCK_SECONDS = 4717;
// This process's own child only: another run of this file on the machine has its own.
const stuckRunning = () =>
  Bun.spawnSync(["pgrep", "-P", `${process.pid}`, "-f", `^sleep ${STUCK_SECONDS}$`])
    .stdout.toString()
    .trim() !== "";
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
meta_mcp: { discovery_wait: 10s }
capabilities: { enabled: false }
backends:
  good:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
  stuck:
    command: sleep
    args: ["${STUCK_SECONDS}"]
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("good").length > 0);
}, 30_000);

describe("a backend stuck starting", () => {
  test("costs the searches of every session one discovery_wait in all, not one each", async () => {
    const sessions = await Promise.all([1, 2, 3].map(() => connectHttp(gateway.url)));
    for (const session of sessions) cleanups.push(session.close);
    // Its start began with the gateway: the first search waits out what is left of the bound.
    await sessions[0]!.client.callTool({ name: "gateway_search_tools", arguments: { query: "x" } });
    for (const session of sessions) {
      const started = Date.now();
      const found = await session.client.callTool({
        name: "gateway_search_tools",
        arguments: { query: "echo a message" },
      });
      const listed = await session.client.callTool({ name: "gateway_list_tools", arguments: {} });
      // Waiting the bound again would take 10 s. (With a 3 s bound, 2 s failed under load.)
      expect(Date.now() - started).toBeLessThan(6000);
      const data = found.structuredContent as { matches: { tool: string }[]; starting?: string[] };
      expect(data.matches[0]!.tool).toBe("echo");
      expect(data.starting).toEqual(["stuck"]);
      expect((listed.structuredContent as { starting?: string[] }).starting).toEqual(["stuck"]);
    }
    const health = await fetch(`${gateway.url}/health`);
    expect(
      ((await health.json()) as { backends: Record<string, { state: string }> }).backends.stuck!
        .state,
    ).toBe("starting");
    const call = await sessions[0]!.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "good", tool: "echo", arguments: { message: "fast" } },
    });
    expect(firstText(call)).toBe("fast");
  }, 30_000);

  test("a reload that removes it answers at once, and its process is gone", async () => {
    expect(stuckRunning()).toBe(true);
    const file = gateway.gateway.config.file!;
    await Bun.write(
      file,
      `capabilities: { enabled: false }\nbackends:\n  good:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n`,
    );
    const started = Date.now();
    const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
    expect(((await response.json()) as { removed: string[] }).removed).toEqual(["stuck"]);
    // Not after the 10 s discovery_wait nor the start's own timeout.
    expect(Date.now() - started).toBeLessThan(6000);
    await waitFor(() => !stuckRunning());
  }, 30_000);
});
