import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ConnectedClient,
  connectHttp,
  firstText,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { startUpstream, type Upstream } from "./_upstream.ts";

let api: Upstream;
let dir: string;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;
let listChanged = 0;
/** Calls of /slow/ that reached the upstream, and what lets them answer (set by a test). */
let slowArrived = 0;
let slowRelease: Promise<void> | undefined;

/** A capability file calling the loopback API. */
function capabilityYaml(name: string, path: string, extra = ""): string {
  return `name: ${name}
description: Looks up a ticket in the test API by id.
schema:
  input:
    type: object
    required: [id]
    properties: { id: { type: integer, description: "Ticket id" } }
rest: { base_url: "${api.origin}", path: "${path}" }
metadata: { category: test, tags: [ticket], read_only: true }
${extra}`;
}

async function invoke(server: string, tool: string, args: Record<string, unknown>) {
  return session.client.callTool({
    name: "gateway_invoke",
    arguments: { server, tool, arguments: args },
  });
}

async function search(query: string): Promise<string[]> {
  const result = await session.client.callTool({
    name: "gateway_search_tools",
    arguments: { query, limit: 25 },
  });
  const { matches } = result.structuredContent as { matches: { server: string; tool: string }[] };
  return matches.map((match) => `${match.server}:${match.tool}`);
}

beforeAll(async () => {
  api = startUpstream(async (_request, url) => {
    const slow = url.pathname.startsWith("/slow/");
    if (slow) {
      slowArrived++;
      await (slowRelease ?? Bun.sleep(600));
    }
    const id = Number(url.pathname.split("/").at(-1));
    if (id === 404) return Response.json({ error: "no such ticket" }, { status: 404 });
    return Response.json({ id, title: `Ticket ${id}`, via: url.pathname });
  });
  dir = tempDir("mcpgw-caps-");
  writeFileSync(join(dir, "ticket_get.yaml"), capabilityYaml("ticket_get", "/tickets/{id}"));
  writeFileSync(
    join(dir, "ticket_secret.yaml"),
    capabilityYaml(
      "ticket_secret",
      "/secret/{id}",
      "auth: { type: bearer, key: env:TICKET_TOKEN_NOT_SET }",
    ),
  );
  gateway = await startGateway(
    `
capabilities:
  directories: ["${dir}"]
  allow_private_networks: true
`,
    { ...process.env, TICKET_TOKEN_NOT_SET: "" },
  );
  session = await connectHttp(gateway.url);
  session.client.setNotificationHandler("notifications/tools/list_changed", async () => {
    listChanged++;
  });
  await waitFor(() => gateway.gateway.index.tools("capabilities").length > 0);
});

afterAll(async () => {
  await session?.close();
  await gateway?.stop();
  api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("capabilities through the gateway", () => {
  test("a capability is invoked with gateway_invoke on server capabilities", async () => {
    const result = await invoke("capabilities", "ticket_get", { id: 7 });
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(firstText(result))).toEqual({ id: 7, title: "Ticket 7", via: "/tickets/7" });
  });

  test("the original's backend name, gateway, reaches it too", async () => {
    const result = await invoke("gateway", "ticket_get", { id: 8 });
    expect(JSON.parse(firstText(result)).id).toBe(8);
  });

  test("built-in and configured capabilities are searchable", async () => {
    expect(await search("ticket by id")).toContain("capabilities:ticket_get");
    expect((await search("weather forecast"))[0]).toBe("capabilities:weather_forecast");
  });

  test("gateway_list_servers shows the capabilities backend", async () => {
    const result = await session.client.callTool({ name: "gateway_list_servers", arguments: {} });
    const { servers } = result.structuredContent as { servers: { name: string; tools: number }[] };
    const row = servers.find((server) => server.name === "capabilities");
    expect(row?.tools).toBeGreaterThanOrEqual(40);
  });

  test("a capability whose key is missing is hidden from list and search", async () => {
    // Every page: the built-in catalog alone fills more than one.
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const listed = await session.client.callTool({
        name: "gateway_list_tools",
        arguments: { server: "capabilities", ...(cursor ? { cursor } : {}) },
      });
      const page = listed.structuredContent as { tools: { tool: string }[]; nextCursor?: string };
      names.push(...page.tools.map((t) => t.tool));
      cursor = page.nextCursor;
    } while (cursor);
    expect(names).toContain("ticket_get");
    expect(names).not.toContain("ticket_secret");
    expect(names).not.toContain("github_create_issue");
    expect(await search("ticket")).not.toContain("capabilities:ticket_secret");
    const call = await invoke("capabilities", "ticket_secret", { id: 1 });
    expect(call.isError).toBe(true);
    expect(firstText(call)).toStartWith("[TOOL_NOT_FOUND]");
  });

  test("an API error comes back as a tool error with the status", async () => {
    const result = await invoke("capabilities", "ticket_get", { id: 404 });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toBe(
      `[UPSTREAM_HTTP_ERROR] GET ${api.origin}/tickets/404 returned 404 Not Found: {"error":"no such ticket"}`,
    );
  });

  test("arguments are checked against the capability's input schema first", async () => {
    const result = await invoke("capabilities", "ticket_get", { id: "seven" });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toStartWith("[INVALID_ARGUMENTS]");
  });
});

