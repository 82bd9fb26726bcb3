/**
 * A token fetched from a capability's `auth.token_endpoint` is cached until a minute before it
 * expires (an hour, often). When the provider revokes it sooner (the client secret rotated, an
 * admin logged the app out, the provider restarted), every call answered 401 with the dead token
 * until it would have expired. A 401 to a call made with a fetched token drops it and asks once
 * for a new one (a 401 was not acted on, so the call may be sent again, POST included).
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
let issued = 0;
/** Tokens the provider still accepts. */
const valid = new Set<string>();

const invoke = (tool: string) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool, arguments: { text: "hi" } },
  });

beforeAll(async () => {
  api = startUpstream((request, url) => {
    if (url.pathname === "/token") {
      const token = `tok-${++issued}-a9f3c2e1`;
      valid.add(token);
      return Response.json({ access_token: token, expires_in: 3600 });
    }
    const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    if (url.pathname === "/always-401") return new Response("nope", { status: 401 });
    if (!valid.has(token)) return new Response("token revoked", { status: 401 });
    return Response.json({ posted: true, token: Number(token.split("-")[1]) });
  });
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  const cap = (name: string, path: string) => `name: ${name}
description: Posts a message to the team chat.
schema: { input: { type: object, properties: { text: { type: string } } } }
rest: { method: POST, base_url: "${api.origin}", path: ${path} }
auth: { type: oauth2, key: "oauth:${name}", token_endpoint: "${api.origin}/token" }
`;
  writeFileSync(join(dir, "chat.yaml"), cap("chat", "/messages"));
  writeFileSync(join(dir, "locked.yaml"), cap("locked", "/always-401"));
  const gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
    {
      ...process.env,
      CHAT_CLIENT_ID: "chat-app",
      CHAT_CLIENT_SECRET: "chat-secret-77aa",
      LOCKED_CLIENT_ID: "locked-app",
      LOCKED_CLIENT_SECRET: "locked-secret-88bb",
    },
  );
  cleanups.push(() => gateway.stop());
  session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === 2);
}, 30_000);

describe("a fetched OAuth token the provider revoked", () => {
  test("is replaced on the 401, and the call goes through", async () => {
    expect(firstText(await invoke("chat"))).toBe('{"posted":true,"token":1}');
    valid.clear(); // revoked
    const result = await invoke("chat");
    expect(result.isError).toBeFalsy();
    expect(firstText(result)).toBe('{"posted":true,"token":2}');
    expect(api.requests.filter((request) => request.path === "/messages")).toHaveLength(3);
  });

  test("a 401 a new token does not cure is returned after one more try, not looped", async () => {
    const before = api.requests.filter((request) => request.path === "/always-401").length;
    const result = await invoke("locked");
    expect(result.isError).toBe(true);
    expect(firstText(result)).toContain("401");
    expect(api.requests.filter((request) => request.path === "/always-401").length - before).toBe(
      2,
    );
  });
});
