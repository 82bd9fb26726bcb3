/**
 * A capability's OAuth token endpoint (client credentials) is read with a size cap: an endpoint
 * that answers with megabytes is refused with what went wrong, not buffered whole.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { executeCapability } from "../../src/capabilities/execute.ts";
import { parseCapability } from "../../src/capabilities/load.ts";
import type { Capability } from "../../src/capabilities/resolve.ts";
import { firstText } from "../helpers.ts";
import { startUpstream, type Upstream } from "./_upstream.ts";

let upstream: Upstream;

beforeAll(() => {
  upstream = startUpstream((_request, url) =>
    url.pathname === "/token-huge"
      ? new Response(`{"access_token":"${"x".repeat(4 * 1024 * 1024)}"}`, {
          headers: { "content-type": "application/json" },
        })
      : url.pathname === "/token"
        ? Response.json({ access_token: "small-token", expires_in: 3600 })
        : Response.json({ ok: true }),
  );
});
afterAll(() => upstream?.stop());

function capability(tokenPath: string, name: string): Capability {
  const result = parseCapability(
    `name: ${name}
description: Reads an item with an OAuth token.
rest:
  base_url: ${upstream.origin}
  path: /item
  headers: { Authorization: "Bearer {access_token}" }
auth:
  type: oauth2
  key: "oauth:${name}"
  token_endpoint: "${upstream.origin}${tokenPath}"
`,
    `${name}.yaml`,
  );
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.capability;
}

const env = (name: string) => ({
  [`${name.toUpperCase()}_CLIENT_ID`]: "id",
  [`${name.toUpperCase()}_CLIENT_SECRET`]: "secret",
});

test("a token endpoint answering 4 MB is refused, naming it", async () => {
  const result = await executeCapability(
    capability("/token-huge", "huge"),
    {},
    {
      env: env("huge"),
      allowPrivateNetworks: true,
    },
  );
  expect(result.isError).toBe(true);
  expect(firstText(result)).toContain("UPSTREAM_AUTH_FAILED");
  expect(firstText(result)).toContain("answered more than 65536 bytes");
});

test("an ordinary token answer still works", async () => {
  const result = await executeCapability(
    capability("/token", "small"),
    {},
    {
      env: env("small"),
      allowPrivateNetworks: true,
    },
  );
  expect(result.isError).toBeFalsy();
  expect(upstream.requests.at(-1)!.headers.get("authorization")).toBe("Bearer small-token");
});
