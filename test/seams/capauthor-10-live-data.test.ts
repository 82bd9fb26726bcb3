/**
 * Live data behind a read-only capability: the time in a zone, a position, a balance. Its
 * author leaves `cache` out (or writes `strategy: none`, `ttl: 0`) because every call must be
 * fresh, as the built-ins `time_in_zone`, `iss_position` and `stripe_balance` do. The gateway's
 * response cache (`cache.default_ttl`, 60s, for tools annotated read-only) reused their answers
 * anyway: the second call within a minute got the first call's time. A capability is cached by
 * its own `cache` block only.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startUpstream, type Upstream } from "../capabilities/_upstream.ts";
import {
  type ConnectedClient,
  cleanupsAfterAll,
  connectHttp,
  firstText,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
let api: Upstream;
let session: ConnectedClient;
let tick = 0;

const invoke = (tool: string) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool, arguments: { zone: "Europe/Paris" } },
  });
const cap = (name: string, extra = "") => `name: ${name}
description: The time now in a zone.
schema: { input: { type: object, properties: { zone: { type: string } } } }
rest: { base_url: "${api?.origin}", path: "/${name}" }
metadata: { read_only: true }
${extra}`;

beforeAll(async () => {
  api = startUpstream(() => Response.json({ tick: ++tick }));
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  writeFileSync(join(dir, "now.yaml"), cap("now"));
  writeFileSync(join(dir, "now_none.yaml"), cap("now_none", "cache: { strategy: none, ttl: 60 }"));
  writeFileSync(join(dir, "now_cached.yaml"), cap("now_cached", "cache: { ttl: 5m }"));
  const gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
  );
  cleanups.push(() => gateway.stop());
  session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === 3);
}, 30_000);

const calls = (path: string) => api.requests.filter((request) => request.path === path).length;

describe("a read-only capability", () => {
  test("without a cache block asks the API every time", async () => {
    const first = firstText(await invoke("now"));
    const second = firstText(await invoke("now"));
    expect(second).not.toBe(first);
    expect(calls("/now")).toBe(2);
  });

  test("with strategy: none asks the API every time", async () => {
    await invoke("now_none");
    await invoke("now_none");
    expect(calls("/now_none")).toBe(2);
  });

  test("with cache.ttl reuses its answer, as its author asked", async () => {
    const first = firstText(await invoke("now_cached"));
    expect(firstText(await invoke("now_cached"))).toBe(first);
    expect(calls("/now_cached")).toBe(1);
  });
});
