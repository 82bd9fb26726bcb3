/**
 * A capability without a `body` template sends the arguments no template used as the JSON body
 * (POST) or the query (GET). With an input schema that lists its properties, the author has said
 * which ones a caller may set; gateway_invoke does not refuse others (schemas seldom say
 * `additionalProperties: false`), and they were sent too: `role: "owner"` added to an invitation
 * whose schema offers only `email` (mass assignment, with the gateway's token), `visibility=all`
 * added to a listing. Arguments the schema does not declare are not sent; a schema that lists
 * no properties still passes everything, as documented.
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
const last = (path: string) => api.requests.filter((r) => r.path === path).at(-1)!;

beforeAll(async () => {
  api = startUpstream(() => Response.json({ ok: true }));
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  const write = (name: string, text: string) => writeFileSync(join(dir, `${name}.yaml`), text);
  write(
    "invite",
    `name: invite_member
description: Invites someone to our organisation as a member.
schema: { input: { type: object, required: [email], properties: { email: { type: string } } } }
rest: { method: POST, base_url: "${api.origin}", path: /orgs/acme/invitations }
auth: { type: bearer, key: env:ORG_TOKEN }
`,
  );
  write(
    "repos",
    `name: list_repos
description: Our organisation's public repositories.
schema: { input: { type: object, properties: { page: { type: integer } } } }
rest: { base_url: "${api.origin}", path: /orgs/acme/repos }
auth: { type: bearer, key: env:ORG_TOKEN }
`,
  );
  write(
    "open",
    `name: search_open
description: Searches; takes any filter the API knows.
schema: { input: { type: object } }
rest: { base_url: "${api.origin}", path: /search }
`,
  );
  ({ session } = await servingCapabilities(dir, 3, cleanups, {
    ...process.env,
    ORG_TOKEN: "org-token-27182818",
  }));
}, 30_000);

describe("arguments the input schema does not declare", () => {
  test("are not added to a POST body", async () => {
    await invoke("invite_member", { email: "a@example.com", role: "owner" });
    expect(JSON.parse(last("/orgs/acme/invitations").body)).toEqual({ email: "a@example.com" });
  });

  test("are not added to a GET query", async () => {
    await invoke("list_repos", { page: 2, visibility: "all" });
    const query = last("/orgs/acme/repos").url.searchParams;
    expect(query.get("page")).toBe("2");
    expect(query.has("visibility")).toBe(false);
  });

  test("pass when the schema lists no properties", async () => {
    await invoke("search_open", { q: "lamp", color: "red" });
    const query = last("/search").url.searchParams;
    expect(query.get("q")).toBe("lamp");
    expect(query.get("color")).toBe("red");
  });
});
