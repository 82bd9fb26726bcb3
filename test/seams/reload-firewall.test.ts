/**
 * Hot reload of `security.firewall`, `require_confirmation`, `sandbox`, `tool_policy` and
 * `redact_results` × sessions that stay connected. A reload applies them to the next call of
 * every session, and is not reported as needing a restart.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import {
  BUN,
  type ConnectedClient,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startFromFile,
  waitFor,
  writeConfig,
} from "../helpers.ts";

const cleanups = cleanupsAfterAll();
let file: string;
let gateway: Awaited<ReturnType<typeof startFromFile>>;
let sessions: ConnectedClient[];

const config = (security: string) => `
capabilities: { enabled: false }
security:
${security}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`;

beforeAll(async () => {
  file = writeConfig(config("  firewall: { arguments: block }"));
  gateway = await startFromFile(file);
  cleanups.push(() => gateway.stop());
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
  // Clients without elicitation: a call that needs confirmation is refused for them.
  sessions = await Promise.all([connectHttp(gateway.url), connectHttp(gateway.url)]);
  for (const session of sessions) cleanups.push(session.close);
}, 30_000);

async function reload(security: string) {
  writeFileSync(file, config(security));
  const response = await fetch(`${gateway.url}/api/reload`, { method: "POST" });
  return (await response.json()) as { restartRequired: string[] };
}

const echo = (session: ConnectedClient, message: string) =>
  session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "fixture", tool: "echo", arguments: { message } },
  });

describe("a reload of the call checks", () => {
  test("require_confirmation applies to every session's next call", async () => {
    expect(firstText(await echo(sessions[0]!, "before"))).toBe("before");
    const summary = await reload(`  require_confirmation: ["fixture:echo"]`);
    expect(summary.restartRequired.filter((name) => name.startsWith("security"))).toEqual([]);
    for (const session of sessions) {
      expect(firstText(await echo(session, "after"))).toStartWith("[CONFIRMATION_REQUIRED]");
    }
    await reload(`  require_confirmation: []`);
    expect(firstText(await echo(sessions[1]!, "again"))).toBe("again");
  }, 30_000);

  test("sandbox.max_calls applies at once (counting the calls made before it was set)", async () => {
    // Each session made calls in the tests above: a cap of 2 holds them already (round 10).
    await reload(`  sandbox: { max_calls: 2 }`);
    expect(firstText(await echo(sessions[0]!, "one"))).toStartWith("[SANDBOX_LIMIT]");
    const fresh = await connectHttp(gateway.url);
    cleanups.push(fresh.close);
    expect(firstText(await echo(fresh, "one"))).toBe("one");
    expect(firstText(await echo(fresh, "two"))).toBe("two");
    expect(firstText(await echo(fresh, "three"))).toStartWith("[SANDBOX_LIMIT]");
    await reload(`  sandbox: { max_calls: 100 }`);
    expect(firstText(await echo(fresh, "four"))).toBe("four");
  }, 30_000);

  test("tool_policy applies at once: a tool it now denies is refused and unlisted", async () => {
    const summary = await reload(`  tool_policy: { enabled: true, deny: ["echo"] }`);
    expect(summary.restartRequired).toEqual([]);
    for (const session of sessions) {
      const refused = firstText(await echo(session, "denied"));
      expect(refused).toStartWith("[");
      expect(refused).toContain("security.tool_policy");
    }
    const listed = await sessions[0]!.client.callTool({
      name: "gateway_list_tools",
      arguments: { server: "fixture" },
    });
    expect(firstText(listed)).not.toContain('"echo"');
    await reload(`  tool_policy: { enabled: false }`);
    expect(firstText(await echo(sessions[1]!, "allowed"))).toBe("allowed");
  }, 30_000);

  test("redact_results applies at once, both ways", async () => {
    const secret = "AKIAIOSFODNN7EXAMPLE";
    await reload(`  redact_results: false`);
    expect(firstText(await echo(sessions[0]!, `key ${secret}`))).toContain(secret);
    const summary = await reload(`  redact_results: true`);
    expect(summary.restartRequired).toEqual([]);
    const redacted = firstText(await echo(sessions[0]!, `key ${secret}`));
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain("[REDACTED:aws-key]");
  }, 30_000);
});
