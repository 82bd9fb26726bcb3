import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { openSqliteStore } from "../../src/state/sqlite.ts";
import { MEMORY, tempDir } from "../helpers.ts";
import { runCli } from "./_run.ts";

setDefaultTimeout(60_000);

describe("tools eval", () => {
  test("replays recorded searches against today's tools and names the misses", async () => {
    const home = tempDir("mcpgw-eval-");
    const state = join(home, "state");
    const config = join(home, "gateway.yaml");
    await Bun.write(
      config,
      `capabilities: { enabled: false }\nstate_dir: ${state}\nbackends:\n  memory:\n    command: node\n    args: ["${MEMORY}"]\n`,
    );
    const env = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin" };
    const empty = runCli(["tools", "eval", "--config", config], { env });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("no recorded searches");

    const store = await openSqliteStore(join(state, "state.db"));
    const choose = (query: string, tool: string) =>
      store.addFeedback({
        caller: "local",
        client: "cli",
        query,
        server: "memory",
        tool,
        lastAt: 1,
      });
    choose("bob remember", "open_nodes");
    choose("bob remember", "open_nodes");
    choose("create entities", "create_entities");
    choose("create entities", "gone_tool");
    store.close();

    const run = runCli(["tools", "eval", "--config", config, "--json"], { env });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      choices: number;
      times: number;
      hit1: number;
      misses: { query: string; tool: string; times: number; rank?: number; first?: string }[];
    };
    expect(report.choices).toBe(3);
    expect(report.times).toBe(4);
    const miss = (tool: string) => report.misses.find((m) => m.tool === tool);
    expect(miss("memory:create_entities")).toBeUndefined();
    expect(miss("memory:gone_tool")).toMatchObject({ times: 1, first: "memory:create_entities" });
    expect(miss("memory:gone_tool")?.rank).toBeUndefined();
    const bob = miss("memory:open_nodes");
    expect(bob?.times).toBe(2);
    expect(bob?.rank).toBeGreaterThan(1);
    expect(report.hit1).toBe(1 / 4);

    const text = runCli(["tools", "eval", "--config", config, "--caller", "local"], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("3 searches (4 times) replayed: hit@1 25.0%");
    expect(text.stdout).toContain('"bob remember" (2x, local): memory:open_nodes ranks');

    // A team's config whose keys come from serve's environment, replayed from a plain shell.
    await Bun.write(
      config,
      `capabilities: { enabled: false }\nstate_dir: ${state}\nauth:\n  enabled: true\n  api_keys:\n    - { name: bot, key: "env:EVAL_TEST_BOT_KEY" }\nbackends:\n  memory:\n    command: node\n    args: ["${MEMORY}"]\n`,
    );
    const keyless = runCli(["tools", "eval", "--config", config, "--json"], { env });
    expect(keyless.stderr).not.toContain("EVAL_TEST_BOT_KEY");
    expect(keyless.code).toBe(0);
    expect((JSON.parse(keyless.stdout) as { choices: number }).choices).toBe(3);
  });
});
