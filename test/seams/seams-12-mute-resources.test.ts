/**
 * One backend that never answers `initialize` × every session's resource and prompt lists:
 * clients list resources and prompts when they connect, and each list waited for the mute
 * backend's start to time out (57 s measured, on every list, as it was started again). A list
 * now waits at most `meta_mcp.discovery_wait` for a backend still starting, then answers
 * without it, as search does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, connectHttp, FIXTURES, startGateway, waitFor } from "../helpers.ts";

let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
meta_mcp: { discovery_wait: 1s }
backends:
  mute:
    command: sleep
    args: ["1000"]
    timeout: 120s
  docs:
    command: ${BUN}
    args: ["${join(FIXTURES, "servers/resources.ts")}"]
    env: { URIS: '["docs://readme"]', LABEL: docs }
`);
  await waitFor(() => gateway.gateway.pool.status("docs")?.state === "ready", 20_000);
}, 30_000);
afterAll(() => gateway?.stop(), 30_000);

describe("a backend that never answers initialize", () => {
  test("does not hold back resources/list, templates or prompts of any session", async () => {
    const client = await connectHttp(gateway.url);
    try {
      const resources = await client.client.listResources();
      expect(resources.resources.map((r) => r.uri)).toContain("docs://readme");
      await client.client.listResourceTemplates();
      await client.client.listPrompts();
      // Answered while the mute backend was still starting: no list waited for its start to end.
      expect(gateway.gateway.pool.status("mute")?.state).toBe("starting");
      const read = await client.client.readResource({ uri: "docs://readme" });
      expect((read.contents[0] as { text: string }).text).toBe("read by docs: docs://readme");
      expect(gateway.gateway.pool.status("mute")?.state).toBe("starting");
    } finally {
      await client.close();
    }
  }, 200_000);
});
