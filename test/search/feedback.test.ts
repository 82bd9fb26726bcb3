import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { type FeedbackPool, queryKey, SearchFeedback } from "../../src/search/feedback.ts";
import { LEARNED_MAX } from "../../src/search/index.ts";
import { openSqliteStore } from "../../src/state/sqlite.ts";
import { createMemoryStore } from "../../src/state/store.ts";
import { EVERYTHING, FILESYSTEM, MEMORY, tempDir, waitFor, writeConfig } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

setDefaultTimeout(60_000);

const alice = { caller: "alice", client: "claude-code" };
const DAY = 24 * 60 * 60_000;

/** `times` searches for `query`, each followed by a successful call of `server:tool`. */
function choose(
  feedback: SearchFeedback,
  pool: FeedbackPool,
  query: string,
  server: string,
  tool: string,
  times = 1,
) {
  for (let i = 0; i < times; i++) {
    feedback.searched(pool, query);
    feedback.called(pool, server, tool, true);
  }
}

describe("SearchFeedback", () => {
  test("one search-then-call pair teaches nothing; a second one does", () => {
    let now = 0;
    const feedback = new SearchFeedback(createMemoryStore(), { now: () => now });
    feedback.searched(alice, "list my open tasks today");
    now = 5_000;
    feedback.called(alice, "asana", "list_tasks", true);
    expect(feedback.pull(alice, "list my open tasks")).toBeUndefined();
    choose(feedback, alice, "list my open tasks today", "asana", "list_tasks");
    const pull = feedback.pull(alice, "list my open tasks today")!;
    expect(pull("asana", "list_tasks")).toBe(1);
    expect(pull("asana", "get_tags")).toBe(0);
    // An unrelated request pulls nowhere.
    expect(feedback.pull(alice, "delete the staging droplet")).toBeUndefined();
  });

  test("each caller and each client program learns apart", () => {
    const feedback = new SearchFeedback(undefined);
    choose(feedback, alice, "list open tasks", "asana", "list_tasks", 2);
    expect(feedback.pull(alice, "list open tasks")).toBeDefined();
    expect(feedback.pull({ caller: "alice", client: "cursor" }, "list open tasks")).toBeUndefined();
    expect(
      feedback.pull({ caller: "bob", client: "claude-code" }, "list open tasks"),
    ).toBeUndefined();
  });

  test("a call of a tool that shares no word with the query teaches nothing", () => {
    const words: string[][] = [];
    // A fixed clock: choices fade with time, and a loaded run let a millisecond pass (0.9999...).
    const feedback = new SearchFeedback(undefined, {
      now: () => 0,
      related: (_server, tool, query) => {
        words.push([...query]);
        return tool === "get-sum";
      },
    });
    choose(feedback, alice, "add two numbers", "files", "write_file", 5);
    expect(feedback.pull(alice, "add two numbers")).toBeUndefined();
    expect(words[0]).toEqual(["add", "numbers", "two"]);
    choose(feedback, alice, "add two numbers", "everything", "get-sum", 2);
    expect(feedback.pull(alice, "add two numbers")!("everything", "get-sum")).toBe(1);
  });

  test("failed calls, late calls and calls without a search teach nothing", () => {
    let now = 0;
    const feedback = new SearchFeedback(undefined, { now: () => now, windowMs: 1000 });
    for (let i = 0; i < 3; i++) {
      feedback.searched(alice, "update the task");
      feedback.called(alice, "asana", "update_task", false);
    }
    for (let i = 0; i < 3; i++) {
      feedback.searched(alice, "update the task");
      now += 2000;
      feedback.called(alice, "asana", "update_task", true);
      feedback.called(alice, "asana", "update_task", true);
    }
    expect(feedback.pull(alice, "update the task")).toBeUndefined();
  });

  test("a tool lifts by its share while it is the majority choice; overlap pulls by its square", () => {
    const feedback = new SearchFeedback(undefined);
    const pick = (tool: string) => {
      choose(feedback, alice, "restart the web app", "cloud", tool);
      feedback.called(alice, "cloud", "apps-delete", true); // not right after a search
    };
    pick("apps-restart");
    pick("apps-restart");
    pick("apps-logs");
    const same = feedback.pull(alice, "Restart the web app!")!;
    expect(same("cloud", "apps-restart")).toBeCloseTo(2 / 3);
    expect(same("cloud", "apps-logs")).toBe(0);
    expect(same("cloud", "apps-delete")).toBe(0);
    // {restart, web, app} against {restart, web, app, now}: overlap 3/4.
    expect(feedback.pull(alice, "restart the web app now")!("cloud", "apps-restart")).toBeCloseTo(
      (9 / 16) * (2 / 3),
    );
    // {restart, database}: overlap 1/4, too little to count.
    expect(feedback.pull(alice, "restart the database")).toBeUndefined();
    // Split evenly between two tools: no majority, no lift.
    pick("apps-logs");
    pick("apps-logs");
    expect(feedback.pull(alice, "restart the web app")!("cloud", "apps-logs")).toBeCloseTo(0.6);
    expect(feedback.pull(alice, "restart the web app")!("cloud", "apps-restart")).toBe(0);
  });

  test("evidence decays: the lift halves every half-life without a new pair", () => {
    let now = 0;
    const feedback = new SearchFeedback(undefined, { now: () => now, halfLifeMs: 14 * DAY });
    choose(feedback, alice, "list droplets", "cloud", "list_droplets", 2);
    choose(feedback, alice, "reboot droplet", "cloud", "reboot_droplet", 4);
    expect(feedback.pull(alice, "list droplets")!("cloud", "list_droplets")).toBe(1);
    now = 14 * DAY;
    expect(feedback.pull(alice, "list droplets")!("cloud", "list_droplets")).toBe(0.5);
    expect(feedback.pull(alice, "reboot droplet")!("cloud", "reboot_droplet")).toBe(1);
    now = 70 * DAY;
    expect(feedback.pull(alice, "list droplets")!("cloud", "list_droplets")).toBe(1 / 32);
    expect(feedback.pull(alice, "reboot droplet")!("cloud", "reboot_droplet")).toBe(1 / 16);
    // A fresh pair brings it back.
    choose(feedback, alice, "list droplets", "cloud", "list_droplets");
    expect(feedback.pull(alice, "list droplets")!("cloud", "list_droplets")).toBe(1);
  });

  test("what is stored is the query's content words, sorted", () => {
    expect(queryKey('Is my crawl of https://a.example/x finished? "draft 2"')).toBe(
      "crawl finished url",
    );
    expect(queryKey("the and of")).toBe("");
    expect(queryKey("use ghp_16C7e42F292c6912E7710c838347Ae178B4a for repo 9f86d0818 k8s")).toBe(
      "k8s repo",
    );
  });

  test("the state store keeps it across restarts, per caller and client", async () => {
    const path = join(tempDir("mcpgw-feedback-"), "state.db");
    const first = await openSqliteStore(path);
    const feedback = new SearchFeedback(first);
    choose(feedback, alice, "list my open tasks", "asana", "list_tasks", 2);
    first.close();
    const second = await openSqliteStore(path);
    expect(second.loadFeedback()).toEqual([
      expect.objectContaining({ caller: "alice", client: "claude-code", count: 2 }),
    ]);
    const again = new SearchFeedback(second);
    expect(again.pull(alice, "list my open tasks")!("asana", "list_tasks")).toBeCloseTo(1);
    expect(again.pull({ caller: "alice", client: "cursor" }, "list my open tasks")).toBeUndefined();
    second.close();
  });

  test('rows recorded before pools had a client move to client "", which lifts nothing', async () => {
    const path = join(tempDir("mcpgw-feedback-"), "state.db");
    const { Database } = await import("bun:sqlite");
    const old = new Database(path, { create: true });
    old.exec(`CREATE TABLE search_feedback (caller TEXT NOT NULL, query TEXT NOT NULL,
      server TEXT NOT NULL, tool TEXT NOT NULL, count INTEGER NOT NULL, last_at INTEGER NOT NULL,
      PRIMARY KEY (caller, query, server, tool))`);
    old.exec(
      `INSERT INTO search_feedback VALUES ('local', 'add numbers two', 'files', 'write_file', 1, ${Date.now()})`,
    );
    old.close();
    const store = await openSqliteStore(path);
    expect(store.loadFeedback()).toEqual([
      expect.objectContaining({ caller: "local", client: "", query: "add numbers two", count: 1 }),
    ]);
    const feedback = new SearchFeedback(store);
    expect(
      feedback.pull({ caller: "local", client: "claude-code" }, "add two numbers"),
    ).toBeUndefined();
    store.close();
  });

  test("past its bound a pool's oldest query goes from disk too", async () => {
    const path = join(tempDir("mcpgw-feedback-"), "state.db");
    const store = await openSqliteStore(path);
    let now = 0;
    const feedback = new SearchFeedback(store, { maxPerCaller: 2, now: () => ++now });
    for (const query of ["list droplets", "resize droplet", "reboot droplet"]) {
      choose(feedback, alice, query, "cloud", query.replace(" ", "_"));
    }
    choose(
      feedback,
      { caller: "bob", client: "cursor" },
      "list droplets",
      "cloud",
      "list_droplets",
    );
    const stored = (rows: { caller: string; client: string; query: string }[]) =>
      rows.map((row) => `${row.caller}/${row.client}: ${row.query}`).sort();
    expect(stored(store.loadFeedback())).toEqual([
      "alice/claude-code: droplet reboot",
      "alice/claude-code: droplet resize",
      "bob/cursor: droplets list",
    ]);
    store.close();
  });
});

