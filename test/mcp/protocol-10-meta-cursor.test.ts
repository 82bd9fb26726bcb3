/**
 * `tools/list` on the meta surface (`/mcp`) read no cursor: any cursor, even one the gateway never
 * issued, got the whole list again, and a list longer than a page was never split. Now the meta
 * surface pages its list as the flat one does (the gateway's own cursors) and answers a cursor it
 * did not issue with -32602, as `/mcp/{backend}` does; for 2025 sessions and 2026-07-28 clients.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/client";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  connectStateless,
  FIXTURES,
  startGateway,
  waitFor,
} from "../helpers.ts";

setDefaultTimeout(40_000);
const cleanups = cleanupsAfterAll();

const COUNT = 250;
const MANY = join(FIXTURES, "servers/many-tools.ts");
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  // Every tool of `many` surfaced: the meta surface holds the meta tools and 250 more.
  const surfaced = Array.from({ length: COUNT }, (_, i) => `"many:t${i}"`).join(", ");
  gateway = await startGateway(`
capabilities: { enabled: false }
meta_mcp: { surfaced_tools: [${surfaced}] }
backends:
  many:
    command: ${BUN}
    args: ["${MANY}"]
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("many").length === COUNT);
});

/**
 * Every page of tools/list, following nextCursor (the SDK's `listTools()` without a cursor walks
 * the pages itself, so the first page is asked for raw).
 */
async function allPages(client: Client): Promise<{ pages: number; names: string[] }> {
  const names: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const result = cursor
      ? await client.listTools({ cursor })
      : ((await client.request({ method: "tools/list", params: {} })) as {
          tools: { name: string }[];
          nextCursor?: string;
        });
    names.push(...result.tools.map((tool) => tool.name));
    cursor = result.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  return { pages, names };
}

describe("the meta surface's tools/list honours the cursor", () => {
  test("a 2025 session: pages follow nextCursor; every tool once", async () => {
    const { client, close } = await connectHttp(gateway.url);
    cleanups.push(close);
    const { pages, names } = await allPages(client);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("gateway_invoke");
    for (let i = 0; i < COUNT; i++) expect(names).toContain(`many__t${i}`);
  });

  test("a 2025 session: a cursor the gateway never issued gets -32602", async () => {
    const { client, close } = await connectHttp(gateway.url);
    cleanups.push(close);
    const error = await client.listTools({ cursor: "not-a-cursor" }).catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(-32602);
    expect(String((error as Error).message)).toContain("Invalid cursor");
  });

  test("a 2026-07-28 client: the same pages, and -32602 for a bad cursor", async () => {
    const client = await connectStateless(gateway.url);
    cleanups.push(() => client.close());
    const { pages, names } = await allPages(client);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(`many__t${COUNT - 1}`);
    const error = await client.listTools({ cursor: "not-a-cursor" }).catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(-32602);
  });
});
