/**
 * `security.require_confirmation` × several sessions at once × a client that cannot elicit.
 * Each call's question goes to the session that made it, and that session's answer alone
 * decides it; a session that cannot ask its user is refused without holding up the others.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  gateway = await startGateway(`
capabilities: { enabled: false }
code_mode: { enabled: true }
security:
  require_confirmation: ["fixture:slow"]
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
}, 30_000);

/** A session whose user answers `answer` after `delayMs`; `asked` collects what it was asked. */
async function session(answer: "accept" | "decline" | "none", delayMs = 0) {
  const asked: string[] = [];
  const client = new Client(
    { name: `user-${answer}`, version: "1" },
    { capabilities: answer === "none" ? {} : { elicitation: { form: {} } } },
  );
  if (answer !== "none") {
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(String((request.params as { message?: string }).message));
      await Bun.sleep(delayMs);
      return answer === "accept" ? { action: "accept", content: {} } : { action: "decline" };
    });
  }
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
  cleanups.push(() => client.close());
  return { client, asked };
}

const slow = (client: Client, steps: number) =>
  client.callTool({
    name: "gateway_invoke",
    arguments: { server: "fixture", tool: "slow", arguments: { steps, delayMs: 20 } },
  });

describe("confirmation across sessions", () => {
  test("each session is asked about its own call, and only its answer counts", async () => {
    const yes = await session("accept", 200);
    const no = await session("decline", 50);
    const mute = await session("none");
    const started = Date.now();
    const [accepted, declined, refused] = await Promise.all([
      slow(yes.client, 3),
      slow(no.client, 4),
      slow(mute.client, 5),
    ]);
    expect(firstText(accepted)).toBe("done 3");
    expect(firstText(declined)).toStartWith("[CONFIRMATION_REQUIRED]");
    expect(firstText(refused)).toStartWith("[CONFIRMATION_REQUIRED]");
    expect(firstText(refused)).toContain("cannot ask its user");
    expect(yes.asked).toHaveLength(1);
    expect(yes.asked[0]).toContain('"steps":3');
    expect(no.asked).toHaveLength(1);
    expect(no.asked[0]).toContain('"steps":4');
    // Side by side, none waiting on another's question (5 s failed under load; 15 s is room).
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  test("a script's call asks the session that runs the script", async () => {
    const yes = await session("accept");
    const other = await session("decline");
    const run = await yes.client.callTool({
      name: "gateway_execute",
      arguments: { code: `return await tools.fixture.slow({ steps: 2, delayMs: 5 });` },
    });
    expect(firstText(run)).toContain("done 2");
    expect(yes.asked).toHaveLength(1);
    expect(other.asked).toHaveLength(0);
  }, 30_000);

  test("a stateless (2026-07-28) client is asked through input_required, or refused if it cannot be", async () => {
    const modern = async (elicit: boolean) => {
      const client = new Client(
        { name: "modern", version: "1" },
        {
          capabilities: elicit ? { elicitation: { form: {} } } : {},
          versionNegotiation: { mode: { pin: "2026-07-28" } },
        },
      );
      if (elicit) {
        client.setRequestHandler("elicitation/create", async () => ({
          action: "accept",
          content: {},
        }));
      }
      await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
      cleanups.push(() => client.close());
      return client;
    };
    const [asks, cannot] = await Promise.all([modern(true), modern(false)]);
    const [accepted, refused] = await Promise.all([slow(asks, 2), slow(cannot, 2)]);
    expect(firstText(accepted)).toBe("done 2");
    expect(firstText(refused)).toStartWith("[CONFIRMATION_REQUIRED]");
  }, 30_000);
});
