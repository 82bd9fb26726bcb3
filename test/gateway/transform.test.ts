import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { compileTransform, type TransformConfig } from "../../src/gateway/transform.ts";
import { startUpstream, type Upstream } from "../capabilities/_upstream.ts";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  FIXTURE_SERVER,
  firstText,
  startGateway,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";

let api: Upstream;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;

const USER = {
  id: 7,
  title: "Ada",
  phone: "555-1234",
  owner: { email: "ada@example.com", name: "Ada L" },
  tags: [{ name: "math" }, { name: "engines" }],
};

function capability(name: string, path: string, extra: string): string {
  return `name: ${name}
description: Looks up a user by id (${name}).
schema: { input: { type: object, properties: { id: { type: integer } } } }
rest: { base_url: "${api.origin}", path: "${path}" }
${extra}`;
}

beforeAll(async () => {
  api = startUpstream((_request, url) =>
    url.pathname.startsWith("/fail")
      ? Response.json({ error: "down" }, { status: 500 })
      : Response.json(USER),
  );
  const dir = tempDir("mcpgw-transform-");
  writeFileSync(
    join(dir, "user.yaml"),
    capability(
      "user_get",
      "/users/{id}",
      `transform:
  project: [id, title, phone, owner.email, "tags[].name"]
  rename: { title: display }
  redact:
    - { pattern: "\\\\d{3}-\\\\d{4}", replacement: "XXX-XXXX" }
    - email
`,
    ),
  );
  writeFileSync(
    join(dir, "card.yaml"),
    capability(
      "user_card",
      "/users/{id}",
      `response_transform: { format: { type: template, template: "{{title}} <{{owner.email}}> {{tags[0].name}}" } }`,
    ),
  );
  writeFileSync(join(dir, "flaky.yaml"), capability("user_flaky", "/fail/{id}", ""));
  gateway = await startGateway(`
capabilities: { directories: ["${dir}"], allow_private_networks: true, builtin: false }
failsafe: { error_budget: { min_calls: 2, threshold: 0.9, cooldown: 1m } }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    tools:
      echo:
        response_transform:
          project: [a]
          redact: [{ pattern: "secret\\\\w*", replacement: "***" }]
`);
  session = await connectHttp(gateway.url);
  await waitFor(() => gateway.gateway.index.tools("capabilities").length >= 3);
  await waitFor(() => gateway.gateway.index.tools("fixture").length > 0);
});

afterAll(async () => {
  await session?.close();
  await gateway?.stop();
  api?.stop();
});

const invoke = (server: string, tool: string, args: Record<string, unknown>) =>
  session.client.callTool({ name: "gateway_invoke", arguments: { server, tool, arguments: args } });

describe("response transforms", () => {
  test("a capability's transform projects, renames and redacts the response", async () => {
    const result = await invoke("capabilities", "user_get", { id: 7 });
    expect(JSON.parse(firstText(result))).toEqual({
      id: 7,
      display: "Ada",
      phone: "XXX-XXXX",
      email: "[REDACTED]",
      name: ["math", "engines"],
    });
  });

  test("a response_transform template turns the response into text", async () => {
    const result = await invoke("capabilities", "user_card", { id: 7 });
    expect(firstText(result)).toBe("Ada <ada@example.com> math");
  });

  test("an MCP backend tool's response_transform applies to JSON text and redacts plain text", async () => {
    const json = await invoke("fixture", "echo", { message: '{"a":"x secret1","b":2}' });
    expect(JSON.parse(firstText(json))).toEqual({ a: "x ***" });
    const plain = await invoke("fixture", "echo", { message: "plain secret9 here" });
    expect(firstText(plain)).toBe("plain *** here");
  });

  test("an error budget disables one failing capability, not its siblings", async () => {
    for (let i = 0; i < 2; i++)
      expect((await invoke("capabilities", "user_flaky", { id: 1 })).isError).toBe(true);
    const refused = await invoke("capabilities", "user_flaky", { id: 1 });
    expect(firstText(refused)).toStartWith("[BACKEND_DISABLED]");
    expect(firstText(refused)).toContain("capabilities:user_flaky");
    expect((await invoke("capabilities", "user_card", { id: 7 })).isError).toBeFalsy();
  });

  test("a bad redact pattern fails the config load, naming where", () => {
    const file = writeConfig(`
backends:
  fixture:
    command: ${BUN}
    tools: { echo: { response_transform: { redact: [{ pattern: "(" }] } } }
`);
    expect(() => loadConfig({ path: file })).toThrow(
      /backends\.fixture\.tools\.echo.*redact\[0\]\.pattern/,
    );
  });
});

describe("compileTransform", () => {
  const cases: [string, TransformConfig, unknown, unknown][] = [
    ["project by index", { project: ["tags[0].name"] }, USER, { name: "math" }],
    ["flat", { format: { type: "flat" } }, { a: { b: 1 }, c: [2] }, { "a.b": 1, "c.0": 2 }],
    ["nested is a no-op", { format: "nested" } as never, { a: 1 }, { a: 1 }],
    ["rename of a dotted leaf", { rename: { "x.title": "t" } }, { title: 1 }, { t: 1 }],
  ];
  for (const [name, config, input, expected] of cases) {
    test(name, () => {
      const compiled = compileTransform(config, "t");
      if (!compiled.ok) throw new Error(compiled.error);
      expect(compiled.apply(input)).toEqual(expected);
    });
  }
});

describe("renamed, hidden and namespaced backend tools", () => {
  let named: Awaited<ReturnType<typeof startGateway>>;
  let client: ConnectedClient;
  beforeAll(async () => {
    named = await startGateway(`
capabilities: { enabled: false }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    namespace: fx
    tools:
      echo: { rename: say, response_transform: { redact: [{ pattern: "secret", replacement: "***" }] } }
      pid: { hide: true }
`);
    client = await connectHttp(named.url);
    await waitFor(() => named.gateway.index.tools("fixture").length > 0);
  });
  afterAll(async () => {
    await client?.close();
    await named?.stop();
  });
  const call = (tool: string, args: Record<string, unknown> = {}) =>
    client.client.callTool({
      name: "gateway_invoke",
      arguments: { server: "fixture", tool, arguments: args },
    });

  test("lists and search show the exposed names only", async () => {
    const listed = await client.client.callTool({
      name: "gateway_list_tools",
      arguments: { server: "fixture" },
    });
    const names = (
      listed.structuredContent as { tools: { name?: string; tool?: string }[] }
    ).tools.map((t) => t.name ?? t.tool);
    expect(names).toContain("say");
    expect(names).toContain("fx_slow");
    expect(names).not.toContain("echo");
    expect(names.some((name) => name?.endsWith("pid"))).toBe(false);
    const search = await client.client.callTool({
      name: "gateway_search_tools",
      arguments: { query: "echo a message back" },
    });
    const matches = (search.structuredContent as { matches: { tool: string }[] }).matches;
    expect(matches[0]!.tool).toBe("say");
  });

  test("calls use the exposed name (mapped back for the backend); hidden and old names are not found", async () => {
    expect(firstText(await call("say", { message: "a secret" }))).toBe("a ***");
    expect(firstText(await call("fx_counter"))).toMatch(/^\d+$/);
    expect(firstText(await call("echo", { message: "x" }))).toStartWith("[TOOL_NOT_FOUND]");
    expect(firstText(await call("pid"))).toStartWith("[TOOL_NOT_FOUND]");
    expect(firstText(await call("fx_pid"))).toStartWith("[TOOL_NOT_FOUND]");
  });
});
