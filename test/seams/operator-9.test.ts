/**
 * An outside tester at the seams (round 9): the operator of a small team's gateway. Several
 * keys, a config edited live while sessions run, REST capabilities, backends of each transport,
 * the CLI, doctor, the dashboard's API and the audit log, each finding where two of them meet.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { hashKey } from "../../src/security/keys.ts";
import { runCli, runCliAsync } from "../cli/_run.ts";
import {
  BUN,
  cleanupsAfterAll,
  connectStateless,
  FIXTURE_SERVER,
  firstText,
  freePort,
  startFromFile,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { HAS_CHROMIUM, launchChromium } from "../ui/_chromium.ts";
import { ZOO_SPEC } from "./_helpers.ts";

setDefaultTimeout(60_000);
const cleanups = cleanupsAfterAll();
const ADMIN = "alice-admin-key-0123456789abcdef";
const BOB = "bob-team-key-0123456789abcdef";

describe("config export × state_dir × keys", () => {
  test("the export of a config with a state_dir and keys loads again, without warnings it did not have", () => {
    const home = tempDir("mcpgw-op9-");
    const file = join(home, "gateway.yaml");
    writeFileSync(
      file,
      `state_dir: ./state
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ADMIN)}", admin: true }
    - { name: bob, key: "${hashKey(BOB)}", backends: [fx] }
backends:
  fx: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`,
    );
    const env = { HOME: home, PATH: process.env.PATH ?? "" };
    const exported = runCli(["config", "export", "--config", file], { env });
    expect(exported.code).toBe(0);
    const again = join(home, "exported.yaml");
    writeFileSync(again, exported.stdout);
    // It failed with "unknown key backends.fx.stateDir": the resolved backend's own field.
    // Run from its folder, as the CLI was (not the repository's, whose capabilities/ is named).
    const loaded = loadConfig({ path: again, env, cwd: home });
    // And each key came back with allowed_tools: [], which warns (the original allowed nothing).
    expect(loaded.warnings).toEqual(loadConfig({ path: file, env, cwd: home }).warnings);
  });
});

describe("cap import × a running gateway × reload", () => {
  test("the folder the warning asks for is served after a reload, and the warning says so (not a restart)", async () => {
    const home = tempDir("mcpgw-op9-");
    const file = join(home, "gateway.yaml");
    writeFileSync(file, "capabilities: { builtin: false, directories: [caps] }\n");
    mkdirSync(join(home, "caps"));
    const running = await startFromFile(file);
    cleanups.push(() => running.stop());
    writeFileSync(join(home, "zoo.yaml"), ZOO_SPEC);
    const env = { HOME: home, PATH: process.env.PATH ?? "" };
    const imported = await runCliAsync(
      ["cap", "import", join(home, "zoo.yaml"), "--output", join(home, "api"), "--config", file],
      { env },
    );
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain("is not under capabilities.directories");
    // It said "(and restart serve)": the operator restarted a team's gateway for nothing.
    expect(imported.stderr).not.toContain("restart");
    writeFileSync(file, "capabilities: { builtin: false, directories: [caps, api] }\n");
    await running.reload();
    const names = () => running.gateway.index.tools("capabilities").map((tool) => tool.name);
    await waitFor(() => names().includes("listgiraffes"));
  });
});

describe("a capability file broken during hot reload × /health", () => {
  const capability = (method: string) => `name: zoo_hours
description: Opening hours of the zoo
schema: { input: { type: object, properties: {} } }
rest: { method: ${method}, base_url: "https://zoo.example.org", path: /hours }
`;

  test("the last good version keeps serving, and /health names the file and what to fix", async () => {
    const home = tempDir("mcpgw-op9-");
    mkdirSync(join(home, "caps"));
    writeFileSync(join(home, "caps/hours.yaml"), capability("GET"));
    const file = join(home, "gateway.yaml");
    writeFileSync(file, "capabilities: { builtin: false, directories: [caps] }\n");
    const running = await startFromFile(file);
    cleanups.push(() => running.stop());
    const names = () => running.gateway.index.tools("capabilities").map((tool) => tool.name);
    await waitFor(() => names().includes("zoo_hours"));

    writeFileSync(join(home, "caps/hours.yaml"), capability("FETCH"));
    const reloaded = await fetch(`${running.url}/api/reload`, { method: "POST" });
    expect(reloaded.status).toBe(200);
    expect(names()).toContain("zoo_hours");
    // Only the log said so: /health, the operator's view, showed every backend ready and nothing else.
    const health = (await (await fetch(`${running.url}/health`)).json()) as {
      capabilities?: { server: string; problems: { source: string; errors: string[] }[] };
    };
    expect(health.capabilities?.server).toBe("capabilities");
    const [problem] = health.capabilities?.problems ?? [];
    expect(problem?.source).toBe(join(home, "caps/hours.yaml"));
    expect(problem?.errors.join()).toContain("rest.method");

    writeFileSync(join(home, "caps/hours.yaml"), capability("GET"));
    await fetch(`${running.url}/api/reload`, { method: "POST" });
    const fixed = (await (await fetch(`${running.url}/health`)).json()) as object;
    expect(fixed).not.toHaveProperty("capabilities");
  });
});

describe("meta_mcp.surfaced_tools × doctor", () => {
  test("an entry naming no backend, or a tool its backend does not list, is a warning that says which", () => {
    const home = tempDir("mcpgw-op9-");
    const file = join(home, "gateway.yaml");
    writeFileSync(
      file,
      `server: { port: 1 }
state_dir: ./state
capabilities: { builtin: false }
meta_mcp: { surfaced_tools: ["fx:echo", "fx:ech", { server: fz, tool: pid }] }
backends:
  fx: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`,
    );
    const env = { HOME: home, PATH: process.env.PATH ?? "" };
    const doctor = runCli(["doctor", "--json", "--config", file], { env });
    const report = JSON.parse(doctor.stdout) as {
      checks: { name: string; status: string; message: string; hint?: string }[];
    };
    // Both typos were silent: the tools were simply absent from every session's tools/list.
    const surfaced = report.checks.filter((check) => check.name === "surfaced");
    expect(surfaced.map((check) => check.status)).toEqual(["warn", "warn"]);
    expect(surfaced[0]?.message).toContain('meta_mcp.surfaced_tools[1]: fx lists no tool "ech"');
    expect(surfaced[1]?.message).toContain('meta_mcp.surfaced_tools[2]: no backend is named "fz"');
    expect(surfaced.every((check) => check.hint)).toBe(true);
  });
});

describe("an admin's reload × the audit log", () => {
  test("POST /api/reload and gateway_reload_config are recorded with the admin who asked", async () => {
    const home = tempDir("mcpgw-op9-");
    const file = join(home, "gateway.yaml");
    writeFileSync(
      file,
      `capabilities: { enabled: false }
meta_mcp: { operator_tools: [gateway_reload_config] }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ADMIN)}", admin: true }
`,
    );
    const running = await startFromFile(file);
    cleanups.push(() => running.stop());
    const asAlice = { Authorization: `Bearer ${ADMIN}` };
    const reloaded = await fetch(`${running.url}/api/reload`, { method: "POST", headers: asAlice });
    expect(reloaded.status).toBe(200);
    const client = await connectStateless(running.url, { key: ADMIN });
    cleanups.push(() => client.close());
    const viaTool = await client.callTool({ name: "gateway_reload_config", arguments: {} });
    expect(viaTool.isError).toBeFalsy();
    const rows = async () => {
      const audit = await fetch(`${running.url}/api/audit?tool=reload`, { headers: asAlice });
      return ((await audit.json()) as { rows: { caller: string }[] }).rows;
    };
    // Both were rows of caller "config", as an edit the file watcher saw: who reloaded was lost.
    await waitFor(async () => (await rows()).length === 2);
    expect((await rows()).map((row) => row.caller)).toEqual(["key:alice", "key:alice"]);
    // A reload refused (the file no longer loads) is recorded too: who tried, and why it failed.
    writeFileSync(file, `${readFileSync(file, "utf8")}\nbackends: { broken: { comand: x } }\n`);
    const refused = await fetch(`${running.url}/api/reload`, { method: "POST", headers: asAlice });
    expect(refused.status).toBe(422);
    const failed = async () =>
      (await rows()).filter(
        (row) => row.caller === "key:alice" && JSON.stringify(row).includes("comand"),
      );
    await waitFor(async () => (await failed()).length === 1);
    expect(JSON.stringify(await failed())).toContain("failed");
  });
});

describe("playbooks × doctor", () => {
  test("a playbook file that does not load, and a folder that does not exist, are named with what to fix", () => {
    const home = tempDir("mcpgw-op9-");
    mkdirSync(join(home, "pb"));
    writeFileSync(
      join(home, "pb/report.yaml"),
      "name: report\ndescription: A report\nsteps:\n  - { name: get, tool: fx:echo }\n",
    );
    writeFileSync(join(home, "pb/broken.yaml"), "name: weekly report\ndescription: x\nsteps: []\n");
    const file = join(home, "gateway.yaml");
    writeFileSync(
      file,
      "server: { port: 1 }\nstate_dir: ./state\ncapabilities: { builtin: false }\nplaybooks: { directories: [pb, team-pb] }\n",
    );
    const env = { HOME: home, PATH: process.env.PATH ?? "" };
    const doctor = runCli(["doctor", "--json", "--config", file], { env });
    const report = JSON.parse(doctor.stdout) as {
      checks: { name: string; status: string; message: string; hint?: string }[];
    };
    // doctor said nothing of playbooks: the team learnt of a skipped one from a failed agent run.
    const checks = report.checks.filter((check) => check.name === "playbooks");
    expect(checks.find((check) => check.status === "ok")?.message).toContain("1 playbook(s)");
    const problems = checks.filter((check) => check.status === "warn");
    expect(problems.map((check) => check.message)).toEqual([
      expect.stringContaining(`${join(home, "pb/broken.yaml")}: name:`),
      // No backend fx here: the step that calls it fails at every run.
      expect.stringContaining(`step "get" of report calls fx:echo, but no backend is named fx`),
      expect.stringContaining(`${join(home, "team-pb")} does not exist`),
    ]);
    expect(problems.every((check) => check.hint)).toBe(true);
  });
});

describe("refusals × /metrics", () => {
  test("calls refused before they were sent are counted by code, for the backend they named", async () => {
    const home = tempDir("mcpgw-op9-");
    const file = join(home, "gateway.yaml");
    writeFileSync(
      file,
      `capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ADMIN)}", admin: true }
    - { name: bob, key: "${hashKey(BOB)}", allowed_tools: ["fx:echo"] }
backends:
  fx: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`,
    );
    const running = await startFromFile(file);
    cleanups.push(() => running.stop());
    const bob = await connectStateless(running.url, { key: BOB });
    cleanups.push(() => bob.close());
    const invoke = (tool: string) =>
      bob.callTool({ name: "gateway_invoke", arguments: { server: "fx", tool, arguments: {} } });
    expect(JSON.stringify(await invoke("pid"))).toContain("[POLICY_DENIED]");
    expect(JSON.stringify(await invoke("pid"))).toContain("[POLICY_DENIED]");
    expect(JSON.stringify(await invoke("no_such_tool"))).toContain("[TOOL_NOT_FOUND]");
    const metrics = await (
      await fetch(`${running.url}/metrics`, { headers: { Authorization: `Bearer ${ADMIN}` } })
    ).text();
    // The audit log had the three refused rows; /metrics had no trace of them.
    expect(metrics).toContain(
      'mcp_gateway_tool_refusals_total{server="fx",code="POLICY_DENIED"} 2',
    );
    expect(metrics).toContain(
      'mcp_gateway_tool_refusals_total{server="fx",code="TOOL_NOT_FOUND"} 1',
    );
  });
});

describe("cluster.redis_url × doctor", () => {
  test("a Redis that does not answer is a problem naming the setting, not a clean report", async () => {
    const home = tempDir("mcpgw-op9-");
    const file = join(home, "gateway.yaml");
    const port = await freePort();
    writeFileSync(
      file,
      `server: { port: 1 }\nstate_dir: ./state\ncapabilities: { builtin: false }\ncluster: { redis_url: "redis://:s3cret@127.0.0.1:${port}" }\n`,
    );
    const env = { HOME: home, PATH: process.env.PATH ?? "" };
    const doctor = await runCliAsync(["doctor", "--json", "--config", file], { env });
    // serve starts anyway ("serving locally"): doctor said all was well, and each instance
    // behind the balancer served alone, losing sessions that landed on the other.
    expect(doctor.code).toBe(1);
    const report = JSON.parse(doctor.stdout) as {
      checks: { name: string; status: string; message: string; hint?: string }[];
    };
    const cluster = report.checks.find((check) => check.name === "cluster");
    expect(cluster?.status).toBe("fail");
    expect(cluster?.message).toContain(`127.0.0.1:${port}`);
    expect(cluster?.message).not.toContain("s3cret");
    expect(cluster?.hint).toContain("cluster.redis_url");
  });
});

describe("a backend that is down × the audit log", () => {
  test("a call to it is recorded under the tool that was asked for, not (unknown)", async () => {
    const home = tempDir("mcpgw-op9-");
    const file = join(home, "gateway.yaml");
    const dead = await freePort();
    writeFileSync(
      file,
      `capabilities: { enabled: false }
failsafe: { retry: { enabled: false } }
backends:
  web: { transport: streamable-http, url: "http://127.0.0.1:${dead}/mcp" }
`,
    );
    const running = await startFromFile(file);
    cleanups.push(() => running.stop());
    const client = await connectStateless(running.url);
    cleanups.push(() => client.close());
    const result = await client.callTool({
      name: "gateway_invoke",
      arguments: { server: "web", tool: "create_invoice", arguments: { amount: 5 } },
    });
    expect(JSON.stringify(result)).toContain("[BACKEND_UNAVAILABLE]");
    const rows = async () => {
      const audit = await fetch(`${running.url}/api/audit?server=web`);
      return ((await audit.json()) as { rows: { tool: string; code?: string }[] }).rows;
    };
    await waitFor(async () => (await rows()).length > 0);
    // The row said web:(unknown): which tool an agent tried while the backend was down was lost.
    expect((await rows())[0]).toMatchObject({
      tool: "create_invoice",
      code: "BACKEND_UNAVAILABLE",
    });
    // /metrics keeps one label for tools the backend never listed.
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain('tool="(unknown)"');
    expect(metrics).not.toContain("create_invoice");
  });
});

describe("capabilities.allow_private_networks turned off by a reload × the response cache", () => {
  test("a read-only capability's answer from a private address is not served from the cache afterwards", async () => {
    let served = 0;
    const internal = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => Response.json({ role: "internal-admin", served: ++served }),
    });
    cleanups.push(() => internal.stop(true));
    const home = tempDir("mcpgw-op9-");
    mkdirSync(join(home, "caps"));
    writeFileSync(
      join(home, "caps/meta.yaml"),
      `name: instance_meta
description: The instance's metadata
schema: { input: { type: object, properties: {} } }
rest: { method: GET, base_url: "http://127.0.0.1:${internal.port}", path: /meta }
metadata: { read_only: true }
`,
    );
    const file = join(home, "gateway.yaml");
    const yaml = (allow: boolean) =>
      `capabilities: { builtin: false, directories: [caps], allow_private_networks: ${allow} }\n`;
    writeFileSync(file, yaml(true));
    const running = await startFromFile(file);
    cleanups.push(() => running.stop());
    await waitFor(() => running.gateway.index.get("capabilities", "instance_meta"));
    const client = await connectStateless(running.url);
    cleanups.push(() => client.close());
    const call = async () =>
      firstText(
        await client.callTool({
          name: "gateway_invoke",
          arguments: { server: "capabilities", tool: "instance_meta", arguments: {} },
        }),
      );
    expect(await call()).toContain("internal-admin");

    // The operator closes the capabilities off from private addresses.
    writeFileSync(file, yaml(false));
    expect((await running.reload()).restartRequired).toEqual([]);
    // The cached answer of the internal service kept being served for the cache's ttl.
    const after = await call();
    expect(after).not.toContain("internal-admin");
    expect(after).toContain("private");
    expect(served).toBe(1);
  });
});

describe.skipIf(!HAS_CHROMIUM)(
  "the dashboard's Reload config × settings that wait for a restart × a broken capability file",
  () => {
    test("the notice names what waits for a restart and the capability file that does not load", async () => {
      const home = tempDir("mcpgw-op9-");
      mkdirSync(join(home, "caps"));
      const capability = (method: string) =>
        `name: zoo_hours\ndescription: Opening hours of the zoo\nschema: { input: { type: object, properties: {} } }\nrest: { method: ${method}, base_url: "https://zoo.example.org", path: /hours }\n`;
      writeFileSync(join(home, "caps/hours.yaml"), capability("GET"));
      const file = join(home, "gateway.yaml");
      // `server.max_sessions` waits for a restart (`search` applies at once since round 10).
      const yaml = (sessions: number) =>
        `capabilities: { builtin: false, directories: [caps] }\nserver: { max_sessions: ${sessions} }\n`;
      writeFileSync(file, yaml(100));
      const running = await startFromFile(file);
      cleanups.push(() => running.stop());
      const browser = await launchChromium();
      cleanups.push(() => browser.close());
      const page = await browser.newPage();
      await page.goto(`${running.url}/ui`);
      await page.locator("#reload").waitFor();

      writeFileSync(file, yaml(50));
      writeFileSync(join(home, "caps/hours.yaml"), capability("FETCH"));
      await page.click("#reload");
      const notice = page.locator("#notice", { hasText: "Reloaded" });
      await notice.waitFor();
      // It said "Reloaded: no changes." while the setting waited for a restart and the
      // capability file was refused: the operator believed both were in force.
      const text = (await notice.textContent()) ?? "";
      expect(text).toContain("server.max_sessions");
      expect(text).toContain("restart");
      expect(text).toContain(join(home, "caps/hours.yaml"));
    });
  },
);

describe("routing profiles × doctor", () => {
  test("a profile's pattern that matches nothing is a warning, as a key's is (a deny that denies nothing fails open)", () => {
    const home = tempDir("mcpgw-op9-");
    const file = join(home, "gateway.yaml");
    writeFileSync(
      file,
      `server: { port: 1 }
state_dir: ./state
capabilities: { builtin: false }
routing_profiles:
  contractors: { allow_backends: [fx], deny_tools: ["fx:crahs"] }
  research: { allow_backends: [fxx] }
backends:
  fx: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`,
    );
    const env = { HOME: home, PATH: process.env.PATH ?? "" };
    const doctor = runCli(["doctor", "--json", "--config", file], { env });
    const report = JSON.parse(doctor.stdout) as {
      checks: { name: string; status: string; message: string }[];
    };
    // Silent before: the contractors could still crash the backend, the researchers saw nothing.
    const scopes = report.checks.filter((check) => check.name === "scopes");
    expect(scopes.map((check) => check.message)).toEqual([
      expect.stringContaining('routing_profiles.contractors.deny_tools: deny_tools "fx:crahs"'),
      expect.stringContaining('routing_profiles.research.allow_backends: allow_backends "fxx"'),
    ]);
    expect(scopes.every((check) => check.status === "warn")).toBe(true);
  });
});
