/**
 * Round 10, OAuth: a session's token that expires while the session lives on. Each request is
 * verified, but a session's GET stream (and a script running past the expiry) acts for the
 * credential its latest request carried: after `exp` it may do nothing more.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningGateway, runGateway } from "../../src/gateway/run.ts";
import { BUN, FIXTURES, freePort, waitFor, writeConfig } from "../helpers.ts";

setDefaultTimeout(30_000);

const SEAMS9 = join(FIXTURES, "servers/seams9.ts");
const signer = await generateKeyPair("RS256");
const jwk = { ...(await exportJWK(signer.publicKey)), kid: "k1", alg: "RS256", use: "sig" };

let ISSUER = "";
const issuer = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request): Response {
    const path = new URL(request.url).pathname;
    if (path === "/.well-known/oauth-authorization-server") {
      return Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` });
    }
    if (path === "/jwks") return Response.json({ keys: [jwk] });
    return new Response("not found", { status: 404 });
  },
});
ISSUER = `http://127.0.0.1:${issuer.port}`;

let gateway: RunningGateway & { url: string };
let RESOURCE = "";

beforeAll(async () => {
  const port = await freePort();
  RESOURCE = `http://127.0.0.1:${port}/mcp`;
  const file = writeConfig(`
capabilities: { enabled: false }
auth:
  enabled: true
  oauth:
    issuer: ${ISSUER}
    resource: ${RESOURCE}
    clock_tolerance_seconds: 0
backends:
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
`);
  gateway = (await runGateway({
    config: loadConfig({ path: file }),
    port,
    memoryState: true,
  })) as RunningGateway & { url: string };
  await waitFor(() => gateway.gateway.index.tools("seams9").length > 0);
});

afterAll(async () => {
  await gateway?.stop();
  issuer.stop(true);
});

/** A token of `sub` valid for `seconds`. */
function token(seconds: number): Promise<string> {
  return new SignJWT({ iss: ISSUER, sub: "alice", aud: RESOURCE })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
    .sign(signer.privateKey);
}

describe("a session's OAuth token that expires while its GET stream stays open", () => {
  test("the stream carries nothing of the backends after the token's exp", async () => {
    const client = new Client({ name: "attacks-10", version: "1" }, { capabilities: {} });
    let updates = 0;
    client.setNotificationHandler("notifications/resources/updated", () => {
      updates++;
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(RESOURCE), {
        requestInit: { headers: { Authorization: `Bearer ${await token(3)}` } },
      }),
    );
    try {
      // seams9 tells its subscribers of an update every 100 ms.
      await client.subscribeResource({ uri: "seams9://feed" });
      await waitFor(() => updates > 3);
      await Bun.sleep(3_500);
      const atExpiry = updates;
      await Bun.sleep(1_000);
      // At most one that was already on its way.
      expect(updates - atExpiry).toBeLessThanOrEqual(1);
    } finally {
      await client.close().catch(() => {});
    }
  });
});
