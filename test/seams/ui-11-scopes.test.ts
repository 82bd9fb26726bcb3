import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BUN, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

// An operator logged in to the dashboard with a key scoped to one tool (fx:echo) reads the
// overview and /metrics: neither may count, name or time a tool outside its scope, whoever
// called it. The admin's calls to fx:fail and to a whole other backend happen first.
const ADMIN = "mgw_admin-ui11-scopes-key-0123456789abcdefghijklmn";
const SCOPED = "mgw_scoped-ui11-scopes-key-0123456789abcdefghijklm";

let gateway: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${ADMIN}", admin: true }
    - { name: scoped, key: "${SCOPED}", allowed_tools: ["fx:echo"] }
backends:
  fx: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
  hidden: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`);
  await waitFor(
    () => gateway.gateway.index.tools("fx").length && gateway.gateway.index.tools("hidden").length,
  );
  const call = async (key: string, server: string, tool: string, args = {}) => {
    const { client, close } = await connectWithKey(gateway.url, key);
    try {
      await client.callTool({
        name: "gateway_invoke",
        arguments: { server, tool, arguments: args },
      });
    } finally {
      await close();
    }
  };
  await call(ADMIN, "fx", "fail");
  await call(ADMIN, "hidden", "echo", { message: "x" });
  await call(SCOPED, "fx", "echo", { message: "mine" });
});
afterAll(() => gateway.stop());

const get = (path: string, key: string) =>
  fetch(`${gateway.url}${path}`, { headers: { Authorization: `Bearer ${key}` } });

describe("a key scoped to fx:echo", () => {
  test("the overview does not show other keys' sessions' clients and tool lists", async () => {
    // The admin's client lists its tools and stays connected.
    const admin = await connectWithKey(gateway.url, ADMIN);
    try {
      await admin.client.listTools();
      await waitFor(() => gateway.gateway.surfaces.size > 0);
      const status = (await (await get("/api/status", SCOPED)).json()) as Record<string, unknown>;
      expect(status.surfaces ?? {}).toEqual({});
      // /health says as much to this key.
      const health = (await (await get("/health", SCOPED)).json()) as Record<string, unknown>;
      expect(health.surfaces).toBeUndefined();
      const mine = (await (await get("/api/status", ADMIN)).json()) as Record<string, unknown>;
      expect(Object.keys(mine.surfaces as object).length).toBeGreaterThan(0);
    } finally {
      await admin.close();
    }
  });

  test("/metrics has no series of fx:fail, a tool it may not call", async () => {
    const text = await (await get("/metrics", SCOPED)).text();
    expect(text).toContain('tool="echo"');
    expect(text).not.toContain('tool="fail"');
    expect(text).not.toContain("hidden");
    // The admin still sees everything.
    expect(await (await get("/metrics", ADMIN)).text()).toContain('tool="fail"');
  });

  test("the overview counts the tools it sees and the calls of those tools only", async () => {
    const status = (await (await get("/api/status", SCOPED)).json()) as {
      tools: number;
      backends: { name: string; tools: number; calls: number; errors: number }[];
    };
    const tools = (await (await get("/api/tools", SCOPED)).json()) as { tools: unknown[] };
    expect(tools.tools).toHaveLength(1);
    // "1 backends · 1 tools": not the gateway's 32, nor fx's 16 it cannot list.
    expect(status.tools).toBe(1);
    expect(status.backends).toEqual([
      expect.objectContaining({ name: "fx", tools: 1, calls: 1, errors: 0 }),
    ]);
    const admin = (await (await get("/api/status", ADMIN)).json()) as typeof status;
    expect(admin.tools).toBe(32);
    expect(admin.backends.find((b) => b.name === "fx")).toMatchObject({ calls: 2, errors: 1 });
  });
});
