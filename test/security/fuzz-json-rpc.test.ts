/**
 * Fuzz: a few thousand random and mutated JSON-RPC messages to /mcp, in and out of sessions.
 * No answer may be a 5xx or hang, every JSON answer must be JSON-RPC, and afterwards the
 * gateway must still answer correctly, to new clients and to a session opened before.
 * Deterministic: the messages come from a seeded generator (FUZZ_SEED to try others).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { type ConnectedClient, connectHttp, type startGateway } from "../helpers.ts";
import { gatewayWithRawSession, initializeBody, MCP_HEADERS, meta } from "./_helpers.ts";

setDefaultTimeout(120_000);

const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20260707);

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (max: number) => Math.floor(random() * max);

const STRINGS = [
  "",
  "x",
  "gateway_invoke",
  "fixture",
  "noop",
  "\u0000",
  "\ud800",
  "💥",
  "a".repeat(5000),
  "../../etc/passwd",
  "__proto__",
  "constructor",
  "%s%n",
  "${HOME}",
];

function randomValue(depth = 0): unknown {
  switch (int(depth > 3 ? 5 : 8)) {
    case 0:
      return pick(STRINGS);
    case 1:
      return pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53]);
    case 2:
      return pick([true, false, null]);
    case 3:
      return int(1_000_000);
    case 4:
      return `s${int(100)}`;
    case 5:
      return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = int(4); i > 0; i--)
        out[pick([...STRINGS, "name", "arguments", "server", "tool"])] = randomValue(depth + 1);
      return out;
    }
  }
}

/** Valid-looking messages to mutate: every method the gateway serves, and some it does not. */
function template(): Record<string, unknown> {
  const id = int(1000);
  const call = (name: string, args: unknown) => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name, arguments: args },
  });
  return pick([
    () => JSON.parse(initializeBody(id)),
    () => ({ jsonrpc: "2.0", id, method: "ping" }),
    () => ({ jsonrpc: "2.0", id, method: "tools/list", params: { cursor: randomValue() } }),
    () => call("gateway_list_servers", {}),
    () => call("gateway_list_tools", { server: pick(["fixture", "nope", ""]) }),
    () => call("gateway_search_tools", { query: pick(STRINGS), limit: randomValue() }),
    () => call("gateway_invoke", { server: "fixture", tool: "noop", arguments: randomValue() }),
    () => call(pick(STRINGS), randomValue()),
    () => ({ jsonrpc: "2.0", id, method: "resources/list" }),
    () => ({ jsonrpc: "2.0", id, method: "resources/read", params: { uri: pick(STRINGS) } }),
    () => ({ jsonrpc: "2.0", id, method: "prompts/get", params: { name: pick(STRINGS) } }),
    () => ({ jsonrpc: "2.0", id, method: "completion/complete", params: randomValue() }),
    () => ({
      jsonrpc: "2.0",
      id,
      method: "logging/setLevel",
      params: { level: pick(["debug", "loud", 3]) },
    }),
    () => ({ jsonrpc: "2.0", method: "notifications/initialized" }),
    () => ({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: randomValue() },
    }),
    () => ({ jsonrpc: "2.0", id, result: randomValue() }),
    () => ({ jsonrpc: "2.0", id, error: { code: -1, message: "client error" } }),
    () => ({ jsonrpc: "2.0", id, method: `x/${pick(STRINGS)}` }),
  ])() as Record<string, unknown>;
}

/** One mutated message as text. */
function mutate(message: Record<string, unknown>): string {
  const m: Record<string, unknown> = structuredClone(message);
  const keys = Object.keys(m);
  switch (int(10)) {
    case 0:
      delete m[pick(keys)];
      break;
    case 1:
      m[pick(keys)] = randomValue();
      break;
    case 2:
      m[pick(["extra", "__proto__", "params", "id", "jsonrpc"])] = randomValue();
      break;
    case 3:
      return JSON.stringify([m, template()]);
    case 4: {
      const text = JSON.stringify(m);
      return text.slice(0, int(text.length));
    }
    case 5: {
      const text = JSON.stringify(m);
      const at = int(text.length);
      return (
        text.slice(0, at) +
        pick(["\u0000", "}", "{", '"', "\\", ",", "\ud800", "é"]) +
        text.slice(at)
      );
    }
    case 6:
      return `${"[".repeat(int(2000))}${JSON.stringify(m)}`;
    default:
      break; // unmutated: valid messages must keep working in the mix
  }
  return JSON.stringify(m);
}

let gateway: Awaited<ReturnType<typeof startGateway>>;
let before: ConnectedClient;
let session = "";

beforeAll(async () => {
  ({ gateway, session } = await gatewayWithRawSession());
  before = await connectHttp(gateway.url);
});

afterAll(async () => {
  await before?.close();
  await gateway?.stop();
});

describe(`fuzz: ${MESSAGES} random and mutated messages (seed ${SEED})`, () => {
  test("no 5xx, no hang, every JSON answer is JSON-RPC", async () => {
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    const one = async (n: number) => {
      const body = mutate(template());
      const headers: Record<string, string> = { ...MCP_HEADERS };
      const variant = int(10);
      if (variant < 5) {
        headers["mcp-session-id"] = session;
        headers["mcp-protocol-version"] = pick(["2025-11-25", "2025-06-18", "1999-01-01"]);
      } else if (variant === 5)
        headers["mcp-session-id"] = pick(["bogus", "", session.toUpperCase()]);
      else if (variant === 6) headers.accept = pick(["text/html", "*/*", ""]);
      else if (variant === 7) headers["content-type"] = pick(["text/plain", "application/xml", ""]);
      try {
        const response = await fetch(`${gateway.url}/mcp`, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const text = await response.text();
        if (response.status >= 500)
          problems.push(
            `#${n} ${response.status} for ${body.slice(0, 200)}: ${text.slice(0, 200)}`,
          );
        const type = response.headers.get("content-type") ?? "";
        if (type.includes("application/json") && text) {
          const parsed = JSON.parse(text) as { jsonrpc?: string };
          const list = Array.isArray(parsed) ? parsed : [parsed];
          for (const item of list)
            if (item.jsonrpc !== "2.0") problems.push(`#${n} not JSON-RPC: ${text.slice(0, 200)}`);
        }
      } catch (error) {
        problems.push(`#${n} ${error} for ${body.slice(0, 200)}`);
      }
    };
    for (let n = 0; n < MESSAGES; n += 25) {
      await Promise.all(Array.from({ length: Math.min(25, MESSAGES - n) }, (_, i) => one(n + i)));
    }
    expect(problems).toEqual([]);
    // The mix reached the gateway's handlers, not only its parse errors.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(MESSAGES / 20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(MESSAGES / 20);
  });

  test("afterwards a session opened before still answers correctly", async () => {
    const result = await meta(before.client, "gateway_invoke", { server: "fixture", tool: "noop" });
    expect(result.text).toBe("called noop");
  });

  test("afterwards a new client connects, lists, searches and invokes", async () => {
    const after = await connectHttp(gateway.url);
    const { tools } = await after.client.listTools();
    expect(tools.map((t) => t.name)).toContain("gateway_invoke");
    const found = await meta(after.client, "gateway_search_tools", { query: "does nothing" });
    expect((found.data.matches as { tool: string }[])[0]!.tool).toBe("noop");
    const result = await meta(after.client, "gateway_invoke", { server: "fixture", tool: "noop" });
    expect(result.text).toBe("called noop");
    await after.close();
    const health = (await (await fetch(`${gateway.url}/health`)).json()) as { status: string };
    expect(health.status).toBe("ok");
  });
});