describe("hot reload", () => {
  // The watcher acts 150 ms after a write; the waits below are generous because a loaded
  // machine (CI's) once took over the 1 s they had.
  test("a new file is searchable without a reload, and clients hear tools/list_changed", async () => {
    const before = listChanged;
    writeFileSync(join(dir, "ticket_close.yaml"), capabilityYaml("ticket_close", "/close/{id}"));
    await waitFor(async () => (await search("ticket")).includes("capabilities:ticket_close"));
    await waitFor(() => listChanged > before);
    const result = await invoke("capabilities", "ticket_close", { id: 3 });
    expect(JSON.parse(firstText(result)).via).toBe("/close/3");
  });

  test("a changed file changes what the tool does", async () => {
    writeFileSync(join(dir, "ticket_close.yaml"), capabilityYaml("ticket_close", "/closed/{id}"));
    // Fresh ids each try: read-only results may be cached for the same arguments.
    let id = 100;
    await waitFor(async () => {
      const result = await invoke("capabilities", "ticket_close", { id: ++id });
      return JSON.parse(firstText(result)).via === `/closed/${id}`;
    });
  });

  test("a file that stops validating keeps its last good version", async () => {
    const events = gateway.gateway.index.tools("capabilities").length;
    writeFileSync(join(dir, "ticket_close.yaml"), "name: ticket_close\ndescription: broken\n");
    await Bun.sleep(400);
    expect(gateway.gateway.index.tools("capabilities").length).toBe(events);
    const result = await invoke("capabilities", "ticket_close", { id: 4 });
    expect(JSON.parse(firstText(result)).via).toBe("/closed/4");
  });

  test("a call in flight survives its file's removal; then the tool is gone", async () => {
    writeFileSync(join(dir, "ticket_slow.yaml"), capabilityYaml("ticket_slow", "/slow/{id}"));
    await waitFor(() => gateway.gateway.index.get("capabilities", "ticket_slow"));
    const before = listChanged;
    // The upstream holds the call until the file's removal has taken effect (a 100 ms sleep and
    // a 600 ms answer let a loaded machine remove the tool before the call reached it, or
    // answer before the removal).
    let release = () => {};
    slowRelease = new Promise((resolve) => {
      release = resolve;
    });
    const arrived = slowArrived;
    const call = invoke("capabilities", "ticket_slow", { id: 5 });
    await waitFor(() => slowArrived > arrived);
    rmSync(join(dir, "ticket_slow.yaml"));
    rmSync(join(dir, "ticket_close.yaml"));
    await waitFor(() => !gateway.gateway.index.get("capabilities", "ticket_slow"));
    release();
    slowRelease = undefined;
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(firstText(result)).via).toBe("/slow/5");
    await waitFor(() => listChanged > before);
    const gone = await invoke("capabilities", "ticket_slow", { id: 5 });
    expect(firstText(gone)).toStartWith("[TOOL_NOT_FOUND]");
  });
});
