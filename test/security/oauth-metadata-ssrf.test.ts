/**
 * Attack: a remote backend on a public address publishes OAuth metadata whose authorization
 * server (or token endpoint) is an internal address, to make the gateway send requests (and a
 * client secret) into the private network. Discovery may reach the backend's own host, and a
 * private address only when the backend itself is on one.
 */
import { afterAll, expect, test } from "bun:test";
import { guardedOAuthFetch } from "../../src/backends/oauth/provider.ts";

let hits = 0;
const internal = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => {
    hits++;
    return Response.json({ issuer: "internal" });
  },
});
afterAll(() => internal.stop(true));

const internalUrl = `http://127.0.0.1:${internal.port}/.well-known/oauth-authorization-server`;
// The seam: names resolve without a network; the backend's host is a public address.
const lookup = async (host: string) => (host === "mcp.example.com" ? ["93.184.216.34"] : []);

test("a public backend cannot send discovery to a loopback authorization server", async () => {
  const guarded = guardedOAuthFetch("https://mcp.example.com/mcp", lookup);
  await expect(guarded(internalUrl)).rejects.toThrow(/refused: 127\.0\.0\.1 is a loopback address/);
  expect(hits).toBe(0);
});

test("a backend on loopback may use an authorization server on loopback", async () => {
  const guarded = guardedOAuthFetch("http://127.0.0.2:8080/mcp", lookup);
  expect((await guarded(internalUrl)).status).toBe(200);
  expect(hits).toBe(1);
});
