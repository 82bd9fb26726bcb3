import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
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
