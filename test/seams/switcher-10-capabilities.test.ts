import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  firstText,
  ROOT,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

// Starts a gateway: slow on a loaded machine.
setDefaultTimeout(30_000);

/**
 * Capability files as the original gateway's users have them (the shapes of its catalog's
 * jira_search, screenshot_url, wolfram_llm_query), against a loopback stand-in of each API,
 * called by the SDK's client through the gateway: both through gateway_invoke and as surfaced
 * tools, whose advertised output schema the client checks.
 */
/** What the stand-in received: each request's headers, read while it is handled. */
const requests: Headers[] = [];
const urls: URL[] = [];
const api = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    requests.push(new Headers(request.headers));
    urls.push(new URL(request.url));
    const { pathname } = new URL(request.url);
    if (pathname === "/search") return Response.json({ issues: [] });
    if (pathname === "/shot") {
      return new Response(new Uint8Array([137, 80, 78, 71]), {
        headers: { "content-type": "image/png" },
      });
    }
    if (pathname === "/llm-api") {
      return new Response("17! = 355687428096000", { headers: { "content-type": "text/plain" } });
    }
    if (pathname === "/feed") {
      return new Response('<rates><rate currency="USD">1.08</rate></rates>', {
        headers: { "content-type": "application/xml; charset=utf-8" },
      });
    }
    return new Response("no such path", { status: 404 });
  },
});
const origin = `http://127.0.0.1:${api.port}`;

function capability(name: string, config: string, rest: string): string {
  return [
    'fulcrum: "1.0"',
    `name: ${name}`,
    `description: The ${name} stand-in.`,
    "schema:",
    "  input: {type: object, properties: {query: {type: string}}}",
    rest,
    "providers:",
    "  primary:",
    "    service: rest",
    "    timeout: 10",
    "    config:",
    `      base_url: ${origin}`,
    ...config.split("\n").map((line) => `      ${line}`),
    "",
  ].join("\n");
}

/** Atlassian wants base64(email:api_token); its users keep that already encoded in the variable. */
const JIRA_BASIC_AUTH = btoa("me@example.com:atlassian-token-1");

