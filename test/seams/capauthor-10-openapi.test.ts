/**
 * `cap import` of specs shaped like real company APIs, then the generated tools served and
 * called against a local stand-in of the API: every call must reach the API as the spec says
 * it is called. Security requirements that need two keys at once, query arrays that are not
 * exploded (OpenAPI `explode: false`, Swagger 2.0's default `collectionFormat: csv`), object
 * query parameters (`deepObject`, exploded `form`) and arrays in a form body.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { importOpenApi, writeImport } from "../../src/capabilities/openapi/import.ts";
import { type Recorded, startUpstream, type Upstream } from "../capabilities/_upstream.ts";
import { type ConnectedClient, cleanupsAfterAll, tempDir } from "../helpers.ts";
import { invokeCapability, servingCapabilities } from "./_helpers.ts";

const cleanups = cleanupsAfterAll();
let api: Upstream;
let session: ConnectedClient;

const shopSpec = (port: number) => `openapi: 3.0.3
info: { title: Shop API, version: "2.1" }
servers:
  - url: "http://{host}:{port}/api/{version}"
    variables:
      host: { default: "127.0.0.1" }
      port: { default: "${port}" }
      version: { default: v2, enum: [v1, v2] }
security:
  - ApiKey: []
    AppId: []
components:
  securitySchemes:
    ApiKey: { type: apiKey, in: header, name: X-Api-Key }
    AppId: { type: apiKey, in: query, name: app_id }
paths:
  /orders/{orderId}:
    parameters:
      - { name: orderId, in: path, required: true, schema: { type: string } }
    get:
      operationId: getOrder
      parameters:
        - { name: expand, in: query, explode: false, schema: { type: array, items: { type: string } } }
        - name: filter
          in: query
          style: deepObject
          explode: true
          schema: { type: object, properties: { status: { type: string }, since: { type: string } } }
        - name: page
          in: query
          schema: { type: object, properties: { size: { type: integer }, cursor: { type: string } } }
      responses: { "200": { description: ok } }
  /orders/search:
    post:
      operationId: searchOrders
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: { type: object, properties: { tag: { type: array, items: { type: string } }, q: { type: string } } }
      responses: { "200": { description: ok } }
`;

const legacySpec = (port: number) => `swagger: "2.0"
info: { title: Legacy, version: "1" }
host: "127.0.0.1:${port}"
basePath: /legacy
schemes: [http]
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - { name: ids, in: query, type: array, items: { type: integer } }
        - { name: tags, in: query, type: array, items: { type: string }, collectionFormat: pipes }
        - { name: sizes, in: query, type: array, items: { type: string }, collectionFormat: multi }
      responses: { "200": { description: ok } }
`;

const invoke = (tool: string, args: Record<string, unknown> = {}) =>
  invokeCapability(session, tool, args);
const last = (path: string): Recorded | undefined =>
  api.requests.filter((request) => request.path === path).at(-1);

beforeAll(async () => {
  api = startUpstream(() => Response.json({ ok: true }));
  cleanups.push(api.stop);
  const port = Number(new URL(api.origin).port);
  const dir = tempDir("capauthor-10-");
  writeFileSync(join(dir, "shop.yaml"), shopSpec(port));
  writeFileSync(join(dir, "legacy.yaml"), legacySpec(port));
  const shop = await importOpenApi(join(dir, "shop.yaml"));
  const legacy = await importOpenApi(join(dir, "legacy.yaml"));
  // Both keys of the requirement are asked for.
  expect(shop.env.sort()).toEqual(["SHOP_API_API_KEY", "SHOP_API_APPID_API_KEY"]);
  writeImport(shop, join(dir, "caps"));
  writeImport(legacy, join(dir, "caps"));
  ({ session } = await servingCapabilities(join(dir, "caps"), 3, cleanups, {
    ...process.env,
    SHOP_API_API_KEY: "key-123456",
    SHOP_API_APPID_API_KEY: "app-654321",
  }));
}, 30_000);

describe("tools imported from a real-world shaped spec call the API as it says", () => {
  test("a requirement of two keys sends both", async () => {
    const result = await invoke("getorder", { orderId: "o1" });
    expect(result.isError).toBeFalsy();
    const request = last("/api/v2/orders/o1");
    expect(request?.headers.get("x-api-key")).toBe("key-123456");
    expect(request?.url.searchParams.get("app_id")).toBe("app-654321");
  });

  test("a non-exploded array is one comma-separated value", async () => {
    await invoke("getorder", { orderId: "o2", expand: "items,customer" });
    expect(last("/api/v2/orders/o2")?.url.searchParams.getAll("expand")).toEqual([
      "items,customer",
    ]);
  });

  test("object parameters are sent as deepObject and exploded form say", async () => {
    await invoke("getorder", {
      orderId: "o3",
      filter_status: "open",
      filter_since: "2026-01-01",
      size: 10,
      cursor: "abc",
    });
    const query = last("/api/v2/orders/o3")?.url.searchParams;
    expect(query?.get("filter[status]")).toBe("open");
    expect(query?.get("filter[since]")).toBe("2026-01-01");
    expect(query?.get("size")).toBe("10");
    expect(query?.get("cursor")).toBe("abc");
    expect(query?.has("filter")).toBe(false);
    expect(query?.has("page")).toBe(false);
  });

  test("an array in a form body is the key repeated", async () => {
    await invoke("searchorders", { tag: ["red", "blue"], q: "lamp" });
    const form = new URLSearchParams(last("/api/v2/orders/search")?.body ?? "");
    expect(form.getAll("tag")).toEqual(["red", "blue"]);
    expect(form.get("q")).toBe("lamp");
  });

  test("Swagger 2.0 arrays: csv by default, pipes, multi", async () => {
    const result = await invoke("listitems", { ids: "1,2,3", tags: "a|b", sizes: ["s", "m"] });
    expect(result.isError).toBeFalsy();
    const query = last("/legacy/items")?.url.searchParams;
    expect(query?.getAll("ids")).toEqual(["1,2,3"]);
    expect(query?.getAll("tags")).toEqual(["a|b"]);
    expect(query?.getAll("sizes")).toEqual(["s", "m"]);
  });
});
