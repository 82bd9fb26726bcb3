import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { runGateway } from "../../src/gateway/run.ts";
import { queryKey, SearchFeedback } from "../../src/search/feedback.ts";
import { openSqliteStore } from "../../src/state/sqlite.ts";
import { createMemoryStore } from "../../src/state/store.ts";
import { MEMORY, tempDir, waitFor, writeConfig } from "../helpers.ts";
import { connectWithKey, meta } from "../security/_helpers.ts";

setDefaultTimeout(60_000);

describe("SearchFeedback", () => {
  test("a successful call soon after a search is what that search meant", () => {
    let now = 0;
    const feedback = new SearchFeedback(createMemoryStore(), { now: () => now });
    feedback.searched("alice", "what's on my plate today?");
    now = 5_000;
    feedback.called("alice", "asana", "get_my_tasks", true);
    const pull = feedback.pull("alice", "what is on my plate")!;
    expect(pull("asana", "get_my_tasks")).toBeGreaterThan(0);
    expect(pull("asana", "get_tags")).toBe(0);
    // Another caller learned nothing; an unrelated request pulls nowhere.
    expect(feedback.pull("bob", "what's on my plate")).toBeUndefined();
    expect(feedback.pull("alice", "delete the staging droplet")).toBeUndefined();
  });

  test("failed calls, late calls and calls without a search teach nothing", () => {
    let now = 0;
    const feedback = new SearchFeedback(undefined, { now: () => now, windowMs: 1000 });
    feedback.searched("alice", "on my plate");
    feedback.called("alice", "asana", "update_task", false);
    feedback.searched("alice", "on my plate");
    now = 2000;
    feedback.called("alice", "asana", "update_task", true);
    feedback.called("alice", "asana", "update_task", true);
    expect(feedback.pull("alice", "on my plate")).toBeUndefined();
  });

  test("the most chosen tool pulls fully, others by their share; overlap pulls by its square", () => {
    const feedback = new SearchFeedback(undefined);
    const choose = (tool: string) => {
      feedback.searched("c", "restart the web app");
      feedback.called("c", "cloud", tool, true);
      feedback.called("c", "cloud", "apps-delete", true); // not right after a search
    };
    choose("apps-restart");
    choose("apps-restart");
    choose("apps-logs");
    const same = feedback.pull("c", "Restart the web app!")!;
    expect(same("cloud", "apps-restart")).toBe(1);
    expect(same("cloud", "apps-logs")).toBe(0.5);
    expect(same("cloud", "apps-delete")).toBe(0);
    // {restart, web, app} against {restart, web, app, now}: overlap 3/4.
    expect(feedback.pull("c", "restart the web app now")!("cloud", "apps-restart")).toBe(9 / 16);
    // {restart, database}: overlap 1/4, too little to count.
    expect(feedback.pull("c", "restart the database")).toBeUndefined();
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

  test("the state store keeps it across restarts", async () => {
    const path = join(tempDir("mcpgw-feedback-"), "state.db");
    const first = await openSqliteStore(path);
    const feedback = new SearchFeedback(first);
    feedback.searched("alice", "what is on my plate");
    feedback.called("alice", "asana", "get_my_tasks", true);
    first.close();
    const second = await openSqliteStore(path);
    const again = new SearchFeedback(second);
    expect(again.pull("alice", "what is on my plate")!("asana", "get_my_tasks")).toBeGreaterThan(0);
    second.close();
  });

  test("past its bound a caller's oldest query goes from disk too", async () => {
    const path = join(tempDir("mcpgw-feedback-"), "state.db");
    const store = await openSqliteStore(path);
    let now = 0;
    const feedback = new SearchFeedback(store, { maxPerCaller: 2, now: () => ++now });
    for (const query of ["list droplets", "resize droplet", "reboot droplet"]) {
      feedback.searched("alice", query);
      feedback.called("alice", "cloud", query.replace(" ", "_"), true);
    }
    feedback.searched("bob", "list droplets");
    feedback.called("bob", "cloud", "list_droplets", true);
    const stored = (rows: { caller: string; query: string }[]) =>
      rows.map((row) => `${row.caller}: ${row.query}`).sort();
    expect(stored(store.loadFeedback())).toEqual([
      "alice: droplet reboot",
      "alice: droplet resize",
      "bob: droplets list",
    ]);
    store.close();
  });
});

describe("through the gateway", () => {
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
`;
  const start = async (feedback = true) => {
    const config = loadConfig({ path: writeConfig(yaml(feedback)), env: process.env });
    const running = await runGateway({ config, port: 0, env: process.env });
    await waitFor(() => running.gateway.index.tools("memory").length > 0);
    return running;
  };
  const stops: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  const first = async (url: string, key: string, query: string) => {
    const session = await connectWithKey(url, key);
    const found = await meta(session.client, "gateway_search_tools", { query });
    await session.close();
    return (found.data.matches as { tool: string }[])[0]!.tool;
  };

  test("the tool a caller picked after a search comes first when it asks much the same again", async () => {
    const running = await start();
    stops.push(() => running.stop());
    const url = `http://127.0.0.1:${running.port}`;
    const query = "what do you remember about Bob";
    expect(await first(url, "alice-key-0123456789abcdef", query)).not.toBe("open_nodes");

    const alice = await connectWithKey(url, "alice-key-0123456789abcdef");
    await meta(alice.client, "gateway_search_tools", { query });
    const called = await meta(alice.client, "gateway_invoke", {
      server: "memory",
      tool: "open_nodes",
      arguments: { names: ["Bob"] },
    });
    expect(called.isError).toBeFalsy();
    await alice.close();

    const again = "What do you remember about Bob?";
    expect(await first(url, "alice-key-0123456789abcdef", again)).toBe("open_nodes");
    // Bob's ranking is his own.
    expect(await first(url, "bob-key-0123456789abcdefgh", again)).not.toBe("open_nodes");
    await running.stop();

    // Persisted in state_dir: a restarted gateway remembers.
    const restarted = await start();
    stops.push(() => restarted.stop());
    const url2 = `http://127.0.0.1:${restarted.port}`;
    expect(await first(url2, "alice-key-0123456789abcdef", again)).toBe("open_nodes");
    await restarted.stop();

    // search.feedback: false neither uses nor records it.
    const off = await start(false);
    stops.push(() => off.stop());
    const url3 = `http://127.0.0.1:${off.port}`;
    expect(await first(url3, "alice-key-0123456789abcdef", again)).not.toBe("open_nodes");
  });
});
