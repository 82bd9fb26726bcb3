/**
 * Security rules × renamed tools (round 11). A backend with a `namespace` (or a tool with
 * `tools.X.rename`) exposes its tools under other names; the gateway's deny rules (a key's
 * `denied_tools`, `tool_policy.deny`, the firewall, `require_confirmation`) match a tool by either
 * name, so a rule written for the backend's own name still holds. A routing profile's
 * `deny_tools` did not: `fixture:crash` denied nothing once the backend was namespaced. And
 * `doctor`, which checks that every such pattern matches some tool, compared them with the
 * exposed names alone: it warned that rules which do apply matched nothing, and did not say how
 * to fix an allow written for the backend's own name (allows match exposed names only).
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../cli/_run.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { rawSession } from "./_helpers.ts";

setDefaultTimeout(60_000);
const cleanups = cleanupsAfterAll();

const BACKEND = `backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    namespace: fx
    tools: { pid: { rename: process_id } }
`;

describe("a routing profile's deny_tools written for the backend's own name", () => {
  test("denies the tool under its namespaced name too", async () => {
    const gateway = await startGateway(`capabilities: { enabled: false }
${BACKEND}
routing_profiles:
  safe: { deny_tools: ["fixture:crash", "fixture:pid"] }
default_routing_profile: safe
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
    const send = await rawSession(gateway.url);
    const listed = await send("tools/call", {
      name: "gateway_list_tools",
      arguments: { server: "fixture" },
    });
    const names = (listed.result!.structuredContent as { tools: { tool: string }[] }).tools.map(
      (t) => t.tool,
    );
    expect(names).toContain("fx_echo");
    expect(names).not.toContain("fx_crash");
    expect(names).not.toContain("process_id");
    for (const tool of ["fx_crash", "process_id"]) {
      const call = await send("tools/call", {
        name: "gateway_invoke",
        arguments: { server: "fixture", tool, arguments: {} },
      });
      expect(firstText(call.result as { content?: unknown })).toContain("routing profile");
    }
  });
});

describe("doctor's check that security patterns match a tool", () => {
  test("knows a deny rule written for the backend's own name applies, and says how to fix an allow", () => {
    const dir = tempDir("attacks-11-renamed-");
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      `capabilities: { enabled: false }
${BACKEND}
auth:
  enabled: true
  api_keys:
    - { name: ci, key: "sha256:${"a".repeat(64)}", allowed_tools: ["fixture:echo"], denied_tools: ["fixture:crash"] }
security:
  require_confirmation: ["fixture:pid"]
  firewall:
    rules: [{ match: "fixture:echo", action: block, scan: [shell] }]
  tool_policy: { enabled: true, deny: ["fixture:flood"] }
routing_profiles:
  safe: { deny_tools: ["fixture:crash"], allow_tools: ["fixture:fx_echo", "fixture:nothing_*"] }
`,
    );
    const run = runCli(["doctor", "--config", config, "--json"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
    });
    const checks = JSON.parse(run.stdout).checks as { name: string; message: string }[];
    const scopes = checks.filter((c) => c.name === "scopes").map((c) => c.message);
    // The allow of the own name matches nothing at run time: said, with the name to write.
    expect(scopes).toContainEqual(expect.stringContaining("auth.api_keys[0].allowed_tools"));
    expect(scopes.join("\n")).toContain('write "fixture:fx_echo"');
    // A pattern that matches nothing under either name is still reported.
    expect(scopes).toContainEqual(expect.stringContaining("fixture:nothing_*"));
    // Deny rules by the own name apply: no warning.
    for (const path of [
      "denied_tools",
      "require_confirmation",
      "firewall.rules[0]",
      "tool_policy.deny",
      "routing_profiles.safe.deny_tools",
    ]) {
      expect(scopes.filter((message) => message.includes(path))).toEqual([]);
    }
    expect(scopes.length).toBe(2);
    // The confirmation by the own name is listed as applying to the exposed tool.
    expect(checks.find((c) => c.name === "firewall")!.message).toContain(
      "confirmation for fixture:process_id",
    );
  });
});
