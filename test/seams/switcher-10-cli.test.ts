import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCapabilityFile } from "../../src/capabilities/load.ts";
import { runCli } from "../cli/_run.ts";
import { tempDir } from "../helpers.ts";

// Spawns the CLI: slow on a loaded machine.
setDefaultTimeout(30_000);

/** A capability file in the original gateway's format (no pin yet). */
const SUNRISE = `fulcrum: "1.0"
name: sunrise_lookup
description: Sunrise and sunset times for a coordinate.
schema:
  input: {type: object, properties: {lat: {type: number}}}
providers:
  primary:
    service: rest
    config: {base_url: "https://api.example-sun.org", path: /v1/times}
`;

describe("the original's cap pin FILE (README: writes a sha256: line the loader checks)", () => {
  test("pins a file, and re-pins it after an edit, so that it loads again", () => {
    const home = tempDir();
    const env = { HOME: home, PATH: process.env.PATH! };
    const file = join(home, "sunrise_lookup.yaml");
    writeFileSync(file, SUNRISE);

    const pinned = runCli(["cap", "pin", file], { env });
    expect(pinned.stderr).toBe("");
    expect(pinned.code).toBe(0);
    const text = readFileSync(file, "utf8");
    // The original's form: the pin is the first line, over the rest of the file as it was.
    const line = text.split("\n")[0]!;
    expect(line).toMatch(/^sha256: [0-9a-f]{64}$/);
    expect(text.slice(line.length + 1)).toBe(SUNRISE);
    expect(pinned.stdout).toContain(line.slice("sha256: ".length));
    expect(loadCapabilityFile(file).ok).toBe(true);

    // The user edits the pinned file: it is refused until they re-pin it, as the refusal says.
    writeFileSync(file, text.replace("Sunrise and sunset", "Sunrise, sunset"));
    const refused = loadCapabilityFile(file);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? "" : refused.errors.join()).toContain("re-pin it");
    expect(runCli(["cap", "pin", file], { env }).code).toBe(0);
    const repinned = readFileSync(file, "utf8");
    expect(repinned.match(/^sha256:/gm)).toHaveLength(1);
    expect(repinned).not.toContain(line);
    expect(loadCapabilityFile(file).ok).toBe(true);
    expect(runCli(["cap", "validate", file], { env }).code).toBe(0);
  });

  test("a file that is not YAML is refused naming it, and left as it was", () => {
    const home = tempDir();
    const env = { HOME: home, PATH: process.env.PATH! };
    const file = join(home, "broken.yaml");
    writeFileSync(file, "name: [unclosed\n");
    const result = runCli(["cap", "pin", file], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(file);
    expect(readFileSync(file, "utf8")).toBe("name: [unclosed\n");
    const missing = runCli(["cap", "pin", join(home, "nope.yaml")], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope.yaml");
  });
});

describe("the original's cap list DIRECTORY", () => {
  test("lists the capabilities of that folder, not the configured ones (it was ignored)", () => {
    const home = tempDir();
    const env = { HOME: home, PATH: process.env.PATH! };
    const dir = join(home, "my-caps");
    mkdirSync(dir);
    writeFileSync(join(dir, "sunrise_lookup.yaml"), SUNRISE);
    const listed = runCli(["cap", "list", dir], { env });
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split("\n");
    expect(lines[0]).toStartWith("sunrise_lookup");
    expect(lines.at(-1)).toStartWith("1 capabilities");
    const json = JSON.parse(runCli(["cap", "list", dir, "--json"], { env }).stdout);
    expect(json.map((row: { name: string }) => row.name)).toEqual(["sunrise_lookup"]);
    const missing = runCli(["cap", "list", join(home, "nope")], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(join(home, "nope"));
  });
});

describe("the original's setup export --rollback BACKUP (its README)", () => {
  test("puts a client file back from the backup the original wrote beside it; setup restore undoes it", () => {
    const home = tempDir();
    const env = { HOME: home, PATH: process.env.PATH!, XDG_STATE_HOME: join(home, "state") };
    const client = join(home, ".cursor", "mcp.json");
    mkdirSync(join(home, ".cursor"));
    const before = '{\n  "mcpServers": {\n    "tavily": { "command": "npx" }\n  }\n}\n';
    const after =
      '{\n  "mcpServers": {\n    "gateway": { "url": "http://localhost:39400/mcp" }\n  }\n}\n';
    const backup = `${client}.mcp-gateway.bak.1765100000`;
    writeFileSync(backup, before);
    writeFileSync(client, after);

    const dry = runCli(["setup", "export", "--rollback", backup, "--dry-run"], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('"tavily"');
    expect(readFileSync(client, "utf8")).toBe(after);

    const rolled = runCli(["setup", "export", "--rollback", backup], { env });
    expect(rolled.stderr).toContain(client);
    expect(rolled.code).toBe(0);
    expect(readFileSync(client, "utf8")).toBe(before);
    expect(runCli(["setup", "restore"], { env }).code).toBe(0);
    expect(readFileSync(client, "utf8")).toBe(after);

    const wrong = runCli(["setup", "export", "--rollback", client], { env });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(".mcp-gateway.bak.");
  });
});

describe("more of the original's flags and commands", () => {
  test("setup export -w is --watch", () => {
    const env = { HOME: tempDir(), PATH: process.env.PATH! };
    // -w with --dry-run: refused as --watch is, so -w was read as --watch.
    const result = runCli(["setup", "export", "--target", "all", "-w", "--dry-run"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--watch writes; drop --dry-run");
  });

  test("the ones without a counterpart say what to use here", () => {
    const env = { HOME: tempDir(), PATH: process.env.PATH! };
    const cases: [string[], string][] = [
      // init -o, setup wizard -o and setup export --name are taken now
      // (test/seams/compat-12b-cli-flags.test.ts).
      [["doctor", "--shadow"], "mcp-gateway setup"],
      [["cap", "discover"], "mcp-gateway setup"],
      [["skills", "generate"], "cap list"],
      [["upgrade"], "mcp-gateway doctor"],
    ];
    for (const [args, hint] of cases) {
      const result = runCli(args, { env });
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr.replace(/\s+/g, " "), args.join(" ")).toContain(hint);
    }
  });
});
