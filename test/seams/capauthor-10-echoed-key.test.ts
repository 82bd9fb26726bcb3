/**
 * APIs that take their key in the query often echo the request URL back: pagination links
 * (`next: "https://api/items?page=2&api_key=..."`), `self` links, a "request" block. Returned
 * as is, the key went to the model (and into every transcript and cached result). A successful
 * result masks the capability's credential and its secret variables, as errors do; values of
 * other variables (a region, a base URL) stay.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startUpstream } from "../capabilities/_upstream.ts";
import {
  type ConnectedClient,
  cleanupsAfterAll,
  connectHttp,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
const KEY = "qk_4f9a8b7c6d5e";
const SIGNING = "sig-secret-11aa22bb";
let session: ConnectedClient;

const invoke = (tool: string) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "capabilities", tool, arguments: { page: 1 } },
  });

beforeAll(async () => {
  const api = startUpstream((request, url) => {
    const next = new URL(url);
    next.searchParams.set("page", "2");
    return Response.json({
      items: [{ id: 1, region: url.searchParams.get("region") }],
      links: { self: url.toString(), next: next.toString() },
      echo: { signature: request.headers.get("x-signature") },
    });
  });
  cleanups.push(api.stop);
  const dir = tempDir("capauthor-10-");
  writeFileSync(
    join(dir, "items.yaml"),
    `name: items_list
description: Lists items, a page at a time.
schema: { input: { type: object, properties: { page: { type: integer } } }, output: { type: object } }
rest:
  base_url: "${api.origin}"
  path: /items
  params: { page: "{page}", region: "\${ITEMS_REGION}" }
  headers: { X-Signature: "\${ITEMS_SIGNING_SECRET}" }
auth: { type: api_key, key: env:ITEMS_API_KEY, param: appid }
metadata: { read_only: true }
`,
  );
  const gateway = await startGateway(
    `capabilities: { builtin: false, directories: ["${dir}"], allow_private_networks: true }\n`,
    {
      ...process.env,
      ITEMS_API_KEY: KEY,
      ITEMS_SIGNING_SECRET: SIGNING,
      ITEMS_REGION: "eu-west-1",
    },
  );
  cleanups.push(() => gateway.stop());
  session = await connectHttp(gateway.url);
  cleanups.push(session.close);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length === 1);
}, 30_000);

describe("a result that echoes the request", () => {
  test("does not hand the key to the model", async () => {
    const result = await invoke("items_list");
    expect(result.isError).toBeFalsy();
    const everything = JSON.stringify(result);
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(SIGNING);
    const data = result.structuredContent as {
      items: { region: string }[];
      links: { next: string };
    };
    // The link is still a link, with the key masked; the region is not a secret.
    expect(data.links.next).toContain("page=2");
    expect(data.links.next).toContain("appid=***");
    expect(data.items[0]!.region).toBe("eu-west-1");
    // JSON syntax around the masked values is untouched: booleans, numbers, nesting.
    expect((result.structuredContent as { items: { id: number }[] }).items[0]!.id).toBe(1);
    // The cached answer, served again, is the masked one.
    expect(JSON.stringify(await invoke("items_list"))).not.toContain(KEY);
  });
});
