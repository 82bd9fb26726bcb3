/**
 * A capability whose key is an OAuth client (client id + secret, `auth.token_endpoint`) under
 * real use: many calls at once when no token is cached yet, and a token endpoint that does not
 * answer. The calls share one token request (an identity provider rate-limits its token
 * endpoint, and fifty requests at once are fifty tokens), and the capability's `timeout` bounds
 * the whole call, the token included: a stuck identity provider must not hold every call for
 * the backend's 60 seconds.
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

const cap = (name: string, tokenPath: string) => `name: ${name}
description: The CRM's accounts.
schema: { input: { type: object, properties: { page: { type: integer } } } }
rest: { base_url: "${api.origin}", path: /accounts, timeout: 1s }
auth: { type: oauth2, key: "oauth:${name}", token_endpoint: "${api.origin}${tokenPath}" }
`;
const invoke = (tool: string, page: number) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool, arguments: { page } },
  });

beforeAll(async () => {
  api = startUpstream(async (request, url) => {
    if (url.pathname === "/token") {
      await Bun.sleep(300);
      return Response.json({ access_token: `tok-${crypto.randomUUID()}`, expires_in: 3600 });
    }
    if (url.pathname === "/stuck-token") {
      await Bun.sleep(20_000);
      return Response.json({ access_token: "late" });
    }
    return Response.json({ auth: request.headers.get("authorization")?.slice(0, 11) });
  });
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  writeFileSync(join(dir, "crm.yaml"), cap("crm", "/token"));
  writeFileSync(join(dir, "stuck.yaml"), cap("stuck", "/stuck-token"));
  const gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
    {
      ...process.env,
      CRM_CLIENT_ID: "crm-client",
      CRM_CLIENT_SECRET: "crm-secret-0a1b2c",
      STUCK_CLIENT_ID: "stuck-client",
      STUCK_CLIENT_SECRET: "stuck-secret-3d4e5f",
    },
  );
  cleanups.push(() => gateway.stop());
  session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === 2);
}, 30_000);

describe("an OAuth client credential", () => {
  test("calls at once before a token is cached share one token request", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => invoke("crm", i)));
    for (const result of results) expect(firstText(result)).toBe('{"auth":"Bearer tok-"}');
    expect(api.requests.filter((request) => request.path === "/token")).toHaveLength(1);
  }, 20_000);

  test("a token endpoint that does not answer fails the call within its timeout", async () => {
    const started = performance.now();
    const result = await invoke("stuck", 1);
    const took = performance.now() - started;
    expect(result.isError).toBe(true);
    expect(firstText(result)).toContain("stuck-token");
    expect(firstText(result)).not.toContain("stuck-secret-3d4e5f");
    // 1s of timeout, with room for a loaded machine; not the backend's 60s.
    expect(took).toBeLessThan(8_000);
  }, 70_000);
});
