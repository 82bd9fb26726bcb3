/**
 * `per_caller`: two callers of one backend each reach it with their own credential (a header
 * over HTTP, an env variable and a process of their own over stdio), never each other's and
 * never a shared one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Server } from "@modelcontextprotocol/server";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  FIXTURE_SERVER,
  firstText,
  serveMcpHttp,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";
import { connectWithKey } from "../security/_helpers.ts";

const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef";
const CAROL = "carol-key-0123456789abcdef";
const logs = tempDir("mcpgw-percaller-");

/** An HTTP MCP server whose one tool answers with the Authorization header it received. */
function startEchoServer() {
  const seen: string[] = [];
  const server = serveMcpHttp(
    (initialize) => {
      const mcp = new Server(
        { name: "echo-auth", version: "1.0.0" },
        { capabilities: { tools: {} } },
      );
      mcp.setRequestHandler("tools/list", async () => ({
        tools: [{ name: "whoami", inputSchema: { type: "object" } }],
      }));
      mcp.setRequestHandler("tools/call", async () => ({
        content: [{ type: "text", text: initialize.headers.get("authorization") ?? "none" }],
      }));
      return mcp;
    },
    (request) => seen.push(request.headers.get("authorization") ?? ""),
  );
  return { ...server, seen };
}

let echo: ReturnType<typeof startEchoServer>;
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  echo = startEchoServer();
  gateway = await startGateway(`
server: { shutdown_timeout: 1s }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", credentials: { github: gh-alice, log: ${join(logs, "alice.log")} } }
    - { name: bob, key: "${hashKey(BOB)}", credentials: { github: gh-bob, log: ${join(logs, "bob.log")} } }
    - { name: carol, key: "${hashKey(CAROL)}" }
backends:
  github:
    url: ${echo.url}
    per_caller:
      headers: { Authorization: "Bearer {caller.github}" }
  local:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    per_caller:
      env: { FIXTURE_LOG: "{caller.log}" }
`);
}, 30_000);

afterAll(async () => {
  await gateway?.stop();
  echo?.stop();
});

const invoke = (
  session: Awaited<ReturnType<typeof connectWithKey>>,
  server: string,
  tool: string,
  args = {},
) =>
  session.client.callTool({ name: "gateway_invoke", arguments: { server, tool, arguments: args } });

describe("per_caller credentials", () => {
  test("over HTTP each caller's own header reaches the backend", async () => {
    const alice = await connectWithKey(gateway.url, ALICE);
    const bob = await connectWithKey(gateway.url, BOB);
    try {
      expect(firstText(await invoke(alice, "github", "whoami"))).toBe("Bearer gh-alice");
      expect(firstText(await invoke(bob, "github", "whoami"))).toBe("Bearer gh-bob");
      expect(firstText(await invoke(alice, "github", "whoami"))).toBe("Bearer gh-alice");
      expect(
        echo.seen.filter((h) => h.includes("gh-")).every((h) => /gh-(alice|bob)$/.test(h)),
      ).toBe(true);
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 30_000);

  test("over stdio each caller gets a process with its own env", async () => {
    const alice = await connectWithKey(gateway.url, ALICE);
    const bob = await connectWithKey(gateway.url, BOB);
    try {
      const pidA = firstText(await invoke(alice, "local", "pid"));
      const pidB = firstText(await invoke(bob, "local", "pid"));
      expect(pidA).not.toBe(pidB);
      expect(firstText(await invoke(alice, "local", "pid"))).toBe(pidA);
      // Alice's process got her FIXTURE_LOG: a call is noted there, not in Bob's.
      const controller = new AbortController();
      const call = alice.client.callTool(
        {
          name: "gateway_invoke",
          arguments: { server: "local", tool: "hang_once", arguments: {} },
        },
        { signal: controller.signal },
      );
      call.catch(() => {});
      const read = (name: string) => {
        try {
          return readFileSync(join(logs, name), "utf8");
        } catch {
          return "";
        }
      };
      await waitFor(() => read("alice.log").includes("hang_once called"));
      controller.abort();
      expect(read("bob.log")).toBe("");
    } finally {
      await alice.close();
      await bob.close();
    }
  }, 30_000);

  test("a caller without the credential is refused, never given a shared one", async () => {
    const carol = await connectWithKey(gateway.url, CAROL);
    const before = echo.seen.length;
    try {
      const result = await invoke(carol, "github", "whoami");
      expect(result.isError).toBe(true);
      expect(firstText(result)).toContain("credentials.github");
      // Refused before anything was sent: the backend saw no request for Carol.
      expect(echo.seen.length).toBe(before);
    } finally {
      await carol.close();
    }
  }, 30_000);
});
