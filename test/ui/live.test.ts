import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { LOCAL_ADMIN } from "../../src/gateway/caller.ts";
import { createGatewayHooks } from "../../src/hooks.ts";
import { createLiveFeed } from "../../src/http/ui-live.ts";
import { BUN, FIXTURE_SERVER, startGateway, waitFor } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

// The dashboard's live feed, charts, explained search and activity filters over real HTTP: a real
// gateway with auth and our fixture server, real calls made by two keys with the SDK's client.
const ADMIN = "mgw_admin-live-test-key-0123456789abcdefghijklmnop";
const VIEWER = "mgw_viewer-live-test-key-0123456789abcdefghijklmno";

let gateway: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${ADMIN}", admin: true }
    - { name: viewer, key: "${VIEWER}", allowed_tools: ["fx:*"] }
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(() => gateway.gateway.index.tools("fx").length);
});
afterAll(() => gateway.stop());

const get = (path: string, key?: string, init: RequestInit = {}) =>
  fetch(`${gateway.url}${path}`, {
    ...init,
    redirect: "manual",
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...init.headers },
  });

async function invoke(key: string, tool: string, args: Record<string, unknown> = {}) {
  const session = await connectWithKey(gateway.url, key);
  try {
    return await meta(session.client, "gateway_invoke", { server: "fx", tool, arguments: args });
  } finally {
    await session.close();
  }
}

/** Reads server-sent events until `until` returns true for what was read (or 5 s pass). */
async function readEvents(
  response: Response,
  until: (events: { event: string; data: Record<string, unknown> }[]) => boolean,
) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; data: Record<string, unknown> }[] = [];
  let text = "";
  const deadline = Date.now() + 5000;
  while (!until(events) && Date.now() < deadline) {
    const next = await Promise.race([
      reader.read(),
      Bun.sleep(deadline - Date.now()).then(() => ({ done: true, value: undefined })),
    ]);
    if (next.done) break;
    text += next.value;
    let end = text.indexOf("\n\n");
    while (end >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
      end = text.indexOf("\n\n");
    }
  }
  await reader.cancel().catch(() => {});
  return events;
}

