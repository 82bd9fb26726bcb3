/**
 * An endpoint that answers with bytes (a PNG, a PDF) called by a capability written without
 * `response_format: binary`: decoded as UTF-8 text, the model got up to max_response_bytes of
 * replacement characters (tokens spent on noise). A binary answer is described instead, saying
 * how to receive it; a text answer of any type is still returned as its text.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startUpstream } from "../capabilities/_upstream.ts";
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
let session: ConnectedClient;
/** A PNG's signature, then bytes that are not UTF-8. */
const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0xfe, 0xc3, 0x28,
]);

const invoke = (tool: string) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool, arguments: {} },
  });
const cap = (name: string, path: string, origin: string, extra = "") => `name: ${name}
description: The ${name} of the account.
schema: { input: { type: object, properties: {} } }
rest: { base_url: "${origin}", path: ${path}${extra} }
`;

beforeAll(async () => {
  const api = startUpstream((_request, url) => {
    if (url.pathname === "/logo")
      return new Response(PNG, { headers: { "content-type": "image/png" } });
    if (url.pathname === "/latin1") {
      // "Zoë" in ISO-8859-1: not UTF-8, but text, as its type says.
      return new Response(new Uint8Array([0x5a, 0x6f, 0xeb]), {
        headers: { "content-type": "text/plain; charset=iso-8859-1" },
      });
    }
    if (url.pathname === "/csv") {
      return new Response("id,name\n1,Zoë\n", {
        headers: { "content-type": "application/octet-stream" },
      });
    }
    return new Response(PNG, { headers: { "content-type": "application/octet-stream" } });
  });
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  writeFileSync(join(dir, "logo.yaml"), cap("logo", "/logo", api.origin));
  writeFileSync(join(dir, "export.yaml"), cap("export", "/csv", api.origin));
  writeFileSync(join(dir, "legacy.yaml"), cap("legacy", "/latin1", api.origin));
  writeFileSync(
    join(dir, "blob.yaml"),
    cap("blob", "/blob", api.origin, ", response_format: binary"),
  );
  const gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
  );
  cleanups.push(() => gateway.stop());
  session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === 4);
}, 30_000);

describe("a binary answer", () => {
  test("is described, not decoded into noise", async () => {
    const text = firstText(await invoke("logo"));
    expect(text).not.toContain("\uFFFD");
    expect(text).toContain("image/png");
    expect(text).toContain(`${PNG.length} bytes`);
    expect(text).toContain("response_format: binary");
  });

  test("text under a generic type is still its text", async () => {
    expect(firstText(await invoke("export"))).toBe("id,name\n1,Zoë\n");
  });

  test("a text type in another charset is still text", async () => {
    expect(firstText(await invoke("legacy"))).toStartWith("Zo");
  });

  test("with response_format: binary it comes base64-encoded, as before", async () => {
    const data = JSON.parse(firstText(await invoke("blob")));
    expect(data.bytes).toBe(PNG.length);
    expect(data.base64).toBe(Buffer.from(PNG).toString("base64"));
  });
});
