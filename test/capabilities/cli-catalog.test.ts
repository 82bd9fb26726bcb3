import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILTIN_FILES } from "../../src/capabilities/_catalog.gen.ts";
import { runCliAsync } from "../cli/_run.ts";
import { tempDir } from "../helpers.ts";

// Each test runs the CLI a few times; on a loaded machine one run takes seconds.
setDefaultTimeout(60_000);

let dir: string;
let config: string;

/** Runs the CLI from source in `dir`, with no GitHub or Slack key set. */
function cli(...args: string[]) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  delete env.GITHUB_TOKEN;
  delete env.SLACK_BOT_TOKEN;
  delete env.MCP_GATEWAY_CONFIG;
  return runCliAsync(args, { env, cwd: dir });
}

interface Row {
  name: string;
  requires_env: string[];
  optional_env: string[];
  state: string;
  path: string | null;
}

beforeAll(() => {
  dir = tempDir("mcpgw-catalog-cli-");
  mkdirSync(join(dir, "caps"));
  config = join(dir, "gateway.yaml");
  writeFileSync(config, "capabilities:\n  directories: [caps]\n");
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("mcp-gateway cap search", () => {
  test("ranks the embedded catalog for a request in plain words, and says which key each needs", async () => {
    const run = await cli("cap", "search", "how many stars does bun have", "--json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Row[];
    expect(rows[0]).toMatchObject({
      name: "github_repo",
      requires_env: [],
      optional_env: ["GITHUB_TOKEN"],
      state: "builtin",
      path: null,
    });
    const slack = JSON.parse(
      (await cli("cap", "search", "post a message in our team's chat channel", "--json")).stdout,
    ) as Row[];
    expect(slack[0]).toMatchObject({
      name: "slack_post_message",
      requires_env: ["SLACK_BOT_TOKEN"],
    });
  });

  test("the table shows name, title, key and state", async () => {
    const run = await cli("cap", "search", "post a message in our team's chat channel", "-n", "2");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(
      /^slack_post_message +Post a Slack message +needs SLACK_BOT_TOKEN +built-in$/,
    );
  });

  test("a bad --limit is refused, naming the flag", async () => {
    const run = await cli("cap", "search", "weather", "--limit", "0");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--limit must be a whole number from 1 to 50");
  });

  test("with capabilities.builtin: false, a built-in without a copy of yours is off", async () => {
    const off = join(dir, "off.yaml");
    writeFileSync(off, "capabilities:\n  builtin: false\n");
    const rows = JSON.parse(
      (await cli("cap", "search", "weather forecast", "--json", "--config", off)).stdout,
    ) as Row[];
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((row) => row.state))).toEqual(new Set(["off"]));
  });
});

describe("mcp-gateway cap install", () => {
  test("writes the embedded file into the first configured folder; search then says installed", async () => {
    const run = await cli("cap", "install", "github_repo", "--config", config);
    expect(run.code).toBe(0);
    const target = join(dir, "caps", "github_repo.yaml");
    expect(run.stdout.trim()).toBe(target);
    expect(readFileSync(target, "utf8")).toBe(BUILTIN_FILES["github_repo.yaml"]!);
    expect(run.stderr).toContain("optional: set GITHUB_TOKEN");
    expect(run.stderr).not.toContain("not under capabilities.directories");

    const rows = JSON.parse(
      (await cli("cap", "search", "how many stars does bun have", "--json", "--config", config))
        .stdout,
    ) as Row[];
    expect(rows[0]).toMatchObject({ name: "github_repo", state: "installed", path: target });
    const table = await cli("cap", "search", "how many stars does bun have", "--config", config);
    expect(table.stdout.split("\n")[0]).toEndWith("  installed: caps/github_repo.yaml");
    // The gateway serves the copy, not the built-in.
    const listed = JSON.parse((await cli("cap", "list", "--json", "--config", config)).stdout) as {
      name: string;
      source: string;
    }[];
    expect(listed.find((c) => c.name === "github_repo")?.source).toBe(target);
  });

  test("refuses to overwrite without --force, and overwrites with it", async () => {
    const target = join(dir, "caps", "github_repo.yaml");
    writeFileSync(target, `${BUILTIN_FILES["github_repo.yaml"]}# my edit\n`);
    const refused = await cli("cap", "install", "github_repo", "--config", config);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${target} exists; pass --force to overwrite it`);
    expect(readFileSync(target, "utf8")).toEndWith("# my edit\n");

    const forced = await cli("cap", "install", "github_repo", "--force", "--config", config);
    expect(forced.code).toBe(0);
    expect(readFileSync(target, "utf8")).toBe(BUILTIN_FILES["github_repo.yaml"]!);
  });

  test("refuses when another file of the folder defines that name", async () => {
    const other = join(dir, "caps", "mine.yaml");
    writeFileSync(other, BUILTIN_FILES["npm_package.yaml"]!);
    const run = await cli("cap", "install", "npm_package", "--config", config);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${other} already defines npm_package`);
    expect(existsSync(join(dir, "caps", "npm_package.yaml"))).toBe(false);
    rmSync(other);
  });

  test("--dir elsewhere: written, with a warning that the gateway does not read that folder", async () => {
    const run = await cli(
      "cap",
      "install",
      "slack_post_message",
      "--dir",
      "elsewhere",
      "--json",
      "--config",
      config,
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toEqual({
      name: "slack_post_message",
      path: join(dir, "elsewhere", "slack_post_message.yaml"),
      requires_env: ["SLACK_BOT_TOKEN"],
      optional_env: [],
      missing_env: ["SLACK_BOT_TOKEN"],
      served: false,
    });
    expect(run.stderr).toContain("is not under capabilities.directories");
    expect(run.stderr).toContain("next: set SLACK_BOT_TOKEN");
  });

  test("an unknown name, or no folder to write to, is refused with what to do", async () => {
    const unknown = await cli("cap", "install", "github_rep", "--config", config);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      "no built-in capability named github_rep; did you mean github_repo",
    );
    const bare = join(dir, "bare.yaml");
    writeFileSync(bare, "server: { port: 39400 }\n");
    const nowhere = await cli("cap", "install", "github_repo", "--config", bare);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain(
      `pass --dir DIR, or list one under capabilities.directories in ${bare}`,
    );
  });
});