describe("through the gateway", () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  /** The first match's tool for `query`, searched through `client`. */
  const first = async (client: Client, query: string) => {
    const found = await meta(client, "gateway_search_tools", { query });
    return (found.data.matches as { tool: string }[])[0]!.tool;
  };
  /** The score `tool` gets for `query`, searched through `client`. */
  const score = async (client: Client, query: string, tool: string) => {
    const found = await meta(client, "gateway_search_tools", { query });
    return (found.data.matches as { tool: string; score: number }[]).find((m) => m.tool === tool)!
      .score;
  };
  /** A search for `query`, then a successful call of `tool` with `args`, through `client`. */
  const searchThenCall = async (
    client: Client,
    query: string,
    server: string,
    tool: string,
    args: Record<string, unknown>,
  ) => {
    await meta(client, "gateway_search_tools", { query });
    const called = await meta(client, "gateway_invoke", { server, tool, arguments: args });
    expect(called.isError).toBeFalsy();
  };

  describe("with keys: per caller, kept across restarts", () => {
    const stateDir = tempDir("mcpgw-feedback-state-");
    const yaml = (feedback: boolean) => `
capabilities: { enabled: false }
state_dir: ${stateDir}
search: { feedback: ${feedback} }
auth:
  enabled: true
  api_keys:
    - { name: alice, key: alice-key-0123456789abcdef }
    - { name: bob, key: bob-key-0123456789abcdefgh }
backends:
  memory:
    command: node
    args: ["${MEMORY}"]
    env: { MEMORY_FILE_PATH: "${join(stateDir, "memory.jsonl")}" }
`;
    const start = async (feedback = true) => {
      const config = loadConfig({ path: writeConfig(yaml(feedback)), env: process.env });
      const running = await runGateway({ config, port: 0, env: process.env });
      stops.push(() => running.stop());
      await waitFor(() => running.gateway.index.tools("memory").length > 0);
      return running;
    };
    const ALICE = "alice-key-0123456789abcdef";
    const BOB = "bob-key-0123456789abcdefgh";
    const firstFor = async (url: string, key: string, query: string) => {
      const session = await connectWithKey(url, key);
      try {
        return await first(session.client, query);
      } finally {
        await session.close();
      }
    };

    test("a tool chosen twice after much the same search climbs for that caller only", async () => {
      const running = await start();
      const url = `http://127.0.0.1:${running.port}`;
      // open_nodes and search_nodes both match, open_nodes a little better.
      const query = "get the Bob nodes";
      expect(await firstFor(url, ALICE, query)).toBe("open_nodes");

      const alice = await connectWithKey(url, ALICE);
      await searchThenCall(alice.client, query, "memory", "search_nodes", { query: "Bob" });
      // One choice steers nothing.
      expect(await first(alice.client, query)).toBe("open_nodes");
      await searchThenCall(alice.client, query, "memory", "search_nodes", { query: "Bob" });
      await alice.close();

      const again = "Get the Bob nodes!";
      expect(await firstFor(url, ALICE, again)).toBe("search_nodes");
      // Bob's ranking is his own.
      expect(await firstFor(url, BOB, again)).toBe("open_nodes");
      await running.stop();

      // Persisted in state_dir: a restarted gateway remembers.
      const restarted = await start();
      const url2 = `http://127.0.0.1:${restarted.port}`;
      expect(await firstFor(url2, ALICE, again)).toBe("search_nodes");
      await restarted.stop();

      // search.feedback: false neither uses nor records it.
      const off = await start(false);
      expect(await firstFor(`http://127.0.0.1:${off.port}`, ALICE, again)).toBe("open_nodes");
    });
  });

  describe("auth off: one call cannot steer search, and each client learns apart", () => {
    const stateDir = tempDir("mcpgw-feedback-steer-");
    const root = tempDir("mcpgw-feedback-files-");
    const yaml = `
capabilities: { enabled: false }
state_dir: ${stateDir}
backends:
  everything: { command: node, args: ["${EVERYTHING}", "stdio"] }
  files: { command: node, args: ["${FILESYSTEM}", "${root}"] }
  memory:
    command: node
    args: ["${MEMORY}"]
    env: { MEMORY_FILE_PATH: "${join(stateDir, "memory.jsonl")}" }
`;
    const start = async () => {
      const config = loadConfig({ path: writeConfig(yaml), env: process.env });
      const running = await runGateway({ config, port: 0, env: process.env });
      stops.push(() => running.stop());
      await waitFor(
        () =>
          ["everything", "files", "memory"].every(
            (server) => running.gateway.index.tools(server).length > 0,
          ),
        30_000,
      );
      return running;
    };
    /** A client program, by the name it gives in `initialize`. */
    const connectAs = async (url: string, name: string) => {
      const client = new Client({ name, version: "1.0.0" }, { capabilities: {} });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
      stops.push(() => client.close());
      return client;
    };
    const SUM = "add two numbers";
    const NODES = "get the Bob nodes";
    const writeFile = { path: join(root, "sum.txt"), content: "3" };

    test("3 searches and a write_file call leave get-sum first, also after a restart", async () => {
      const running = await start();
      const url = `http://127.0.0.1:${running.port}`;
      const alpha = await connectAs(url, "alpha");
      expect(await first(alpha, SUM)).toBe("get-sum");

      // The attack from the report: three searches, then one call of an unrelated tool.
      for (let i = 0; i < 3; i++) await meta(alpha, "gateway_search_tools", { query: SUM });
      await meta(alpha, "gateway_invoke", {
        server: "files",
        tool: "write_file",
        arguments: writeFile,
      });
      expect(await first(alpha, SUM)).toBe("get-sum");
      // Repeated: write_file shares no word with the query, so nothing is learned at all.
      for (let i = 0; i < 3; i++)
        await searchThenCall(alpha, SUM, "files", "write_file", writeFile);
      expect(await first(alpha, SUM)).toBe("get-sum");
      expect(running.gateway.feedback!.rows().filter((row) => row.tool === "write_file")).toEqual(
        [],
      );

      // A tool that does share a word ("add"), chosen three times: learned, and still capped
      // below the strong match.
      await meta(alpha, "gateway_invoke", {
        server: "memory",
        tool: "create_entities",
        arguments: { entities: [{ name: "Bob", entityType: "person", observations: [] }] },
      });
      const observe = { observations: [{ entityName: "Bob", contents: ["likes sums"] }] };
      for (let i = 0; i < 3; i++)
        await searchThenCall(alpha, SUM, "memory", "add_observations", observe);
      expect(running.gateway.feedback!.rows()).toContainEqual(
        expect.objectContaining({ client: "alpha", tool: "add_observations", count: 3 }),
      );
      expect(await first(alpha, SUM)).toBe("get-sum");

      // What alpha learned is alpha's: beta, on the same (keyless) caller, does not get it.
      await searchThenCall(alpha, NODES, "memory", "search_nodes", { query: "Bob" });
      await searchThenCall(alpha, NODES, "memory", "search_nodes", { query: "Bob" });
      expect(await first(alpha, NODES)).toBe("search_nodes");
      const beta = await connectAs(url, "beta");
      // (Both share the caller's usage lift, so the learned one is compared by its factor.)
      expect(
        (await score(alpha, NODES, "search_nodes")) / (await score(beta, NODES, "search_nodes")),
      ).toBeCloseTo(1 + LEARNED_MAX, 2);
      await alpha.close();
      await beta.close();
      await running.stop();

      const restarted = await start();
      const url2 = `http://127.0.0.1:${restarted.port}`;
      const alphaAgain = await connectAs(url2, "alpha");
      expect(await first(alphaAgain, SUM)).toBe("get-sum");
      expect(await first(alphaAgain, NODES)).toBe("search_nodes");
      const betaAgain = await connectAs(url2, "beta");
      expect(
        (await score(alphaAgain, NODES, "search_nodes")) /
          (await score(betaAgain, NODES, "search_nodes")),
      ).toBeCloseTo(1 + LEARNED_MAX, 2);
    });
  });
});
