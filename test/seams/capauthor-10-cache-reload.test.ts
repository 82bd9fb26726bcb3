/**
 * A capability author edits a file while the gateway serves it. What a cache holds must be the
 * answer of the definition being served: neither an edit that keeps the tool's schema (a new
 * `base_url`, `path` or `response_path`) nor a call still running on the old definition when
 * the edit lands may leave the old definition's answer to be served for the new one.
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
let dir: string;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;

/** A read-only lookup whose schema (what tools/list shows) does not depend on `path`. */
const lookup = (name: string, path: string, extra = "") => `name: ${name}
description: Looks up an order by id.
schema:
  input: { type: object, required: [id], properties: { id: { type: string } } }
rest: { base_url: "${api.origin}", path: "${path}" }
metadata: { read_only: true }
${extra}`;

const invoke = (tool: string, id: string) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool, arguments: { id } },
  });

const reload = async () => {
  const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
  expect(response.status).toBe(200);
};

beforeAll(async () => {
  api = startUpstream(async (_request, url) => {
    if (url.pathname.includes("/slow/")) await Bun.sleep(800);
    return Response.json({ served_by: url.pathname.split("/")[1] });
  });
  cleanups.push(api.stop);
  dir = tempDir("capauthor-10-");
  writeFileSync(join(dir, "orders.yaml"), lookup("orders", "/staging/orders/{id}"));
  writeFileSync(
    join(dir, "orders_slow.yaml"),
    lookup("orders_slow", "/v1/slow/{id}", "cache: { ttl: 5m }"),
  );
  gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
  );
  cleanups.push(() => gateway.stop());
  session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === 2);
}, 30_000);

describe("a capability edited while the gateway serves it", () => {
  test("an edit that keeps the schema (a new path) is answered by the new endpoint", async () => {
    expect(firstText(await invoke("orders", "1"))).toBe('{"served_by":"staging"}');
    writeFileSync(join(dir, "orders.yaml"), lookup("orders", "/prod/orders/{id}"));
    await reload();
    // The same arguments: the old endpoint's answer must not be reused for the new file.
    expect(firstText(await invoke("orders", "1"))).toBe('{"served_by":"prod"}');
    expect(api.requests.filter((r) => r.path === "/prod/orders/1")).toHaveLength(1);
  }, 20_000);

  test("a call still running on the old definition does not cache its answer for the new", async () => {
    const inFlight = invoke("orders_slow", "7");
    await waitFor(() => api.requests.some((r) => r.path === "/v1/slow/7"));
    writeFileSync(
      join(dir, "orders_slow.yaml"),
      lookup("orders_slow", "/v2/slow/{id}", "cache: { ttl: 5m }"),
    );
    await reload();
    // It finishes with the definition it started with...
    expect(firstText(await inFlight)).toBe('{"served_by":"v1"}');
    // ...and the next call, under the new definition, reaches the new endpoint.
    expect(firstText(await invoke("orders_slow", "7"))).toBe('{"served_by":"v2"}');
  }, 20_000);
});
