/**
 * The original gateway's dashboard API (/ui/api/...): the routes that exist here answer as
 * /api/... does; those that do not (adding backends over HTTP, editing capability files, the
 * registry, the OpenAPI import, the control plane) say what to use instead of a bare 404.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startGateway } from "../helpers.ts";

setDefaultTimeout(30_000);

let gateway: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  gateway = await startGateway("capabilities: { enabled: false }\n");
});
afterAll(async () => {
  await gateway?.stop();
});

describe("the original's /ui/api routes", () => {
  test("its status route answers; its routes with no counterpart say what to use", async () => {
    expect((await fetch(`${gateway.url}/ui/api/status`)).status).toBe(200);
    const cases: [string, string, string][] = [
      ["GET", "/ui/api/backends", "mcp-gateway add NAME"],
      ["POST", "/ui/api/backends", "mcp-gateway add NAME"],
      ["DELETE", "/ui/api/backends/memory", "mcp-gateway remove NAME"],
      ["PATCH", "/ui/api/backends/memory", "in the config file"],
      ["GET", "/ui/api/capabilities", "capabilities.directories"],
      ["GET", "/ui/api/registry/search", "mcp-gateway cap search"],
      ["POST", "/ui/api/import/openapi", "mcp-gateway cap import SPEC"],
      ["GET", "/ui/api/control-plane", "not implemented"],
    ];
    for (const [method, path, hint] of cases) {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        ...(method === "GET" || method === "DELETE"
          ? {}
          : { body: "{}", headers: { "content-type": "application/json" } }),
      });
      expect(response.status, `${method} ${path}`).toBe(404);
      const { error } = (await response.json()) as { error: string };
      expect(error, `${method} ${path}`).toContain(hint);
    }
  });
});
