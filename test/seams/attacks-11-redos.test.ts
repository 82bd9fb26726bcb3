/**
 * ReDoS through `transform.redact` (round 11). A redact pattern in a capability file or a
 * backend's `response_transform` runs over every string of a backend's result on the event loop;
 * JavaScript's regexes backtrack, so `(a+)+$` takes exponential time on 30 crafted characters and
 * `[a-z]+@x` quadratic time on a long result (0.2 s at 20,000 characters, minutes at 1 MB): one
 * result stalls every session. Such patterns are refused when the config or the capability
 * loads, with the reason and the rewrite; linear ones load as before.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { hashKey } from "../../src/security/keys.ts";
import { unsafeRegex } from "../../src/security/safe-regex.ts";
import { runCli } from "../cli/_run.ts";
import {
  BUN,
  cleanupsAfterAll,
  connectHttp,
  FIXTURE_SERVER,
  FIXTURES,
  firstText,
  startGateway,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

setDefaultTimeout(30_000);
const cleanups = cleanupsAfterAll();

const REFUSED = [
  ["(a+)+$", "repeats a group that repeats `a+`"],
  ["(a|aa)*b", "repeats a group that has alternatives"],
  ["(\\w+\\s?)*$", "repeats a group"],
  ["[a-z]+@x", "from any position"],
  [".*secret", "from any position"],
  ["key=\\S+;", "from any position"],
  ["eyJ[\\w-]+\\.[\\w-]+\\.", "from any position"],
  ["(['\"])\\w{1,9}\\1", "backreference"],
  ["x(?=\\w+y)", "inside a lookaround"],
  ["[a-z]{1,100000}@", "from any position"],
] as const;

const ACCEPTED = [
  "\\d{3}-\\d{4}",
  "secret\\w*",
  "Bearer [A-Za-z0-9._~+/-]+=*",
  "sk-[A-Za-z0-9]+",
  "api_key=[^\\s=&]+",
  "Bearer\\s+\\S+",
  "(?:Bearer|Token) \\S+",
  "\\b\\w+@example\\.com",
  "ghp_[A-Za-z0-9]{36}",
  '"password"\\s*:\\s*"[^"]*"',
  "[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}",
];

describe("a redact pattern", () => {
  test("that backtracks is refused, saying why; a linear one is accepted", () => {
    for (const [pattern, why] of REFUSED) expect(unsafeRegex(pattern, "g")).toContain(why);
    for (const pattern of ACCEPTED) expect(unsafeRegex(pattern, "g")).toBeUndefined();
  });

  test("in a backend's response_transform fails the config load, naming where and how to fix", () => {
    const file = writeConfig(`
backends:
  fixture:
    command: ${BUN}
    tools: { echo: { response_transform: { redact: [{ pattern: "[a-z]+@x" }] } } }
`);
    expect(() => loadConfig({ path: file })).toThrow(
      /backends\.fixture\.tools\.echo.*redact\[0\]\.pattern: `\[a-z\]\+` repeats without bound.*bound it/,
    );
  });

  test("in a capability file fails cap validate, and the capability is not served", async () => {
    const dir = tempDir("mcpgw-attacks11-redos-");
    mkdirSync(join(dir, "caps"));
    const cap = join(dir, "caps/stall.yaml");
    writeFileSync(
      cap,
      `name: stall
description: Looks a word up.
rest: { base_url: "https://dictionary.example.org", path: /v1/words }
transform:
  redact:
    - { pattern: "(a+)+$" }
`,
    );
    const out = join(dir, "caps/stall_output.yaml");
    writeFileSync(
      out,
      `name: stall_output
description: Looks a code up.
schema:
  output:
    type: object
    properties: { code: { type: string, pattern: "^(\\\\w+\\\\s?)*$" } }
rest: { base_url: "https://codes.example.org", path: /v1/codes }
`,
    );
    const outRun = runCli(["cap", "validate", out], { env: { ...process.env, HOME: dir } });
    expect(outRun.code).not.toBe(0);
    expect(`${outRun.stdout}${outRun.stderr}`).toContain("schema.output.properties.code.pattern");
    const run = runCli(["cap", "validate", cap], { env: { ...process.env, HOME: dir } });
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain("transform.redact[0].pattern");
    expect(`${run.stdout}${run.stderr}`).toContain("exponential time");
    const gateway = await startGateway(
      `capabilities: { builtin: false, directories: ["${join(dir, "caps")}"] }\n`,
    );
    cleanups.push(() => gateway.stop());
    const served = gateway.gateway.index.tools("capabilities").map((tool) => tool.name);
    expect(served).not.toContain("stall");
    expect(served).not.toContain("stall_output");
  });

  test("that is linear still redacts a backend's result", async () => {
    const gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    tools: { echo: { response_transform: { redact: [{ pattern: "sk-[a-z0-9]+", replacement: "[KEY]" }] } } }
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
    const session = await connectHttp(gateway.url);
    cleanups.push(session.close);
    const result = await session.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool: "echo", arguments: { message: "key sk-abc123 here" } },
    });
    expect(firstText(result)).toContain("[KEY]");
    expect(firstText(result)).not.toContain("sk-abc123");
  });
});

describe("a backend's inputSchema pattern that backtracks", () => {
  test("is left to the backend: the gateway's argument check does not run it", async () => {
    const dir = tempDir("mcpgw-attacks11-pattern-");
    const tools = join(dir, "tools.json");
    writeFileSync(
      tools,
      JSON.stringify([
        {
          name: "lookup",
          description: "Look a code up.",
          inputSchema: {
            type: "object",
            properties: {
              code: { type: "string", pattern: "^(a+)+$" },
              id: { type: "string", pattern: "^[a-z][a-z0-9_]*$" },
            },
          },
        },
      ]),
    );
    const gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  codes: { command: ${BUN}, args: ["${join(FIXTURES, "poisoned/server.ts")}"], env: { TOOLS_FILE: "${tools}" } }
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("codes").length > 0);
    const session = await connectHttp(gateway.url);
    cleanups.push(session.close);
    const invoke = (args: Record<string, unknown>) =>
      session.client.callTool({
        name: "gateway_invoke",
        arguments: { server: "codes", tool: "lookup", arguments: args },
      });
    // 40 characters: the pattern alone took the gateway's event loop for minutes.
    expect(firstText(await invoke({ code: `${"a".repeat(40)}!` }))).toBe("called lookup");
    // A linear pattern is still checked.
    const refused = await invoke({ id: "9lives" });
    expect(firstText(refused)).toContain("[INVALID_ARGUMENTS]");
    expect(firstText(refused)).toContain("arguments/id");
  });
});

describe("a search query with wildcards", () => {
  test("is matched in linear steps: ?*?*…! no longer freezes the gateway", async () => {
    const dir = tempDir("mcpgw-attacks11-glob-");
    const tools = join(dir, "tools.json");
    const LONG = "get_current_weather_forecast_by_city_name";
    writeFileSync(
      tools,
      JSON.stringify([
        { name: LONG, description: "Weather." },
        { name: "echo", description: "Echo." },
      ]),
    );
    const gateway = await startGateway(`
capabilities: { enabled: false }
backends:
  weather: { command: ${BUN}, args: ["${join(FIXTURES, "poisoned/server.ts")}"], env: { TOOLS_FILE: "${tools}" } }
`);
    cleanups.push(() => gateway.stop());
    await waitFor(() => gateway.gateway.index.tools("weather").length > 0);
    const session = await connectHttp(gateway.url);
    cleanups.push(session.close);
    const search = async (query: string) =>
      (
        (await session.client.callTool({ name: "gateway_search_tools", arguments: { query } }))
          .structuredContent as { matches: { tool: string }[] }
      ).matches.map((match) => match.tool);
    // As a regular expression, twelve pairs took 7.6 s on one 36-character name; this is sixteen.
    expect(await search(`${"?*".repeat(16)}!`)).toEqual([]);
    expect(await search("weather:e*o")).toEqual(["echo"]);
    expect(await search("*FORECAST_?Y_*")).toEqual([LONG]);
  });
});

describe("a scope glob against a backend's long tool name", () => {
  test("is matched in linear steps: a list is not held up by a 180 KB name", async () => {
    const dir = tempDir("mcpgw-attacks11-scope-glob-");
    const tools = join(dir, "tools.json");
    const LONG = `${"delete".repeat(30_000)}:x`;
    writeFileSync(
      tools,
      JSON.stringify([
        { name: LONG, description: "Long." },
        { name: "delete_all", description: "Deletes." },
        { name: "echo", description: "Echo." },
      ]),
    );
    const gateway = await startGateway(`
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: ci, key: "${hashKey("ci-key-0004")}", denied_tools: ["*delete*"] }
backends:
  big: { command: ${BUN}, args: ["${join(FIXTURES, "poisoned/server.ts")}"], env: { TOOLS_FILE: "${tools}" } }
`);
    cleanups.push(() => gateway.stop());
    // The 180 KB name is left out at discovery since (the spec gives names 1 to 128 characters).
    await waitFor(() => gateway.gateway.index.tools("big").length === 2);
    const session = await connectWithKey(gateway.url, "ci-key-0004");
    cleanups.push(session.close);
    const listed = await session.client.callTool({
      name: "gateway_list_tools",
      arguments: { server: "big" },
    });
    const names = (listed.structuredContent as { tools: { tool: string }[] }).tools.map(
      (tool) => tool.tool,
    );
    // As a regular expression, `*delete*` took 10 s on a 120 KB name, at each check.
    expect(names).toContain("echo");
    expect(names).not.toContain(LONG);
    expect(names).not.toContain("delete_all");
  });
});