describe("GET /ui/api/live", () => {
  test("needs a key: 401 without one or with a wrong one", async () => {
    expect((await get("/ui/api/live")).status).toBe(401);
    expect((await get("/api/live", "mgw_wrong")).status).toBe(401);
  });

  test("streams calls as they finish; a non-admin sees only its own, an admin every one", async () => {
    const [admin, viewer] = await Promise.all([
      get("/ui/api/live", ADMIN),
      get("/api/live", VIEWER),
    ]);
    expect(admin.headers.get("content-type")).toStartWith("text/event-stream");
    const calls = (events: { event: string; data: Record<string, unknown> }[]) =>
      events.filter((e) => e.event === "call").map((e) => e.data);
    const adminSaw = readEvents(admin, (events) => calls(events).length >= 2);
    const viewerSaw = readEvents(viewer, (events) =>
      calls(events).some((call) => call.tool === "fail"),
    );
    await invoke(ADMIN, "echo", { message: "from admin" });
    await invoke(VIEWER, "fail");
    const seenByAdmin = calls(await adminSaw);
    const seenByViewer = calls(await viewerSaw);
    expect(seenByAdmin.map((c) => `${c.caller} ${c.tool} ${c.status}`)).toEqual([
      "key:admin echo ok",
      "key:viewer fail error",
    ]);
    expect(seenByViewer.map((c) => `${c.caller} ${c.tool}`)).toEqual(["key:viewer fail"]);
    expect(seenByViewer[0]).toMatchObject({ server: "fx", code: "TOOL_ERROR" });
    expect(seenByViewer[0]!.durationMs).toBeGreaterThan(0);
  });

  test("a backend's state change arrives at once", async () => {
    const stream = await get("/api/live", ADMIN);
    const saw = readEvents(stream, (events) => events.some((e) => e.event === "backend"));
    await Bun.sleep(50);
    const started = Date.now();
    gateway.gateway.hooks.callHook("backend:state", "fx", "failed", "test: crashed");
    const events = await saw;
    // Pushed, not picked up by the next 15 s keep-alive tick (1 s was tight on a loaded machine).
    expect(Date.now() - started).toBeLessThan(7500);
    expect(events.find((e) => e.event === "backend")?.data).toMatchObject({
      name: "fx",
      state: "failed",
    });
    gateway.gateway.hooks.callHook("backend:state", "fx", "ready");
  });

  test("logging out ends the stream of that login", async () => {
    const login = await get("/ui/login", undefined, {
      method: "POST",
      body: new URLSearchParams({ key: VIEWER }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const stream = await get("/ui/api/live", undefined, { headers: { cookie } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await reader.read(); // hello
    const loggedOut = await get("/ui/logout", undefined, { method: "POST", headers: { cookie } });
    expect(loggedOut.status).toBe(303);
    // Whatever was on its way before, the stream then ends.
    const deadline = Bun.sleep(5000).then(() => "still open" as const);
    let next = await Promise.race([reader.read(), deadline]);
    while (next !== "still open" && !next.done)
      next = await Promise.race([reader.read(), deadline]);
    expect(next).toEqual({ done: true, value: undefined });
  });
});

describe("shutdown", () => {
  test("stopping the gateway ends the open live streams", async () => {
    const other = await startGateway("capabilities: { enabled: false }\nbackends: {}\n");
    const stream = await fetch(`${other.url}/ui/api/live`);
    const reader = stream.body!.getReader();
    await reader.read(); // hello
    // The server's stop cuts the connection (an error here) or the stream ends first.
    const ended = reader.read().then(
      (next) => (next.done ? "ended" : "more"),
      () => "ended",
    );
    await other.stop();
    expect(await Promise.race([ended, Bun.sleep(3000).then(() => "still open")])).toBe("ended");
  });
});

describe("the live feed's buffers", () => {
  test("keep-alives come on time, and a key revoked meanwhile ends the stream at the next one", async () => {
    let revoked = false;
    const feed = createLiveFeed({
      hooks: createGatewayHooks(),
      reauthenticate: async () => (revoked ? new Response(null, { status: 401 }) : LOCAL_ADMIN),
      keepAliveMs: 50,
    });
    const response = feed.subscribe(new Request("http://gateway/ui/api/live"), LOCAL_ADMIN);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain("event: hello");
    expect((await reader.read()).value).toBe(": keep-alive\n\n");
    revoked = true;
    let next = await reader.read();
    while (!next.done && next.value === ": keep-alive\n\n") next = await reader.read();
    expect(next.done).toBe(true);
    expect(feed.size()).toBe(0);
    feed.close();
  });

  test("a reader that does not read gets at most its buffer, then a count of what it missed", async () => {
    const hooks = createGatewayHooks();
    const feed = createLiveFeed({ hooks, reauthenticate: async () => LOCAL_ADMIN, buffer: 8 });
    const response = feed.subscribe(new Request("http://gateway/ui/api/live"), LOCAL_ADMIN);
    for (let i = 0; i < 100; i++) hooks.callHook("tools:changed", `s${i}`, []);
    await Bun.sleep(20);
    // The buffer holds 8 events (the first is `hello`): each read answers at once.
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const read = async (count: number) => {
      let text = "";
      for (let i = 0; i < count; i++) text += decoder.decode((await reader.read()).value);
      return text;
    };
    const first = await read(8);
    expect(first).toStartWith("retry: 3000\nevent: hello");
    const kept = first.split("event: tools").length - 1;
    expect(kept).toBe(7);
    // Reading made room: the next event comes after a line that says how many were dropped.
    hooks.callHook("tools:changed", "after", []);
    await Bun.sleep(20);
    const next = await read(2);
    expect(next).toStartWith(`event: dropped\ndata: {"count":${100 - kept}}`);
    expect(next).toContain('"server":"after"');
    feed.close();
    expect(feed.size()).toBe(0);
  });
});

describe("charts, explained search, activity filters", () => {
  test("charts count real calls per backend by minute; a non-admin's only its own", async () => {
    const admin = await (await get("/api/charts?window=1h", ADMIN)).json();
    expect(admin.bucketMs).toBe(60_000);
    const fx = admin.backends.find((b: { server: string }) => b.server === "fx");
    expect(fx.calls).toBeGreaterThanOrEqual(2);
    expect(fx.points).toHaveLength(60);
    const last = fx.points.filter((p: { calls: number }) => p.calls > 0).at(-1);
    expect(last.p50).toBeGreaterThan(0);
    expect(last.p99).toBeGreaterThanOrEqual(last.p50);
    const viewer = await (await get("/api/charts?window=24h", VIEWER)).json();
    expect(viewer.bucketMs).toBe(900_000);
    expect(viewer.backends[0].calls).toBeLessThan(fx.calls);
    expect((await get("/api/charts?window=2h", ADMIN)).status).toBe(400);
    expect((await get("/api/charts")).status).toBe(401);
  });

  test("explain runs gateway_search_tools' search with the caller's scopes and says why", async () => {
    const { matches } = await (await get("/api/explain?q=echo%20a%20message", VIEWER)).json();
    expect(matches[0]).toMatchObject({ rank: 1, server: "fx", tool: "echo" });
    const words = matches[0].why.words;
    expect(words.find((w: { word: string }) => w.word === "echo").fields).toContain("name");
    expect(matches[0].why.coverage).toBeGreaterThan(0);
    expect((await get("/api/explain?q=", VIEWER)).status).toBe(400);
  });

  test("the activity log filters by server, outcome and time range", async () => {
    const rows = async (query: string) =>
      (await (await get(`/api/audit?${query}`, ADMIN)).json()).rows as { tool: string }[];
    const failed = await rows("server=fx&outcome=error");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((row) => row.tool === "fail")).toBe(true);
    expect(await rows("server=fx&until=1h")).toEqual([]);
    expect((await get("/api/audit?outcome=maybe", ADMIN)).status).toBe(400);
  });
});
