/**
 * An outside tester's attacks where two features meet (round 9): a hostile backend, or a
 * low-privilege key, going around a check by a path the check was not written for. Round 8's
 * are in attacks-8.test.ts; this file does not repeat them.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { RunningGateway } from "../../src/gateway/run.ts";
import { hashKey } from "../../src/security/keys.ts";
import {
  BUN,
  cleanupsAfterAll,
  FIXTURE_SERVER,
  FIXTURES,
  firstText,
  startGateway,
  waitFor,
} from "../helpers.ts";
import { type Answer, rawSession } from "./_helpers.ts";

setDefaultTimeout(30_000);
const cleanups = cleanupsAfterAll();

const SEAMS9 = join(FIXTURES, "servers/seams9.ts");
const LEAKY = join(FIXTURES, "servers/leaky.ts");
const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef";
const CAROL = "carol-key-0123456789abcdef";
const TOKEN = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";

type Running = RunningGateway & { url: string };

/** Everything a model would read of an answer, as one string. */
const seen = (answer: unknown) => JSON.stringify(answer);

/** The task id an answer to a task-augmented call carries. */
const taskOf = (answer: Answer) => (answer.result?.task as { taskId?: string } | undefined)?.taskId;

/** A gateway from `yaml`, stopped after the file, once every backend in `ready` lists its tools. */
async function started(yaml: string, ...ready: string[]): Promise<Running> {
  const gateway = await startGateway(yaml);
  cleanups.push(() => gateway.stop());
  await waitFor(() => ready.every((name) => gateway.gateway.index.tools(name).length > 0));
  return gateway;
}

/** An SDK client with `key`, declaring sampling and elicitation; what its user was asked. */
async function userClient(url: string, key: string | undefined, path = "/mcp") {
  const asked: unknown[] = [];
  const client = new Client(
    { name: "attacks-9", version: "1" },
    { capabilities: { sampling: {}, elicitation: { form: {}, url: {} } } },
  );
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push(request.params);
    return {
      action: "accept",
      content: { password: "hunter2", answer: "hunter2", colour: "teal" },
    };
  });
  client.setRequestHandler("sampling/createMessage", async (request) => {
    asked.push(request.params);
    return {
      role: "assistant",
      content: { type: "text", text: "It passed everywhere." },
      model: "test-model",
    };
  });
  const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}${path}`), { requestInit: { headers } }),
  );
  cleanups.push(() => client.close());
  return { client, asked };
}

/** `server`'s `tool` through gateway_invoke; the text the model reads. */
async function invoke(client: Client, server: string, tool: string): Promise<string> {
  const result = await client.callTool({
    name: "gateway_invoke",
    arguments: { server, tool, arguments: {} },
  });
  return firstText(result);
}

describe("a backend outside a key's scopes, named to gateway_invoke", () => {
  let url = "";
  beforeAll(async () => {
    const gateway = await started(
      `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", backends: [seams9] }
backends:
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
  payroll: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }
`,
      "seams9",
    );
    url = gateway.url;
  });

  test("is refused exactly as a server that does not exist (its name is not confirmed)", async () => {
    const { client } = await userClient(url, ALICE);
    const hidden = await invoke(client, "payroll", "echo");
    const missing = await invoke(client, "nosuch", "echo");
    expect(hidden).not.toContain("POLICY_DENIED");
    expect(hidden.replaceAll("payroll", "NAME")).toBe(missing.replaceAll("nosuch", "NAME"));
  });

  test("nor by a gateway://NAME/ resource URI (read, subscribe)", async () => {
    const { client } = await userClient(url, ALICE);
    const told = (request: Promise<unknown>) =>
      request.then(
        (answer) => seen(answer),
        (error: Error) => error.message,
      );
    for (const method of ["readResource", "subscribeResource"] as const) {
      const hidden = await told(client[method]({ uri: "gateway://payroll/x" }));
      const missing = await told(client[method]({ uri: "gateway://nosuch/x" }));
      expect(hidden).toContain("not found");
      expect(hidden.replaceAll("payroll", "NAME")).toBe(missing.replaceAll("nosuch", "NAME"));
    }
  });
});

describe("an operator tool that is off, called by a key that is not an admin", () => {
  test("is refused naming the setting, without the config file's path", async () => {
    const gateway = await started(
      `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", backends: [seams9] }
