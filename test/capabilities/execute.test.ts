import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ExecuteOptions, executeCapability } from "../../src/capabilities/execute.ts";
import { parseCapability } from "../../src/capabilities/load.ts";
import type { Capability } from "../../src/capabilities/resolve.ts";
import { firstText } from "../helpers.ts";
import { startUpstream, type Upstream } from "./_upstream.ts";

let api: Upstream;

beforeAll(() => {
  api = startUpstream(async (request, url) => {
    switch (url.pathname) {
      case "/json":
        return Response.json({ data: { items: [{ id: 1 }, { id: 2 }] }, echo: url.search });
      case "/missing":
        return Response.json(
          { message: "Not Found", documentation_url: "https://x" },
          { status: 404 },
        );
      case "/boom":
        return new Response("upstream exploded\n\n  badly", { status: 503 });
      case "/badjson":
        return new Response("{not json", { headers: { "content-type": "application/json" } });
      case "/text":
        return new Response("plain words", { headers: { "content-type": "text/plain" } });
      case "/slow":
        await Bun.sleep(10_000);
        return Response.json({ late: true });
      case "/big":
        return Response.json({ blob: "x".repeat(10_000) });
      case "/echo-key":
        return Response.json({
          got: request.headers.get("x-api-key"),
          q: url.searchParams.get("key"),
        });
      case "/fail-with-key":
        return new Response(`bad key ${request.headers.get("x-api-key")}`, { status: 401 });
      case "/redirect":
        return new Response(null, {
          status: 302,
          headers: { location: url.searchParams.get("to") ?? "/json" },
        });
      case "/empty":
        return new Response(null, { status: 204 });
      default:
        return new Response("no route", { status: 500 });
    }
  });
});
afterAll(() => api?.stop());

/** A capability from YAML text, pointed at the test API. */
function capability(yaml: string): Capability {
  const result = parseCapability(yaml.replaceAll("API", api.origin), "test.yaml");
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.capability;
}

const open: ExecuteOptions = { env: {}, allowPrivateNetworks: true };

async function run(cap: Capability, args = {}, options: Partial<ExecuteOptions> = {}) {
  const result = await executeCapability(cap, args, { ...open, ...options });
  return { result, text: firstText(result) };
}

describe("results", () => {
  test("response_path picks part of a JSON response", async () => {
    const cap = capability(`
name: t
description: d
rest: { base_url: API, path: /json, response_path: "data.items[1]" }
`);
    const { result, text } = await run(cap);
    expect(result.isError).toBeUndefined();
    expect(JSON.parse(text)).toEqual({ id: 2 });
  });

  test("a non-JSON response is returned as text", async () => {
    const { text } = await run(
      capability("name: t\ndescription: d\nrest: { base_url: API, path: /text }"),
    );
    expect(text).toBe("plain words");
  });

  test("an empty 204 says so", async () => {
    const { result, text } = await run(
      capability("name: t\ndescription: d\nrest: { method: DELETE, base_url: API, path: /empty }"),
    );
    expect(result.isError).toBeUndefined();
    expect(text).toBe("(empty response, HTTP 204)");
  });

  test("schema.output gives structured content when the data fits it", async () => {
    const cap = capability(`
name: t
description: d
schema:
  output: { type: object, required: [data], properties: { data: { type: object } } }
rest: { base_url: API, path: /json }
`);
    const { result } = await run(cap);
    expect(result.structuredContent).toMatchObject({ data: { items: [{ id: 1 }, { id: 2 }] } });
  });

  test("data that does not match schema.output is a tool error naming the mismatch", async () => {
    const cap = capability(`
name: t
description: d
schema:
  output: { type: object, required: [missing_field] }
rest: { base_url: API, path: /json }
`);
    const { result, text } = await run(cap);
    expect(result.isError).toBe(true);
    expect(text).toStartWith("[UPSTREAM_BAD_RESPONSE]");
    expect(text).toContain("missing_field");
  });

  test("a response over max_response_bytes is cut, with a note", async () => {
    const { result, text } = await run(
      capability("name: t\ndescription: d\nrest: { base_url: API, path: /big }"),
      {},
      { maxResponseBytes: 2048 },
    );
    expect(result.isError).toBeUndefined();
    expect(text.length).toBeLessThan(2300);
    expect(text).toContain(
      "[truncated: the response was 10 KB; capabilities.max_response_bytes is 2 KB",
    );
  });
});

