/**
 * Secrets in /health × scopes (round 11). The firewall keeps, per rule, the last refusal's text:
 * the server, the tool and an excerpt of the refused argument (credential shapes masked, the rest
 * as sent: hosts, paths, data). `/health` for a key that is not an admin keeps only what concerns
 * the backends its scopes reach, but passed the firewall's events whole, so any key read what
 * another key sent to a backend it cannot reach. A non-admin now gets the counts alone.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  FIXTURES,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

setDefaultTimeout(30_000);
const cleanups = cleanupsAfterAll();

describe("/health for a key that is not an admin", () => {
  test("shows the firewall's counts, not another key's refused arguments", async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: ops, key: "${hashKey("ops-key-0001")}", allowed_tools: ["box:*"] }
    - { name: intern, key: "${hashKey("intern-key-0002")}", allowed_tools: ["fixture:*"] }
    - { name: root, key: "${hashKey("root-key-0003")}", admin: true }
backends:
  box: { command: ${BUN}, args: ["${join(FIXTURES, "servers/attacks10.ts")}"] }
  fixture: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("box").length > 0);
    const ops = await connectWithKey(gateway.url, "ops-key-0001");
    cleanups.push(ops.close);
    const refused = await ops.client.callTool({
      name: "gateway_invoke",
      arguments: {
        server: "box",
        tool: "run_command",
        arguments: { command: "cat $(ls /srv/payroll-2026/salaries.csv) | head" },
      },
    });
    expect(firstText(refused)).toContain("FIREWALL_BLOCKED");
    const health = async (key: string) =>
      (await (
        await fetch(`${gateway.url}/health`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as {
        security: {
          firewall: { events: Record<string, { blocked: number; warned: number; last?: string }> };
        };
      };
    const intern = await health("intern-key-0002");
    expect(intern.security.firewall.events["shell.substitution"]).toEqual({
      blocked: 1,
      warned: 0,
    });
    expect(JSON.stringify(intern)).not.toContain("payroll");
    // The admin still sees what was refused.
    const root = await health("root-key-0003");
    expect(root.security.firewall.events["shell.substitution"]!.last).toContain("payroll");
  });
});
