import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  BUN,
  EVERYTHING,
  FIXTURE_SERVER,
  firstText,
  startEverythingHttp,
  startGateway,
  tempDir,
  waitFor,
} from "../helpers.ts";

const log = join(tempDir(), "fixture.log");
writeFileSync(log, "");

// Server-to-client requests from a backend, relayed through gateway_invoke on /mcp.
let streamable: Awaited<ReturnType<typeof startEverythingHttp>>;
let sse: Awaited<ReturnType<typeof startEverythingHttp>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;
const clients: Client[] = [];

async function connect(
  name: string,
  options: { elicit?: "accept" | "decline"; delayMs?: number } = {},
) {
  const client = new Client(
    { name, version: "1" },
    { capabilities: { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } } },
  );
  client.setRequestHandler("sampling/createMessage", async (request) => {
    await Bun.sleep(options.delayMs ?? 0);
    return {
      role: "assistant",
      content: {
        type: "text",
        text: `${name} answered ${JSON.stringify(request.params.messages[0]?.content)}`,
      },
      model: "test-model",
    };
  });
  client.setRequestHandler("elicitation/create", async () =>
    options.elicit === "decline"
      ? { action: "decline" }
      : {
          action: "accept",
          content: { name: name, check: true, email: "a@b.c", integer: 1, number: 1 },
        },
  );
  client.setRequestHandler("roots/list", async () => ({ roots: [{ uri: `file:///${name}` }] }));
  await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
  clients.push(client);
  return client;
}

function invoke(client: Client, server: string, tool: string, args: Record<string, unknown> = {}) {
  return client.callTool({ name: "gateway_invoke", arguments: { server, tool, arguments: args } });
}

beforeAll(async () => {
  [streamable, sse] = await Promise.all([
    startEverythingHttp("streamableHttp"),
    startEverythingHttp("sse"),
  ]);
  gateway = await startGateway(`
roots: ["file:///from/config"]
backends:
  stdio:
    command: node
    args: ["${EVERYTHING}", "stdio"]
  http:
    url: ${streamable.url}
  sse:
    url: ${sse.url}
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    env: { FIXTURE_LOG: "${log}" }
  isolated:
    command: node
    args: ["${EVERYTHING}", "stdio"]
    isolation: session
`);
  await waitFor(() =>
    ["stdio", "http", "sse", "isolated"].every((name) =>
      gateway.gateway.index.get(name, "trigger-sampling-request"),
    ),
  );
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => {})));
  await gateway?.stop();
  streamable?.stop();
  sse?.stop();
});

