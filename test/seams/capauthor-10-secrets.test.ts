/**
 * A capability author's secrets where REST meets the gateway: a key with characters URLs escape
 * (`/`, `+`, `=`, as base64 keys have), the credential placed by `{access_token}` in a header of
 * the author's choosing, and a key in a JSON body. None may reach the model in an error text, nor
 * another host through a redirect.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startUpstream, type Upstream } from "../capabilities/_upstream.ts";
import { type ConnectedClient, cleanupsAfterAll, firstText, tempDir } from "../helpers.ts";
import { invokeCapability, servingCapabilities } from "./_helpers.ts";

const cleanups = cleanupsAfterAll();
/** A base64-shaped key: URL encoding turns it into `sk%2Flive%2BAbC9%3D%3D`. */
const QUERY_KEY = "sk/live+AbC9==";
const HEADER_KEY = "hdr-token-7f3a9c21";
const BODY_KEY = "body-key-5e8d2b44";
const LITERAL_KEY = "lit-key-90ab17cd";
let api: Upstream;
/** Another origin, which a redirect of `api` points at: it must never see a key. */
let elsewhere: Upstream;
let session: ConnectedClient;

const invoke = (tool: string, args: Record<string, unknown> = {}) =>
  invokeCapability(session, tool, args);

beforeAll(async () => {
  elsewhere = startUpstream(() => Response.json({ ok: "elsewhere" }));
  cleanups.push(elsewhere.stop);
  api = startUpstream((_request, url) => {
    if (url.pathname === "/search") return new Response("bad key", { status: 401 });
    // Moved to another host, as an API behind a CDN or a vanity domain may be.
    return new Response(null, {
      status: url.pathname === "/notes" ? 307 : 302,
      headers: { location: `${elsewhere.origin}${url.pathname}` },
    });
  });
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  writeFileSync(
    join(dir, "search.yaml"),
    `name: vendor_search
description: Searches the vendor's catalog.
schema: { input: { type: object, properties: { q: { type: string } } } }
rest:
  base_url: "${api.origin}"
  path: /search
  params: { q: "{q}", appid: "\${VENDOR_KEY}" }
`,
  );
  writeFileSync(
    join(dir, "profile.yaml"),
    `name: vendor_profile
description: The vendor account's profile.
schema: { input: { type: object, properties: {} } }
rest:
  base_url: "${api.origin}"
  path: /profile
  headers: { X-Vendor-Token: "{access_token}" }
auth: { type: api_key, key: env:VENDOR_TOKEN }
`,
  );
  writeFileSync(
    join(dir, "notes.yaml"),
    `name: vendor_note
description: Adds a note to the vendor account.
schema: { input: { type: object, properties: { text: { type: string } } } }
rest:
  method: POST
  base_url: "${api.origin}"
  path: /notes
  body: { text: "{text}", key: "\${VENDOR_BODY_KEY}" }
`,
  );
  // Written by hand with the key in the file: not recommended, but it loads, and it is a key.
  writeFileSync(
    join(dir, "literal.yaml"),
    `name: vendor_literal
description: The vendor account's usage.
schema: { input: { type: object, properties: {} } }
rest:
  base_url: "${api.origin}"
  path: /usage
  headers: { Authorization: "Bearer ${LITERAL_KEY}", X-Api-Key: "${LITERAL_KEY}", Accept: text/plain }
`,
  );
  ({ session } = await servingCapabilities(dir, 4, cleanups, {
    ...process.env,
    VENDOR_KEY: QUERY_KEY,
    VENDOR_TOKEN: HEADER_KEY,
    VENDOR_BODY_KEY: BODY_KEY,
  }));
}, 30_000);

describe("a capability's secrets", () => {
  test("a key URL encoding changed is still masked in the error text", async () => {
    const result = await invoke("vendor_search", { q: "lamp" });
    const text = firstText(result);
    expect(result.isError).toBe(true);
    expect(text).toContain("[UPSTREAM_HTTP_ERROR]");
    expect(text).toContain("401");
    expect(text).not.toContain(encodeURIComponent(QUERY_KEY));
    expect(text).not.toContain(new URLSearchParams({ k: QUERY_KEY }).toString().slice(2));
    expect(text).not.toContain("AbC9");
  });

  test("the credential an {access_token} header carries is not sent to another host", async () => {
    await invoke("vendor_profile");
    const first = api.requests.find((request) => request.path === "/profile");
    expect(first?.headers.get("x-vendor-token")).toBe(HEADER_KEY);
    const followed = elsewhere.requests.filter((request) => request.path === "/profile");
    // The redirect is followed, without the key.
    expect(followed).toHaveLength(1);
    for (const request of followed) {
      expect([...request.headers.values()].join("\n")).not.toContain(HEADER_KEY);
    }
  });

  test("a key written into a header by hand is not sent to another host either", async () => {
    await invoke("vendor_literal");
    expect(api.requests.find((r) => r.path === "/usage")?.headers.get("x-api-key")).toBe(
      LITERAL_KEY,
    );
    const followed = elsewhere.requests.filter((request) => request.path === "/usage");
    expect(followed).toHaveLength(1);
    expect([...followed[0]!.headers.values()].join("\n")).not.toContain(LITERAL_KEY);
    // Headers that carry no credential still go.
    expect(followed[0]!.headers.get("accept")).toBe("text/plain");
  });

  test("a key in the body is not re-sent to another host by a 307", async () => {
    const result = await invoke("vendor_note", { text: "hello" });
    const first = api.requests.find((request) => request.path === "/notes");
    expect(first?.body).toContain(BODY_KEY);
    const followed = elsewhere.requests.filter((request) => request.path === "/notes");
    for (const request of followed) expect(request.body).not.toContain(BODY_KEY);
    // Not followed at all: the answer says why, without the key.
    expect(result.isError).toBe(true);
    expect(firstText(result)).not.toContain(BODY_KEY);
  });
});
