import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonObject } from "../../src/backends/types.ts";
import { type ConnectedClient, connectHttp, startGateway, tempDir } from "../helpers.ts";

// Starts a gateway: slow on a loaded machine.
setDefaultTimeout(30_000);

/**
 * A playbook in the original gateway's format (the shape of its playbooks/research.yaml:
 * `condition`s, an `output` mapping with fallbacks, `on_error`, `max_retries`), whose steps are
 * capabilities over a loopback stand-in API, run by the SDK's client with gateway_run_playbook.
 */
const called: string[] = [];
let flaky = 0;
const api = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    const url = new URL(request.url);
    called.push(`${url.pathname}?${url.searchParams.get("q") ?? ""}`);
    if (url.pathname === "/search") {
      const results =
        url.searchParams.get("q") === "nothing"
          ? []
          : [
              { title: "Bun", url: "https://bun.sh" },
              { title: "Deno", url: "https://deno.com" },
            ];
      return Response.json({ web: { results } });
    }
    if (url.pathname === "/ground")
      return Response.json({ answer: "A fast runtime", confidence: 0.9 });
    if (url.pathname === "/flaky") {
      flaky++;
      return flaky % 2 ? new Response("try again", { status: 400 }) : Response.json({ ok: true });
    }
    return new Response("no such path", { status: 404 });
  },
});
const origin = `http://127.0.0.1:${api.port}`;

function capability(name: string, path: string): string {
  return `fulcrum: "1.0"
name: ${name}
description: The ${name} stand-in.
schema:
  input: {type: object, properties: {query: {type: string}, count: {type: integer}}}
providers:
  primary:
    service: rest
    config: {base_url: "${origin}", path: ${path}, params: {q: "{query}"}}
`;
}

const RESEARCH = `playbook: "1.0"
name: research_topic
description: Search for a topic, ground the top result, and return a verified summary.
inputs:
  type: object
  properties:
    query: {type: string}
    depth: {type: string, enum: [quick, thorough], default: quick}
  required: [query]
steps:
  - name: search
    tool: web_search
    server: capabilities
    arguments: {query: "$inputs.query", count: 5}
  - name: ground
    tool: grounding
    server: capabilities
    arguments: {query: "$search.web.results[0].title"}
    condition: "$search.web.results | length > 0"
  - name: deep_search
    tool: web_search
    server: capabilities
    arguments: {query: "$inputs.query deep", count: 3}
    condition: "$inputs.depth == 'thorough'"
output:
  type: object
  properties:
    summary: {path: "$ground.answer", fallback: "No grounding available"}
    sources: {path: "$search.web.results[].url"}
    confidence: {path: "$ground.confidence", fallback: 0.0}
on_error: continue
max_retries: 1
timeout: 60
`;

const RETRYING = `playbook: "1.0"
name: retrying
description: A step that fails once, retried.
steps:
  - name: first
    tool: flaky_call
    server: capabilities
    arguments: {query: "x"}
on_error: retry
max_retries: 2
`;

let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;
beforeAll(async () => {
  const dir = tempDir();
  mkdirSync(join(dir, "caps"));
  mkdirSync(join(dir, "playbooks"));
  writeFileSync(join(dir, "caps/web_search.yaml"), capability("web_search", "/search"));
  writeFileSync(join(dir, "caps/grounding.yaml"), capability("grounding", "/ground"));
  writeFileSync(join(dir, "caps/flaky_call.yaml"), capability("flaky_call", "/flaky"));
  writeFileSync(join(dir, "playbooks/research.yaml"), RESEARCH);
  writeFileSync(join(dir, "playbooks/retrying.yaml"), RETRYING);
  gateway = await startGateway(
    [
      "meta_mcp: { operator_tools: [gateway_run_playbook] }",
      `capabilities: { builtin: false, allow_private_networks: true, directories: ["${dir}/caps"] }`,
      `playbooks: { directories: ["${dir}/playbooks"] }`,
      "",
    ].join("\n"),
  );
  session = await connectHttp(gateway.url);
});
afterAll(async () => {
  await session?.close();
  await gateway?.stop();
  api.stop(true);
});

async function run(name: string, args: JsonObject): Promise<JsonObject> {
  const result = await session.client.callTool({
    name: "gateway_run_playbook",
    arguments: { name, arguments: args },
  });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as JsonObject;
}

describe("an original playbook's conditions and output mapping", () => {
  test("a false condition skips its step; output maps the results, [] collecting a list", async () => {
    called.length = 0;
    const result = await run("research_topic", { query: "bun" });
    expect(result.output).toEqual({
      summary: "A fast runtime",
      sources: ["https://bun.sh", "https://deno.com"],
      confidence: 0.9,
    });
    // depth is quick (its default): deep_search did not run.
    expect(called).toEqual(["/search?bun", "/ground?Bun"]);
    const steps = result.steps as { name: string; status: string }[];
    expect(steps.map((step) => [step.name, step.status])).toEqual([
      ["search", "ok"],
      ["ground", "ok"],
      ["deep_search", "skipped"],
    ]);
  });

  test("with nothing found, the grounding step is skipped and the fallbacks fill in", async () => {
    called.length = 0;
    const result = await run("research_topic", { query: "nothing", depth: "thorough" });
    expect(called).toEqual(["/search?nothing", "/search?nothing deep"]);
    expect(result.output).toEqual({
      summary: "No grounding available",
      sources: [],
      confidence: 0,
    });
  });

  test("on_error: retry loads, and retries a failing step up to max_retries attempts", async () => {
    flaky = 0;
    const result = await run("retrying", {});
    expect(result.ok).toBe(true);
    expect(flaky).toBe(2);
  });
});
