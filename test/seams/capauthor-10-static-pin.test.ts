/**
 * `static_params` pin what a capability may reach: an author exposes the members of the
 * company's own organisation (`path: /orgs/{org}/members`, `static_params: {org: acme}`) and lets
 * the model choose only a role. A caller's argument wins over a static parameter, which is right
 * for one the input schema declares (a default the caller may change) and wrong for one it does
 * not: an undeclared `org: "victim"` passed through gateway_invoke sent the gateway's token to
 * another organisation's endpoint.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startUpstream, type Upstream } from "../capabilities/_upstream.ts";
import { type ConnectedClient, cleanupsAfterAll, tempDir } from "../helpers.ts";
import { invokeCapability, servingCapabilities } from "./_helpers.ts";

const cleanups = cleanupsAfterAll();
let api: Upstream;
let session: ConnectedClient;

const invoke = (tool: string, args: Record<string, unknown> = {}) =>
  invokeCapability(session, tool, args);

beforeAll(async () => {
  api = startUpstream(() => Response.json([]));
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  writeFileSync(
    join(dir, "members.yaml"),
    `name: org_members
description: Members of our organisation with a role.
schema: { input: { type: object, properties: { role: { type: string } } } }
rest:
  base_url: "${api.origin}"
  path: /orgs/{org}/members
  static_params: { org: acme, per_page: "50" }
auth: { type: bearer, key: env:ORG_TOKEN }
`,
  );
  writeFileSync(
    join(dir, "pages.yaml"),
    `name: org_pages
description: Pages of our organisation's wiki; the page size may be changed.
schema: { input: { type: object, properties: { per_page: { type: string } } } }
rest:
  base_url: "${api.origin}"
  path: /orgs/acme/pages
  static_params: { per_page: "50" }
auth: { type: bearer, key: env:ORG_TOKEN }
`,
  );
  ({ session } = await servingCapabilities(dir, 2, cleanups, {
    ...process.env,
    ORG_TOKEN: "org-token-31415926",
  }));
}, 30_000);

describe("a static parameter the input schema does not declare", () => {
  test("cannot be changed by the caller", async () => {
    await invoke("org_members", { role: "admin", org: "victim", per_page: "1000" });
    const request = api.requests.at(-1)!;
    expect(request.path).toBe("/orgs/acme/members");
    expect(request.url.searchParams.get("per_page")).toBe("50");
    expect(request.url.searchParams.get("role")).toBe("admin");
    // Statics are also sent in the query (the original's way): the pinned value, not the caller's.
    expect(request.url.searchParams.getAll("org")).toEqual(["acme"]);
  });

  test("a declared one is the caller's to change, as before", async () => {
    await invoke("org_pages", { per_page: "10" });
    expect(api.requests.at(-1)!.url.searchParams.get("per_page")).toBe("10");
  });
});