describe("reverse requests through gateway_invoke", () => {
  for (const backend of ["stdio", "http", "sse"]) {
    test(`${backend}: sampling and elicitation (accepted and declined) reach the calling client`, async () => {
      const alice = await connect(`alice-${backend}`);
      const sampled = await invoke(alice, backend, "trigger-sampling-request", {
        prompt: "hi",
        maxTokens: 5,
      });
      expect(JSON.stringify(sampled.content)).toContain(`alice-${backend} answered`);
      const accepted = await invoke(alice, backend, "trigger-elicitation-request");
      expect(JSON.stringify(accepted.content)).toContain(`alice-${backend}`);
      const bob = await connect(`bob-${backend}`, { elicit: "decline" });
      const declined = await invoke(bob, backend, "trigger-elicitation-request");
      expect(JSON.stringify(declined.content).toLowerCase()).toContain("decline");
    });
  }

  test("a client that did not declare sampling gets a clear error, not another client's answer", async () => {
    const plain = new Client({ name: "plain", version: "1" }, { capabilities: {} });
    await plain.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
    clients.push(plain);
    const result = await invoke(plain, "stdio", "trigger-sampling-request", {
      prompt: "x",
      maxTokens: 5,
    });
    expect(result.isError).toBe(true);
    expect(firstText(result)).toContain("did not declare the sampling capability");
  });

  test("shared backend: with calls from two sessions in flight, sampling is refused, never crossed", async () => {
    const one = await connect("one", { delayMs: 300 });
    const two = await connect("two", { delayMs: 300 });
    // A long call from `one` keeps its session in flight while `two` asks for sampling.
    const long = invoke(one, "stdio", "trigger-long-running-operation", { duration: 1, steps: 2 });
    await Bun.sleep(100);
    const result = await invoke(two, "stdio", "trigger-sampling-request", {
      prompt: "p",
      maxTokens: 5,
    });
    await long;
    const text = JSON.stringify(result.content);
    expect(text).not.toContain("one answered");
    expect(text).toContain("isolation: session");
  });

  test("URL-mode elicitation needs the client's elicitation.url capability", async () => {
    const formOnly = await connect("form-only");
    const result = await invoke(formOnly, "stdio", "trigger-url-elicitation", {
      url: "https://example.com/consent",
    });
    expect(JSON.stringify(result.content)).toContain(
      "did not declare the elicitation.url capability",
    );
  });

  test("roots/list during a call is answered by the calling client", async () => {
    const who = await connect("rooted");
    const roots = await invoke(who, "fixture", "roots");
    expect(JSON.parse(firstText(roots))).toEqual({ roots: [{ uri: "file:///rooted" }] });
  });

  test("URL elicitation required (-32042) reaches the client as that error, with its data", async () => {
    const client = new Client(
      { name: "url-elicit", version: "1" },
      { capabilities: { elicitation: { form: {}, url: {} } } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
    clients.push(client);
    await waitFor(() => gateway.gateway.index.get("stdio", "trigger-url-elicitation"));
    const error = await invoke(client, "stdio", "trigger-url-elicitation", {
      url: "https://example.com/consent",
      errorPath: true,
    }).then(
      () => undefined,
      (thrown: { code?: number; data?: { elicitations?: { url: string }[] } }) => thrown,
    );
    expect(error?.code).toBe(-32042);
    expect(error?.data?.elicitations?.[0]?.url).toStartWith("https://");
  });

  test("shared backend: roots/list with no call in flight is answered from the config", async () => {
    // server-everything asks for roots after initialize and after each roots/list_changed, and
    // keeps the last answer. An ask that lands while some client's call is in flight is rightly
    // that caller's to answer (an earlier test's, on a loaded machine): so the test makes it ask
    // again with no call in flight, and reads what it kept once no call was in flight then.
    const who = await connect("late");
    const listed = async () =>
      JSON.stringify((await invoke(who, "http", "get-roots-list")).content);
    await waitFor(async () => {
      await who.sendRootsListChanged();
      await Bun.sleep(300);
      return (await listed()).includes("file:///from/config");
    }, 15_000);
  });

  test("a client's roots/list_changed reaches the connected backends", async () => {
    const who = await connect("roots-changer");
    await invoke(who, "fixture", "echo", { message: "connect" });
    await who.sendRootsListChanged();
    await waitFor(() => readFileSync(log, "utf8").includes("roots changed"));
  });

  test("isolation: session gives each session its own process, so concurrent requests never cross", async () => {
    const a = await connect("iso-a", { delayMs: 200 });
    const b = await connect("iso-b", { delayMs: 200 });
    const [ra, rb] = await Promise.all([
      invoke(a, "isolated", "trigger-sampling-request", { prompt: "pa", maxTokens: 5 }),
      invoke(b, "isolated", "trigger-sampling-request", { prompt: "pb", maxTokens: 5 }),
    ]);
    expect(JSON.stringify(ra.content)).toContain("iso-a answered");
    expect(JSON.stringify(rb.content)).toContain("iso-b answered");
    const envA = firstText(await invoke(a, "isolated", "get-env"));
    const envB = firstText(await invoke(b, "isolated", "get-env"));
    expect(envA).not.toBe("");
    expect(envB).not.toBe("");
  });
});