let gateway: Awaited<ReturnType<typeof startGateway>>;
let session: ConnectedClient;
beforeAll(async () => {
  const dir = tempDir();
  const files: Record<string, string> = {
    jira_search: capability(
      "jira_search",
      'path: /search\nmethod: GET\nparams: {jql: "{query}"}',
      [
        "auth:",
        "  required: true",
        "  type: basic",
        "  key: env:JIRA_BASIC_AUTH",
        "  description: Set JIRA_BASIC_AUTH to base64(email:api_token).",
        "  header: Authorization",
        "  prefix: Basic",
      ].join("\n"),
    ),
    confluence_search: capability(
      "confluence_search",
      "path: /search\nmethod: GET",
      "auth: {required: true, type: basic, key: env:JIRA_BASIC_AUTH}",
    ),
    screenshot_url: capability(
      "screenshot_url",
      "path: /shot\nmethod: GET\nresponse_format: binary",
      "  output: {type: object, properties: {data: {type: string}, mime_type: {type: string}, size: {type: integer}}}",
    ),
    wolfram_llm_query: capability(
      "wolfram_llm_query",
      'path: /llm-api\nmethod: GET\nresponse_format: text\nheaders: {Accept: "text/plain"}',
      "  output: {type: object, properties: {answer: {type: string}, source_url: {type: string}, confidence: {type: string, enum: [high, medium, low]}}}",
    ),
    rates_feed: capability("rates_feed", "path: /feed\nmethod: GET", ""),
    status_page: capability(
      "status_page",
      "path: /search\nmethod: GET",
      "auth: {required: true, type: api_key, key: env:STATUS_TOKEN}",
    ),
    youtube_search: capability(
      "youtube_search",
      'path: /search\nmethod: GET\nparams: {q: "{query}", key: "{env.GOOGLE_API_KEY}"}',
      "auth: {required: true, type: api_key, key: GOOGLE_API_KEY}",
    ),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.yaml`), text);
  const surfaced = ["screenshot_url", "wolfram_llm_query"]
    .map((tool) => `{server: gateway, tool: ${tool}}`)
    .join(", ");
  gateway = await startGateway(
    `meta_mcp: { surfaced_tools: [${surfaced}], surfaced_names: bare }\ncapabilities: { builtin: false, allow_private_networks: true, directories: ["${dir}"] }\n`,
    { ...process.env, JIRA_BASIC_AUTH, STATUS_TOKEN: "st-1", GOOGLE_API_KEY: "AIza-1" },
  );
  session = await connectHttp(gateway.url);
});
afterAll(async () => {
  await session?.close();
  await gateway?.stop();
  api.stop(true);
});

async function invoke(
  tool: string,
): Promise<{ isError?: boolean; structuredContent?: unknown; content?: unknown }> {
  const result = (await session.client.callTool({
    name: "gateway_invoke",
    arguments: { server: "gateway", tool, arguments: { query: "17 factorial" } },
  })) as { isError?: boolean; structuredContent?: unknown; content?: unknown };
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result;
}

describe("auth type basic with the credential already encoded (Jira, Confluence)", () => {
  test("sends the variable after the prefix as it is, as the original does, not encoded again", async () => {
    for (const tool of ["jira_search", "confluence_search"]) {
      requests.length = 0;
      await invoke(tool);
      expect(requests).toHaveLength(1);
      expect(requests[0]!.get("authorization")).toBe(`Basic ${JIRA_BASIC_AUTH}`);
    }
  });
});

describe("auth type api_key without header or param", () => {
  test("is sent in Authorization as it is, as the original sends it", async () => {
    requests.length = 0;
    await invoke("status_page");
    expect(requests[0]!.get("authorization")).toBe("st-1");
    expect(requests[0]!.get("x-api-key")).toBeNull();
  });

  test("a file that places the key in the request itself sends it only there", async () => {
    requests.length = 0;
    await invoke("youtube_search");
    expect(requests).toHaveLength(1);
    expect(urls.at(-1)!.searchParams.get("key")).toBe("AIza-1");
    expect(requests[0]!.get("authorization")).toBeNull();
    expect(requests[0]!.get("x-api-key")).toBeNull();
  });
});

describe("response_format binary and text answer in the original's shapes", () => {
  test("binary: {data, mime_type, size}, the fields its files declare in schema.output", async () => {
    const expected = { data: btoa("\x89PNG"), mime_type: "image/png", size: 4 };
    expect((await invoke("screenshot_url")).structuredContent).toEqual(expected);
    await session.client.listTools();
    const surfaced = await session.client.callTool({ name: "screenshot_url", arguments: {} });
    expect(surfaced.structuredContent).toEqual(expected);
  });

  test("text: {answer, confidence: high}; the surfaced tool's client accepts it", async () => {
    const expected = { answer: "17! = 355687428096000", confidence: "high" };
    expect((await invoke("wolfram_llm_query")).structuredContent).toEqual(expected);
    // The client read the tool's output schema from tools/list: a result without structured
    // content is refused by the client ("has an output schema but did not return structured content").
    await session.client.listTools();
    const surfaced = await session.client.callTool({
      name: "wolfram_llm_query",
      arguments: { query: "17 factorial" },
    });
    expect(surfaced.structuredContent).toEqual(expected);
  });

  test("an XML answer without response_format is read as XML by its content type", async () => {
    const result = await invoke("rates_feed");
    expect(JSON.parse(firstText(result))).toEqual({
      rate: { "@currency": "USD", "#text": "1.08" },
    });
  });
});

describe("parts of an original capability file that have no effect here", () => {
  test("are warned about when the gateway serves it, naming the file and the part, once", async () => {
    const dir = tempDir();
    const file = join(dir, "issue_digest.yaml");
    writeFileSync(
      file,
      [
        'fulcrum: "1.0"',
        "name: issue_digest",
        "description: Issues of the week.",
        "schema:",
        "  input: {type: object, properties: {query: {type: string}}}",
        "providers:",
        "  primary:",
        "    service: rest",
        `    config: {base_url: "${origin}", path: /search}`,
        "  mirror:",
        "    service: rest",
        `    config: {base_url: "${origin}", path: /search}`,
        "visible_in_states: [authenticated]",
        "",
      ].join("\n"),
    );
    const config = join(dir, "gateway.yaml");
    writeFileSync(
      config,
      `capabilities: { builtin: false, allow_private_networks: true, directories: ["${dir}"] }\n`,
    );
    const child = Bun.spawn(
      [BUN, join(ROOT, "src/main.ts"), "serve", "--config", config, "--port", "0"],
      {
        env: { ...process.env, NO_COLOR: "1", XDG_STATE_HOME: join(dir, "state") },
        stdout: "ignore",
        stderr: "pipe",
      },
    );
    let stderr = "";
    void (async () => {
      for await (const chunk of child.stderr) stderr += new TextDecoder().decode(chunk);
    })();
    const noted = (part: string) =>
      stderr.split("\n").filter((line) => line.includes(`${file}: `) && line.includes(part));
    try {
      await waitFor(() => noted('provider "mirror"').length > 0, 20_000);
      expect(noted("visible_in_states is not supported")).toHaveLength(1);
      // A reload (another file saved) does not repeat them.
      writeFileSync(join(dir, "other.yaml"), capability("other_one", "path: /search", ""));
      await waitFor(() => stderr.includes("2 capabilities loaded"), 20_000);
      expect(noted("visible_in_states")).toHaveLength(1);
      expect(noted('provider "mirror"')).toHaveLength(1);
    } finally {
      child.kill();
      await child.exited;
    }
  });
});