backends:
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
`,
      "seams9",
    );
    const file = gateway.gateway.config.file!;
    const { client } = await userClient(gateway.url, ALICE);
    const told = await client.callTool({ name: "gateway_get_stats", arguments: {} }).then(
      (answer) => seen(answer),
      (error: Error) => error.message,
    );
    expect(told).toContain("meta_mcp.operator_tools");
    expect(told).not.toContain(file);
  });
});

describe("logging/setLevel on /mcp/{backend} of a backend shared by several keys", () => {
  let url = "";
  beforeAll(async () => {
    const gateway = await started(
      `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", backends: [seams9] }
    - { name: bob, key: "${hashKey(BOB)}", backends: [seams9] }
backends:
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
`,
      "seams9",
    );
    url = gateway.url;
  });

  test("does not silence the log lines another key's session asked for", async () => {
    const { client } = await userClient(url, ALICE);
    const ticks: string[] = [];
    client.setNotificationHandler("notifications/message", (notification) => {
      ticks.push(String(notification.params.data));
    });
    await client.setLoggingLevel("info");
    await waitFor(() => ticks.length > 0);
    const bob = await rawSession(url, "/mcp/seams9", { authorization: `Bearer ${BOB}` });
    const answer = await bob("logging/setLevel", { level: "emergency" });
    expect(answer.error).toBeUndefined();
    const before = ticks.length;
    await waitFor(() => ticks.length >= before + 3, 15_000);
  });

  test("gets a session there only the lines at or above the level it asked for", async () => {
    const { client } = await userClient(url, BOB, "/mcp/seams9");
    const heard: string[] = [];
    client.setNotificationHandler("notifications/message", (notification) => {
      heard.push(String(notification.params.data));
    });
    await client.setLoggingLevel("warning");
    const { client: alice } = await userClient(url, ALICE);
    const ticks: string[] = [];
    alice.setNotificationHandler("notifications/message", (notification) => {
      ticks.push(String(notification.params.data));
    });
    await alice.setLoggingLevel("info");
    await waitFor(() => ticks.length >= 3, 15_000);
    expect(heard).toEqual([]);
  });
});

describe("a backend's elicitation that asks the user for a credential in a form", () => {
  let url = "";
  beforeAll(async () => {
    url = (
      await started(
        `
capabilities: { enabled: false }
backends:
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
`,
        "seams9",
      )
    ).url;
  });

  for (const path of ["/mcp", "/mcp/seams9"]) {
    test(`on ${path}: never reaches the user; the backend is refused saying why`, async () => {
      const { client, asked } = await userClient(url, undefined, path);
      for (const tool of ["phish", "phish_message"]) {
        const text =
          path === "/mcp"
            ? await invoke(client, "seams9", tool)
            : firstText(await client.callTool({ name: tool, arguments: {} }));
        expect(text).toStartWith("refused:");
        expect(text).toContain("URL mode");
        expect(text).not.toContain("hunter2");
      }
      expect(asked).toEqual([]);
    });
  }

  test("an ordinary question and an ordinary sampling request still reach the user", async () => {
    const { client, asked } = await userClient(url, undefined);
    expect(await invoke(client, "seams9", "ask")).toContain('"colour":"teal"');
    expect(await invoke(client, "seams9", "sample")).toContain("It passed everywhere.");
    expect(asked).toHaveLength(2);
  });
});

describe("a backend's sampling request that asks for the client's context", () => {
  let url = "";
  beforeAll(async () => {
    url = (
      await started(
        `
capabilities: { enabled: false }
backends:
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
`,
        "seams9",
      )
    ).url;
  });

  for (const path of ["/mcp", "/mcp/seams9"]) {
    test(`on ${path}: reaches the client asking for none (the gateway is every backend's "server")`, async () => {
      const { client, asked } = await userClient(url, undefined, path);
      const text =
        path === "/mcp"
          ? await invoke(client, "seams9", "sample_context")
          : firstText(await client.callTool({ name: "sample_context", arguments: {} }));
      expect(text).toContain("It passed everywhere.");
      expect(asked).toHaveLength(1);
      expect((asked[0] as { includeContext?: string }).includeContext ?? "none").toBe("none");
    });
  }
});

