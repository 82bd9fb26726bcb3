import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";

const backend = (name: string, extra = "") =>
  `  ${name}:\n    command: ${BUN}\n    args: ["${FIXTURE_SERVER}"]\n${extra}`;

let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;
let file: string;
let listChanged = 0;

beforeAll(async () => {
  gateway = await startGateway(`backends:\n${backend("alpha")}`);
  file = gateway.gateway.config.file!;
  await waitFor(() => gateway.gateway.index.tools("alpha").length > 0);
  session = await connectHttp(gateway.url);
  session.client.setNotificationHandler("notifications/tools/list_changed", async () => {
    listChanged++;
  });
});

afterAll(async () => {
  await session?.close();
  await gateway?.stop();
});

const servers = async () => {
  const result = await session.client.callTool({ name: "gateway_list_servers", arguments: {} });
  return (result.structuredContent as { servers: { name: string }[] }).servers
    .map((s) => s.name)
    .sort();
};
const invoke = (server: string, tool: string, args: Record<string, unknown> = {}) =>
  session.client.callTool({ name: "gateway_invoke", arguments: { server, tool, arguments: args } });

describe("hot reload of gateway.yaml", () => {
  // The watcher acts 150 ms after a write; no wall-clock bound on top (1.5 s failed under load).
  test("an in-place write adds a backend, without dropping a call in flight", async () => {
    const pid = firstText(await invoke("alpha", "pid"));
    const inFlight = invoke("alpha", "slow", { steps: 10, delayMs: 100 });
    const before = listChanged;
    writeFileSync(file, `backends:\n${backend("alpha")}${backend("beta")}`);
    await waitFor(async () => (await servers()).includes("beta"), 15_000);
    expect(firstText(await inFlight)).toBe("done 10");
    // The untouched backend kept its process.
    expect(firstText(await invoke("alpha", "pid"))).toBe(pid);
    await waitFor(() => gateway.gateway.index.tools("beta").length > 0);
    expect(firstText(await invoke("beta", "echo", { message: "new" }))).toBe("new");
    await waitFor(() => listChanged > before);
  });

  test("a config that fails validation is refused and the running one kept", async () => {
    writeFileSync(file, "backends:\n  alpha:\n    comand: oops\n");
    await Bun.sleep(600);
    expect((await servers()).filter((s) => s !== "capabilities")).toEqual(["alpha", "beta"]);
    expect(firstText(await invoke("alpha", "echo", { message: "still" }))).toBe("still");
  });

  test("removing a backend closes it; POST /api/reload applies and says what changed", async () => {
    writeFileSync(file, `backends:\n${backend("alpha")}`);
    const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
    const summary = (await response.json()) as { reloaded: boolean; removed?: string[] };
    expect(response.status).toBe(200);
    expect(summary.reloaded).toBe(true);
    await waitFor(async () => !(await servers()).includes("beta"));
    const gone = await invoke("beta", "echo", { message: "x" });
    expect(firstText(gone)).toStartWith("[SERVER_NOT_FOUND]");
  });

  test("a changed backend is replaced", async () => {
    const pid = firstText(await invoke("alpha", "pid"));
    writeFileSync(file, `backends:\n${backend("alpha", "    timeout: 45s\n")}`);
    await waitFor(async () => gateway.gateway.config.backends[0]?.timeout === 45_000, 15_000);
    await waitFor(() => gateway.gateway.index.tools("alpha").length > 0);
    expect(firstText(await invoke("alpha", "pid"))).not.toBe(pid);
  });

  test("settings that apply only at start are named, never dropped silently", async () => {
    writeFileSync(
      file,
      `server: { max_sessions: 7 }\nbackends:\n${backend("alpha", "    timeout: 45s\n")}`,
    );
    const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
    const summary = (await response.json()) as { restartRequired: string[] };
    expect(summary.restartRequired).toEqual(["server.max_sessions"]);
  });
});
