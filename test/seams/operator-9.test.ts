/**
 * An outside tester at the seams (round 9): the operator of a small team's gateway. Several
 * keys, a config edited live while sessions run, REST capabilities, backends of each transport,
 * the CLI, doctor, the dashboard's API and the audit log, each finding where two of them meet.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { runCli } from "../cli/_run.ts";
import { BUN, FIXTURE_SERVER, tempDir } from "../helpers.ts";

setDefaultTimeout(60_000);

describe("config export × state_dir", () => {
  test("the export of a config with a state_dir loads again", () => {
    const home = tempDir("mcpgw-op9-");
    const file = join(home, "gateway.yaml");
    writeFileSync(
      file,
      `state_dir: ./state\nbackends:\n  fx: { command: ${BUN}, args: ["${FIXTURE_SERVER}"] }\n`,
    );
    const env = { HOME: home, PATH: process.env.PATH ?? "" };
    const exported = runCli(["config", "export", "--config", file], { env });
    expect(exported.code).toBe(0);
    const again = join(home, "exported.yaml");
    writeFileSync(again, exported.stdout);
    // It failed with "unknown key backends.fx.stateDir": the resolved backend's own field.
    expect(() => loadConfig({ path: again, env })).not.toThrow();
  });
});