describe("a backend answering with the task id of the same caller's task on another backend", () => {
  for (const path of ["/mcp", "/mcp/{backend}"]) {
    test(`on ${path}: cannot take the first task over; each task answers from its own backend`, async () => {
      // leaky's first task is `task-1`; seams9 answers every task-augmented call with `task-1`.
      const { url } = await started(
        `
capabilities: { enabled: false }
backends:
  leaky: { command: ${BUN}, args: ["${LEAKY}"] }
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
`,
        "leaky",
        "seams9",
      );
      const on = (backend: string) => (path === "/mcp" ? "/mcp" : `/mcp/${backend}`);
      const call = (server: string, tool: string) =>
        path === "/mcp"
          ? { name: "gateway_invoke", arguments: { server, tool }, task: { ttl: 60_000 } }
          : { name: tool, arguments: {}, task: { ttl: 60_000 } };
      const first = await rawSession(url, on("leaky"));
      const second = await rawSession(url, on("seams9"));
      const firstId = taskOf(await first("tools/call", call("leaky", "report")));
      expect(firstId).toBe("task-1");
      const secondId = taskOf(await second("tools/call", call("seams9", "job")));
      // seams9 said `task-1` too: its client knows its task by another id.
      expect(secondId).toBeString();
      expect(secondId).not.toBe(firstId);
      const firstResult = seen(await first("tasks/result", { taskId: firstId }));
      expect(firstResult).not.toContain("made up by seams9");
      expect(firstResult).toContain("[REDACTED:");
      const secondResult = await second("tasks/result", { taskId: secondId });
      expect(seen(secondResult)).toContain("made up by seams9");
      // Named by the id its client knows, wherever the answer names the task.
      expect(seen(secondResult)).toContain(`"taskId":"${secondId}"`);
      expect((await second("tasks/get", { taskId: secondId })).result?.taskId).toBe(secondId);
      const listed = (await second("tasks/list", {})).result?.tasks as { taskId: string }[];
      expect(listed.map((task) => task.taskId)).toContain(String(secondId));
    });
  }
});

describe("a key that cancels its own calls to a shared backend", () => {
  test("does not open the backend's circuit breaker for the other keys", async () => {
    const gateway = await started(
      `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", backends: [fixture] }
    - { name: bob, key: "${hashKey(BOB)}", backends: [fixture] }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    timeout: 20s
    circuit_breaker: { failure_threshold: 3 }
`,
      "fixture",
    );
    const { client: bob } = await userClient(gateway.url, BOB);
    const wait = { name: "gateway_invoke", arguments: { server: "fixture", tool: "wait" } };
    for (let i = 0; i < 5; i++) {
      const cancel = new AbortController();
      const call = bob.callTool(wait, { signal: cancel.signal }).catch(() => {});
      await Bun.sleep(100);
      cancel.abort();
      await call;
    }
    const { client: alice } = await userClient(gateway.url, ALICE);
    expect(await invoke(alice, "fixture", "pid")).toMatch(/^\d+$/);
    expect(gateway.gateway.pool.status("fixture")?.state).not.toBe("open");
  });
});

describe("a key whose calls to a shared backend time out (arguments that make it work long)", () => {
  test("opens the breaker for itself, not for the other keys; two keys' timeouts open it for all", async () => {
    const gateway = await started(
      `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", backends: [fixture] }
    - { name: bob, key: "${hashKey(BOB)}", backends: [fixture] }
    - { name: carol, key: "${hashKey(CAROL)}", backends: [fixture] }
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
    timeout: 300ms
    circuit_breaker: { failure_threshold: 3 }
`,
      "fixture",
    );
    const { client: bob } = await userClient(gateway.url, BOB);
    const { client: alice } = await userClient(gateway.url, ALICE);
    const slow = (client: Client) =>
      client.callTool({
        name: "gateway_invoke",
        arguments: { server: "fixture", tool: "slow", arguments: { steps: 1, delayMs: 2_000 } },
      });
    for (let i = 0; i < 3; i++) expect(firstText(await slow(bob))).toContain("BACKEND_TIMEOUT");
    // Bob's own breaker is open; the backend's is not: alice's calls go through.
    expect(firstText(await slow(bob))).toContain("circuit open for this caller");
    expect(await invoke(alice, "fixture", "pid")).toMatch(/^\d+$/);
    expect(gateway.gateway.pool.status("fixture")?.state).not.toBe("open");
    // Alice's and carol's calls time out too: the backend is slow for everyone, and its breaker
    // opens (for bob as well).
    const { client: carol } = await userClient(gateway.url, CAROL);
    for (let i = 0; i < 2; i++) {
      await slow(alice);
      await slow(carol);
    }
    expect(gateway.gateway.pool.status("fixture")?.state).toBe("open");
  });
});

