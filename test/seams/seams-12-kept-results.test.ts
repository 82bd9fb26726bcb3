/**
 * Code mode's kept results (`result://`, for a script's answer too large to return) × many keys:
 * the gateway kept 200 in all, oldest out first, so one engineer's agent running large scripts
 * in a loop pushed every other engineer's handles out within minutes ("no stored result").
 * Each caller's own oldest go now, and a full store takes from the caller keeping the most.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashKey } from "../../src/security/keys.ts";
import { firstText, startGateway } from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const QUIET = "quiet-key-0123456789abcdef";
const BUSY = "busy-key-0123456789abcdef";
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
code_mode: { enabled: true, result_handle_threshold: 100 }
auth:
  enabled: true
  api_keys:
    - { name: quiet, key: "${hashKey(QUIET)}" }
    - { name: busy, key: "${hashKey(BUSY)}" }
`);
}, 30_000);
afterAll(() => gateway?.stop(), 30_000);

const LARGE = `return "x".repeat(500)`;

describe("kept script results", () => {
  test("one key's many large results do not push out another key's", async () => {
    const quiet = await connectWithKey(gateway.url, QUIET);
    const busy = await connectWithKey(gateway.url, BUSY);
    try {
      const execute = async (client: typeof quiet.client, code: string) =>
        JSON.parse(
          firstText(await client.callTool({ name: "gateway_execute", arguments: { code } })),
        );
      const mine = (await execute(quiet.client, LARGE)).result_handle as string;
      expect(mine).toStartWith("result://");
      for (let i = 0; i < 210; i++) await execute(busy.client, LARGE);
      const read = await quiet.client.readResource({ uri: mine });
      expect((read.contents[0] as { text: string }).text).toContain("xxxx");
    } finally {
      await quiet.close();
      await busy.close();
    }
  }, 120_000);
});
