/**
 * The response cache × one backend returning huge results: the cache counted entries
 * (`max_entries`, 10,000) and never bytes, and kept expired answers until the count pushed them
 * out. Forty engineers reading large files through server-filesystem's read-only
 * `read_text_file` filled the gateway's memory with answers nobody could be served any more.
 * `cache.max_bytes` bounds what it holds; expired answers go first.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  connectHttp,
  FILESYSTEM,
  firstText,
  NODE,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

const dir = join(tempDir("seams12-cache-"), "files");
mkdirSync(dir);
const FILE_BYTES = 100_000;
const FILES = 20;
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  for (let i = 0; i < FILES; i++)
    writeFileSync(join(dir, `f${i}.txt`), `${i}:`.padEnd(FILE_BYTES, "x"));
  gateway = await startGateway(`
capabilities: { enabled: false }
cache: { enabled: true, default_ttl: 10m, max_bytes: 1MB }
backends:
  files:
    command: ${NODE}
    args: ["${FILESYSTEM}", "${dir}"]
`);
  await waitFor(() => gateway.gateway.index.tools("files").length > 0, 20_000);
}, 30_000);
afterAll(() => gateway?.stop(), 30_000);

describe("cache.max_bytes", () => {
  test("bounds the answers kept: the oldest go, and a re-read reaches the backend", async () => {
    const client = await connectHttp(gateway.url);
    try {
      const read = async (i: number) =>
        firstText(
          await client.client.callTool({
            name: "gateway_invoke",
            arguments: {
              server: "files",
              tool: "read_text_file",
              arguments: { path: join(dir, `f${i}.txt`) },
            },
          }),
        );
      expect(await read(0)).toStartWith("0:");
      // Cached: a change on disk is not seen while the answer is kept.
      writeFileSync(join(dir, "f0.txt"), "changed");
      expect(await read(0)).toStartWith("0:");
      for (let i = 1; i < FILES; i++) expect(await read(i)).toStartWith(`${i}:`);
      // 20 answers of 100 kB (twice that in JSON: text and structuredContent) do not fit in 1 MB.
      expect(await read(0)).toBe("changed");
      const cache = (gateway.gateway.pool as unknown as { cache: { bytes: number } }).cache;
      expect(cache.bytes).toBeLessThanOrEqual(1024 * 1024);
    } finally {
      await client.close();
    }
  }, 60_000);
});
