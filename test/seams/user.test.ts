import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { runCliAsync } from "../cli/_run.ts";
import { BUN, FIXTURE_SERVER, tempDir, writeConfig } from "../helpers.ts";

setDefaultTimeout(60_000);

// An outside tester's findings, end to end: a user switching from the original gateway with its
// example files, and a new user following README.md and docs/ on a fresh machine.

describe("a stdio backend whose cwd does not exist", () => {
  test("doctor names backends.NAME.cwd, not a missing command", async () => {
    // The original's examples/servers.yaml has `cwd: "/home/user"`, absent on most machines.
    const missing = join(tempDir("mcpgw-cwd-"), "no-such-folder");
    const file = writeConfig(
      `backends:\n  files:\n    command: ${BUN}\n    args: [${FIXTURE_SERVER}]\n    cwd: ${missing}\n`,
    );
    const home = tempDir("mcpgw-home-");
    const result = await runCliAsync(["doctor", "--config", file], {
      env: { HOME: home, PATH: process.env.PATH! },
    });
    const out = result.stdout + result.stderr;
    expect(out).toContain("backends.files.cwd");
    expect(out).toContain(missing);
    expect(out).not.toContain("not on PATH");
    expect(out).not.toContain("command not found");
  });
});