describe("API failures are tool errors that say what happened", () => {
  test("4xx: status and trimmed body", async () => {
    const { result, text } = await run(
      capability("name: t\ndescription: d\nrest: { base_url: API, path: /missing }"),
    );
    expect(result.isError).toBe(true);
    expect(text).toBe(
      `[UPSTREAM_HTTP_ERROR] GET ${api.origin}/missing returned 404 Not Found: {"message":"Not Found","documentation_url":"https://x"}`,
    );
  });

  test("5xx: status and the body with whitespace collapsed", async () => {
    const { text } = await run(
      capability("name: t\ndescription: d\nrest: { base_url: API, path: /boom }"),
    );
    expect(text).toBe(
      `[UPSTREAM_HTTP_ERROR] GET ${api.origin}/boom returned 503 Service Unavailable: upstream exploded badly`,
    );
  });

  test("bad JSON", async () => {
    const { text } = await run(
      capability("name: t\ndescription: d\nrest: { base_url: API, path: /badjson }"),
    );
    expect(text).toStartWith(
      `[UPSTREAM_BAD_RESPONSE] GET ${api.origin}/badjson returned invalid JSON`,
    );
    expect(text).toContain("{not json");
  });

  test("a missing response_path", async () => {
    const { text } = await run(
      capability(
        "name: t\ndescription: d\nrest: { base_url: API, path: /json, response_path: nope.deeper }",
      ),
    );
    expect(text).toStartWith("[UPSTREAM_BAD_RESPONSE]");
    expect(text).toContain('returned no "nope.deeper"');
  });

  test("timeout", async () => {
    const started = performance.now();
    const { text } = await run(
      capability("name: t\ndescription: d\nrest: { base_url: API, path: /slow, timeout: 200ms }"),
    );
    expect(text).toBe(`[UPSTREAM_TIMEOUT] GET ${api.origin}/slow did not answer within 200ms`);
    // Well before the upstream's 10 s answer (1.5 s against a 2 s answer was tight under load).
    expect(performance.now() - started).toBeLessThan(8000);
  });

  test("connection refused", async () => {
    const cap = capability(
      "name: t\ndescription: d\nrest: { base_url: 'http://127.0.0.1:9', path: /x }",
    );
    const { text } = await run(cap);
    expect(text).toStartWith("[UPSTREAM_UNREACHABLE] GET http://127.0.0.1:9/x failed:");
  });

  test("the caller's cancellation throws instead of returning an error", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by client")), 50);
    const cap = capability("name: t\ndescription: d\nrest: { base_url: API, path: /slow }");
    await expect(run(cap, {}, { signal: controller.signal })).rejects.toThrow(
      "cancelled by client",
    );
  });

  test("a missing path argument", async () => {
    const cap = capability(`
name: t
description: d
schema: { input: { properties: { id: { type: string } } } }
rest: { base_url: API, path: "/items/{id}" }
`);
    const { text } = await run(cap);
    expect(text).toBe('[INVALID_ARGUMENTS] t needs "id": it is part of the URL');
  });
});

describe("fallback providers (the original's providers.fallback)", () => {
  test("a 5xx from the primary is followed by the fallback's answer", async () => {
    const cap = capability(`
fulcrum: "1.0"
name: t
description: d
providers:
  primary: { service: rest, config: { base_url: API, path: /boom } }
  backup: { service: rest, config: { base_url: API, path: /json, response_path: data } }
  fallback: [backup]
`);
    const { result, text } = await run(cap);
    expect(result.isError).toBeUndefined();
    expect(JSON.parse(text)).toEqual({ items: [{ id: 1 }, { id: 2 }] });
  });

  test("when every provider fails, the error lists the earlier failures", async () => {
    const cap = capability(`
name: t
description: d
providers:
  primary: { config: { base_url: API, path: /boom } }
  backup: { config: { base_url: API, path: /missing } }
  fallback: [backup]
`);
    const { text } = await run(cap);
    expect(text).toStartWith("[UPSTREAM_HTTP_ERROR]");
    expect(text).toContain("/missing returned 404");
    expect(text).toContain("(after provider primary:");
  });
});

