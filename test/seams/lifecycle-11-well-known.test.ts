/**
 * A client probing for OAuth metadata (RFC 9728, RFC 8414, OpenID discovery) on a gateway that
 * uses API keys and no OAuth must hear "there is none" (404), not "authenticate" (401): a 401
 * there sends it looking for an authorization server that does not exist.
 */
import { afterAll, expect, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { startGateway } from "../helpers.ts";

const KEY = "lifecycle-11-key-0123456789abcdef";
const gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: dev, key: "${hashKey(KEY)}" }
`);
afterAll(() => gateway.stop());

test.each([
  "/.well-known/oauth-protected-resource",
  "/.well-known/oauth-protected-resource/mcp",
  "/.well-known/oauth-protected-resource/mcp/files",
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
  "/mcp/.well-known/openid-configuration",
])("GET %s without OAuth is 404, with or without a key", async (path) => {
  const asked: Record<string, string>[] = [{}, { authorization: `Bearer ${KEY}` }];
  for (const headers of asked) {
    const response = await fetch(`${gateway.url}${path}`, { headers });
    expect(response.status).toBe(404);
    expect(response.headers.get("www-authenticate")).toBeNull();
  }
});

test("the MCP endpoint still asks for the key", async () => {
  const response = await fetch(`${gateway.url}/mcp`, { method: "POST", body: "{}" });
  expect(response.status).toBe(401);
});
