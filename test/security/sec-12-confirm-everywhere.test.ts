/**
 * Attack: reaching a tool that needs confirmation by a road other than gateway_invoke, from a
 * client that cannot be asked (no elicitation): the original's `chain` form of gateway_execute,
 * a code-mode script, a playbook's step, and `/mcp/{backend}`. Each must be refused as the direct
 * call is, and the tool must never run.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { connectWithKey } from "./_helpers.ts";

const playbooks = tempDir("mcpgw-sec12-confirm-");
let running: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;

beforeAll(async () => {
  writeFileSync(
    join(playbooks, "shout.yaml"),
    "name: shout\ndescription: Echo once\nsteps:\n  - { name: e, tool: echo, server: fx, arguments: { message: hi } }\n",
  );
  running = await startGateway(`
capabilities: { enabled: false }
code_mode: { enabled: true }
meta_mcp: { operator_tools: all }
playbooks: { directories: ["${playbooks}"] }
security:
  require_confirmation: ["fx:echo"]
backends:
  fx:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(() => running.gateway.index.tools("fx").length > 0);
  session = await connectHttp(running.url);
}, 30_000);

afterAll(async () => {
  await session?.close();
  await running?.stop();
  rmSync(playbooks, { recursive: true, force: true });
});

const refused = (text: string) => {
  expect(text).toContain("CONFIRMATION_REQUIRED");
  expect(text).not.toContain("hi there");
};

describe("require_confirmation from a client that cannot be asked", () => {
  test("gateway_invoke is refused", async () => {
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fx", tool: "echo", arguments: { message: "hi there" } },
    });
    refused(firstText(result));
  });

  test("a chain step is refused", async () => {
    const result = await session.client.callTool({
      name: "gateway_execute",
      arguments: { chain: [{ tool: "fx:echo", arguments: { message: "hi there" } }] },
    });
    refused(JSON.stringify(result.content));
  });

  test("the one-call form is refused", async () => {
    const result = await session.client.callTool({
      name: "gateway_execute",
      arguments: { tool: "fx:echo", arguments: { message: "hi there" } },
    });
    refused(JSON.stringify(result.content));
  });

  test("a script's call is refused", async () => {
    const result = await session.client.callTool({
      name: "gateway_execute",
      arguments: { code: `return await tools.fx.echo({ message: "hi there" });` },
    });
    refused(JSON.stringify(result.content));
  });

  test("a playbook's step is refused", async () => {
    const result = await session.client.callTool({
      name: "gateway_run_playbook",
      arguments: { name: "shout" },
    });
    const text = JSON.stringify(result.content);
    expect(text).toContain("needs the user's confirmation");
    expect(text).toContain("the call was not sent");
  });

  test("/mcp/{backend} is refused", async () => {
    const direct = await connectWithKey(running.url, undefined, "/mcp/fx");
    const result = await direct.client.callTool({
      name: "echo",
      arguments: { message: "hi there" },
    });
    await direct.close();
    refused(JSON.stringify(result.content));
  });
});