describe("a credential in the text of a backend's prompt (prompts/get)", () => {
  test("is redacted on /mcp and /mcp/{backend}, as in a tool result or a resource", async () => {
    const { url } = await started(
      `
capabilities: { enabled: false }
backends:
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
`,
      "seams9",
    );
    for (const path of ["/mcp", "/mcp/seams9"]) {
      const { client } = await userClient(url, undefined, path);
      const prompt = seen(await client.getPrompt({ name: "deploy" }));
      expect(prompt).toContain("to production");
      expect(prompt).not.toContain(TOKEN);
      expect(prompt).toContain("[REDACTED:");
    }
  });
});

describe("the response cache and a read-only tool that asks the calling client (roots)", () => {
  test("does not serve one key's answer, made of its client's roots, to another key", async () => {
    const { url } = await started(
      `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", backends: [seams9] }
    - { name: bob, key: "${hashKey(BOB)}", backends: [seams9] }
backends:
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
`,
      "seams9",
    );
    const withRoots = async (key: string, root: string) => {
      const client = new Client(
        { name: root, version: "1" },
        { capabilities: { roots: { listChanged: true } } },
      );
      client.setRequestHandler("roots/list", async () => ({
        roots: [{ uri: `file:///home/${root}`, name: root }],
      }));
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${key}` } },
        }),
      );
      cleanups.push(() => client.close());
      return client;
    };
    const alice = await withRoots(ALICE, "alice");
    const bob = await withRoots(BOB, "bob");
    expect(await invoke(alice, "seams9", "roots_seen")).toContain("file:///home/alice");
    const his = await invoke(bob, "seams9", "roots_seen");
    expect(his).not.toContain("alice");
    expect(his).toContain("file:///home/bob");
  });
});

describe("resources/unsubscribe from one key on a backend shared by several", () => {
  for (const path of ["/mcp", "/mcp/seams9"]) {
    test(`on ${path}: does not end another key's subscription to the same resource`, async () => {
      const { url } = await started(
        `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", backends: [seams9] }
    - { name: bob, key: "${hashKey(BOB)}", backends: [seams9] }
backends:
  seams9: { command: ${BUN}, args: ["${SEAMS9}"] }
`,
        "seams9",
      );
      const { client: alice } = await userClient(url, ALICE, path);
      const updates: string[] = [];
      alice.setNotificationHandler("notifications/resources/updated", (notification) => {
        updates.push(notification.params.uri);
      });
      await alice.subscribeResource({ uri: "seams9://feed" });
      await waitFor(() => updates.length > 0);
      const { client: bob } = await userClient(url, BOB, path);
      // Bob unsubscribes without having subscribed, then subscribes and unsubscribes.
      await bob.unsubscribeResource({ uri: "seams9://feed" });
      await bob.subscribeResource({ uri: "seams9://feed" });
      await bob.unsubscribeResource({ uri: "seams9://feed" });
      const before = updates.length;
      await waitFor(() => updates.length >= before + 3, 15_000);
    });
  }
});

describe("a key that fills a shared backend's call slots with calls that wait", () => {
  test("holds all but one of them alone: another key's call still gets one at once", async () => {
    const gateway = await started(
      `
capabilities: { enabled: false }
failsafe: { concurrency: { queue_timeout: 1s } }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: "${hashKey(ALICE)}", backends: [fixture] }
    - { name: bob, key: "${hashKey(BOB)}", backends: [fixture] }
backends:
  fixture: { command: ${BUN}, args: ["${FIXTURE_SERVER}"], max_concurrency: 4, timeout: 10s }
`,
      "fixture",
    );
    const { client: bob } = await userClient(gateway.url, BOB);
    const stop = new AbortController();
    let answered = 0;
    const waits = Array.from({ length: 6 }, () =>
      bob
        .callTool(
          { name: "gateway_invoke", arguments: { server: "fixture", tool: "wait" } },
          { signal: stop.signal },
        )
        .then(firstText, (error: Error) => error.message)
        .finally(() => answered++),
    );
    try {
      // Bob's six are in: three run, three were refused (a fixed 300 ms let Alice in among
      // them on a loaded machine, and Bob's share was then half).
      await waitFor(() => answered >= 3 && gateway.gateway.pool.inFlight() >= 3);
      const { client: alice } = await userClient(gateway.url, ALICE);
      expect(await invoke(alice, "fixture", "pid")).toMatch(/^\d+$/);
    } finally {
      stop.abort();
    }
    // Bob's calls past his share (alone: all slots but one) were refused at once, naming the limit.
    const told = await Promise.all(waits);
    expect(told.filter((text) => text.includes("BACKEND_BUSY"))).toHaveLength(3);
    expect(told.find((text) => text.includes("BACKEND_BUSY"))).toContain("max_concurrency");
  });
});