describe("secrets", () => {
  const keyed = () =>
    capability(`
name: t
description: d
rest: { base_url: API, path: /echo-key }
auth: { type: api_key, key: env:TEST_KEY }
`);

  test("are read from the environment at call time and sent as configured", async () => {
    // Checked where the API received it: an echo in the result is masked (`***`).
    const sent = () => api.requests.filter((r) => r.path === "/echo-key").at(-1)?.headers;
    const { text } = await run(keyed(), {}, { env: { TEST_KEY: "first-secret" } });
    expect(sent()?.get("x-api-key")).toBe("first-secret");
    expect(JSON.parse(text).got).toBe("***");
    await run(keyed(), {}, { env: { TEST_KEY: "rotated-secret" } });
    expect(sent()?.get("x-api-key")).toBe("rotated-secret");
  });

  test("a missing one is a tool error naming the variable", async () => {
    const { text } = await run(keyed(), {}, { env: {} });
    expect(text).toBe(
      "[MISSING_SECRET] t needs the environment variable TEST_KEY; set it and restart or reload the gateway",
    );
  });

  test("never appear in error text, even when the API echoes them", async () => {
    const cap = capability(`
name: t
description: d
rest: { base_url: API, path: /fail-with-key }
auth: { type: api_key, key: "\${TEST_KEY}" }
`);
    const { text } = await run(cap, {}, { env: { TEST_KEY: "super-secret-value" } });
    expect(text).toContain("returned 401");
    expect(text).toContain("bad key ***");
    expect(text).not.toContain("super-secret-value");
  });

  test("a key in the query is masked in messages", async () => {
    const cap = capability(`
name: t
description: d
rest: { base_url: API, path: /missing }
auth: { type: api_key, key: env:TEST_KEY, param: key }
`);
    const { text } = await run(cap, {}, { env: { TEST_KEY: "query-secret" } });
    expect(text).toContain("/missing?key=*** returned 404");
    expect(text).not.toContain("query-secret");
  });

  test("are not sent on to another origin by a redirect", async () => {
    const other = startUpstream((request) =>
      Response.json({ auth: request.headers.get("authorization") }),
    );
    try {
      const cap = capability(`
name: t
description: d
rest: { base_url: API, path: /redirect, params: { to: "{to}" } }
schema: { input: { properties: { to: { type: string } } } }
auth: { type: bearer, key: env:TOKEN }
`);
      const { text } = await run(
        cap,
        { to: `${other.origin}/landing` },
        { env: { TOKEN: "tkn-1234" } },
      );
      expect(JSON.parse(text)).toEqual({ auth: null });
      const same = await run(cap, { to: "/echo-key" }, { env: { TOKEN: "tkn-1234" } });
      expect(same.result.isError).toBeUndefined();
      expect(api.requests.at(-1)!.headers.get("authorization")).toBe("Bearer tkn-1234");
    } finally {
      other.stop();
    }
  });
});

describe("SSRF guard", () => {
  const cap = () => capability("name: t\ndescription: d\nrest: { base_url: API, path: /json }");

  test("a loopback target is refused unless allow_private_networks is set", async () => {
    const { result, text } = await run(cap(), {}, { allowPrivateNetworks: false });
    expect(result.isError).toBe(true);
    expect(text).toStartWith(
      `[PRIVATE_NETWORK_BLOCKED] GET ${api.origin}/json refused: 127.0.0.1 is a loopback address`,
    );
    expect(text).toContain("capabilities.allow_private_networks: true");
  });

  test("the check runs after DNS resolution: localhost is refused too", async () => {
    const byName = capability(
      `name: t\ndescription: d\nrest: { base_url: '${api.origin.replace("127.0.0.1", "localhost")}', path: /json }`,
    );
    const { text } = await run(byName, {}, { allowPrivateNetworks: false });
    expect(text).toContain("(localhost resolves to 127.0.0.1)");
  });

  test("the check runs on every redirect", async () => {
    // The first hop is to "localhost", which a stand-in resolver calls public (the one fault
    // that cannot be caused here: a public host), and a stand-in `fetch` carries requests to
    // that address to the test API; it redirects to 127.0.0.1, which is refused.
    const lookup = async (host: string) => (host === "localhost" ? ["93.184.215.14"] : []);
    const fetch = (url: URL, init: RequestInit) => {
      const local = new URL(url);
      if (local.hostname === "93.184.215.14") local.hostname = "127.0.0.1";
      return globalThis.fetch(local, init);
    };
    const redirecting = capability(`
name: t
description: d
rest:
  base_url: '${api.origin.replace("127.0.0.1", "localhost")}'
  path: /redirect
  params: { to: "${api.origin}/json?after-redirect" }
`);
    const before = api.requests.length;
    const { text } = await run(redirecting, {}, { allowPrivateNetworks: false, lookup, fetch });
    expect(text).toStartWith(
      `[PRIVATE_NETWORK_BLOCKED] GET ${api.origin}/json?after-redirect (redirect 1) refused: 127.0.0.1 is a loopback address`,
    );
    expect(api.requests.slice(before).map((r) => r.path)).toEqual(["/redirect"]);
    // Sent to the checked address, with the name the capability used as its Host.
    expect(api.requests.at(-1)!.headers.get("host")).toBe(`localhost:${new URL(api.origin).port}`);
  });
});
