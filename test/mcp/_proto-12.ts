#!/usr/bin/env bun
/**
 * A stdio backend for the proto-12 tests, shaped by its environment:
 * `LABEL` (its name in answers), `INSTRUCTIONS`, `TOOLS`, `RESOURCES`, `PROMPTS` (how many
 * `item<i>`, `p12://LABEL/r<i>` and `prompt<i>`; default 3 each) served `PAGE` a page (default 7)
 * so a gateway must follow every cursor; `FIXTURE_LOG` receives `level <level>` per setLevel.
 * Tools beyond the items: `meta` (answers the `_meta` it got, with a `_meta` of its own), `bad_structured` (structured
 * content its outputSchema refuses; `good_structured` fits it), `grow` (adds a tool, then announces the change).
 * `completion/complete` answers `LABEL:<ref>:<argument>`, so a test sees where it was routed.
 */
import { appendFileSync } from "node:fs";
import { Server, type Tool } from "@modelcontextprotocol/server";
import { StdioServerTransport } from "@modelcontextprotocol/server/stdio";

const env = process.env;
const label = env.LABEL ?? "p12";
const page = Number(env.PAGE ?? 7);
const count = (name: string) => Number(env[name] ?? 3);
const note = (line: string) => env.FIXTURE_LOG && appendFileSync(env.FIXTURE_LOG, `${line}\n`);
const OBJECT = { type: "object" as const, properties: {} };

const grown: string[] = [];
function tools(): Tool[] {
  const items = Array.from({ length: count("TOOLS") }, (_, i) => ({
    name: `item${i}`,
    description: `Item ${i} of ${label}`,
    inputSchema: OBJECT,
  }));
  return [
    ...items,
    { name: "meta", description: "Answer the _meta of the request", inputSchema: OBJECT },
    {
      name: "bad_structured",
      description: "Answer structured content that does not match its output schema",
      inputSchema: OBJECT,
      outputSchema: {
        type: "object",
        properties: { celsius: { type: "number" } },
        required: ["celsius"],
      },
    },
    {
      name: "good_structured",
      description: "Answer structured content that matches its output schema",
      inputSchema: OBJECT,
      outputSchema: {
        type: "object",
        properties: { celsius: { type: "number" } },
        required: ["celsius"],
      },
    },
    { name: "grow", description: "Add a tool and announce it", inputSchema: OBJECT },
    ...grown.map((name) => ({ name, description: `Grown ${name}`, inputSchema: OBJECT })),
  ];
}

/** One page of `list` from `cursor` (an offset), with the next cursor while more remain. */
function paged<T>(list: T[], cursor: string | undefined): { items: T[]; nextCursor?: string } {
  const at = Number(cursor ?? 0);
  const next = at + page < list.length ? String(at + page) : undefined;
  return { items: list.slice(at, at + page), ...(next ? { nextCursor: next } : {}) };
}

const server = new Server(
  { name: label, version: "1.0.0" },
  {
    capabilities: {
      tools: { listChanged: true },
      resources: { listChanged: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {},
    },
    ...(env.INSTRUCTIONS ? { instructions: env.INSTRUCTIONS } : {}),
  },
);

server.setRequestHandler("tools/list", async (request) => {
  const { items, nextCursor } = paged(tools(), request.params?.cursor);
  return { tools: items, ...(nextCursor ? { nextCursor } : {}) };
});
server.setRequestHandler("resources/list", async (request) => {
  const all = Array.from({ length: count("RESOURCES") }, (_, i) => ({
    uri: `p12://${label}/r${i}`,
    name: `r${i}`,
  }));
  const { items, nextCursor } = paged(all, request.params?.cursor);
  return { resources: items, ...(nextCursor ? { nextCursor } : {}) };
});
server.setRequestHandler("resources/templates/list", async () => ({
  resourceTemplates: [{ uriTemplate: `p12://${label}/t/{id}`, name: "by id" }],
}));
server.setRequestHandler("resources/read", async (request) => ({
  contents: [{ uri: request.params.uri, text: `${label} read ${request.params.uri}` }],
}));
server.setRequestHandler("prompts/list", async (request) => {
  const all = Array.from({ length: count("PROMPTS") }, (_, i) => ({
    name: `prompt${i}`,
    arguments: [{ name: "arg", required: false }],
  }));
  const { items, nextCursor } = paged(all, request.params?.cursor);
  return { prompts: items, ...(nextCursor ? { nextCursor } : {}) };
});
server.setRequestHandler("prompts/get", async (request) => ({
  messages: [{ role: "user", content: { type: "text", text: `${label} ${request.params.name}` } }],
}));
server.setRequestHandler("completion/complete", async (request) => {
  const ref = request.params.ref;
  const named = ref.type === "ref/prompt" ? ref.name : ref.uri;
  return {
    completion: { values: [`${label}:${named}:${request.params.argument.name}`], hasMore: false },
  };
});
server.setRequestHandler("logging/setLevel", async (request) => {
  note(`level ${request.params.level}`);
  return {};
});
server.setRequestHandler("tools/call", async (request) => {
  switch (request.params.name) {
    case "meta":
      return {
        content: [{ type: "text", text: JSON.stringify(request.params._meta ?? {}) }],
        _meta: { "com.example/answered-by": label },
      };
    case "bad_structured":
      return {
        content: [{ type: "text", text: '{"celsius":"warm"}' }],
        structuredContent: { celsius: "warm" },
      };
    case "good_structured":
      return {
        content: [{ type: "text", text: '{"celsius":4}' }],
        structuredContent: { celsius: 4 },
      };
    case "grow":
      grown.push(`grown${grown.length}`);
      await server.sendToolListChanged();
      return { content: [{ type: "text", text: "grown" }] };
  }
  return { content: [{ type: "text", text: `${label} ${request.params.name}` }] };
});

await server.connect(new StdioServerTransport());
