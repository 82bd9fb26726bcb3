/**
 * Arguments a REST request cannot carry: a character a header cannot hold (a snowman in a tenant
 * name sent as `X-Tenant`, a line break), a lone surrogate in a path segment. They are the
 * caller's mistake, answered as `[INVALID_ARGUMENTS]`; counted as the backend failing, five of
 * them opened the capabilities backend's circuit breaker and took every capability away from
 * every caller for 30 seconds.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startUpstream } from "../capabilities/_upstream.ts";
import { type ConnectedClient, cleanupsAfterAll, firstText, tempDir } from "../helpers.ts";
import { invokeCapability, servingCapabilities } from "./_helpers.ts";

const cleanups = cleanupsAfterAll();
let session: ConnectedClient;

const invoke = (tool: string, args: Record<string, unknown> = {}) =>
  invokeCapability(session, tool, args);

beforeAll(async () => {
  const api = startUpstream((_request, url) => Response.json({ path: url.pathname }));
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  writeFileSync(
    join(dir, "tenant.yaml"),
    `name: tenant_usage
description: A tenant's usage this month.
schema: { input: { type: object, required: [tenant], properties: { tenant: { type: string } } } }
rest: { base_url: "${api.origin}", path: /usage, headers: { X-Tenant: "{tenant}" } }
`,
  );
  writeFileSync(
    join(dir, "user.yaml"),
    `name: user_get
description: A user by name.
schema: { input: { type: object, required: [name], properties: { name: { type: string } } } }
rest: { base_url: "${api.origin}", path: "/users/{name}" }
`,
  );
  ({ session } = await servingCapabilities(dir, 2, cleanups));
}, 30_000);

describe("arguments a request cannot carry", () => {
  test("are the caller's error, and do not open the breaker for everyone", async () => {
    for (let i = 0; i < 4; i++) {
      const header = await invoke("tenant_usage", { tenant: "Zürich ☃" });
      expect(header.isError).toBe(true);
      expect(firstText(header)).toStartWith("[INVALID_ARGUMENTS]");
      expect(firstText(header)).toContain("X-Tenant");
      const injected = await invoke("tenant_usage", { tenant: "acme\r\nX-Admin: true" });
      expect(firstText(injected)).toStartWith("[INVALID_ARGUMENTS]");
    }
    const surrogate = await invoke("user_get", { name: "ab\ud800cd" });
    expect(firstText(surrogate)).toStartWith("[INVALID_ARGUMENTS]");
    // Every other call still works.
    const fine = await invoke("user_get", { name: "ada" });
    expect(fine.isError).toBeFalsy();
    expect(firstText(fine)).toBe('{"path":"/users/ada"}');
    expect(firstText(await invoke("tenant_usage", { tenant: "acme" }))).toBe('{"path":"/usage"}');
  }, 20_000);
});
