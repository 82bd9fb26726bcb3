import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configCacheCounts, loadConfigCached } from "../../src/config/cache.ts";
import { loadConfig } from "../../src/config/load.ts";
import { tempDir } from "../helpers.ts";

/**
 * The original gateway reads every relative path in its config (`capabilities.directories`,
 * `playbooks.directories`, `env_files`, a backend's `cwd`) from the current folder; here they are
 * relative to the config's folder. A user who ran it as `mcp-gateway -c ~/.config/mcp-gateway/
 * gateway.yaml` from the folder holding `capabilities/` lost those capabilities, the env file's
 * keys and the backend's folder, with only "does not exist" said. Now a relative path that is not
 * beside the config but is in the current folder is read from there, with a warning naming the
 * absolute path to write; beside the config still wins when both exist.
 */
function layout() {
  const configDir = tempDir("mcpgw-sw12-config-");
  const here = tempDir("mcpgw-sw12-cwd-");
  for (const dir of ["capabilities", "playbooks", "work"]) mkdirSync(join(here, dir));
  writeFileSync(join(here, ".env"), "FROM_ENV_FILE=found\n");
  const file = join(configDir, "gateway.yaml");
  writeFileSync(
    file,
    `env_files: [.env]
capabilities: { directories: [capabilities] }
playbooks: { enabled: true, directories: [playbooks] }
backends:
  tool:
    command: some-mcp-server
    cwd: work
    env: { TOKEN: "\${FROM_ENV_FILE}" }
`,
  );
  return { configDir, here, file };
}

describe("relative paths of an original config run from another folder", () => {
  test("are read from the current folder when they exist only there, each warned", () => {
    const { here, file } = layout();
    const config = loadConfig({ path: file, env: {}, cwd: here });
    expect(config.capabilities.directories).toEqual([join(here, "capabilities")]);
    expect(config.playbooks.directories).toEqual([join(here, "playbooks")]);
    const backend = config.backends[0]!;
    expect(backend.cwd).toBe(join(here, "work"));
    expect(backend.configError).toBeUndefined();
    expect(backend.env?.TOKEN).toBe("found");
    const warnings = config.warnings.join("\n");
    for (const key of ["capabilities.directories", "playbooks.directories", "backends.tool.cwd"]) {
      expect(warnings).toContain(`${key}: `);
    }
    expect(warnings).toContain(`read ${join(here, ".env")} from the current folder`);
  });

  test("beside the config wins when both exist, without a warning", () => {
    const { configDir, here, file } = layout();
    for (const dir of ["capabilities", "playbooks", "work"]) mkdirSync(join(configDir, dir));
    writeFileSync(join(configDir, ".env"), "FROM_ENV_FILE=beside\n");
    const config = loadConfig({ path: file, env: {}, cwd: here });
    expect(config.capabilities.directories).toEqual([join(configDir, "capabilities")]);
    expect(config.playbooks.directories).toEqual([join(configDir, "playbooks")]);
    expect(config.backends[0]!.cwd).toBe(join(configDir, "work"));
    expect(config.backends[0]!.env?.TOKEN).toBe("beside");
    expect(config.warnings.join("\n")).not.toContain("current folder");
  });

  test("the config cache serves the folder the paths are read from, not the one it stored", async () => {
    const { configDir, here, file } = layout();
    const env = { MCP_GATEWAY_START_CACHE: "1", XDG_STATE_HOME: tempDir(), HOME: tempDir() };
    const first = await loadConfigCached({ path: file, env, cwd: here });
    expect(first.capabilities.directories).toEqual([join(here, "capabilities")]);
    const hits = configCacheCounts.hits;
    expect((await loadConfigCached({ path: file, env, cwd: here })).backends[0]!.cwd).toBe(
      join(here, "work"),
    );
    expect(configCacheCounts.hits).toBe(hits + 1);
    // The folder now exists beside the config too: beside wins, the stored entry does not.
    mkdirSync(join(configDir, "capabilities"));
    const after = await loadConfigCached({ path: file, env, cwd: here });
    expect(after.capabilities.directories).toEqual([join(configDir, "capabilities")]);
    // Run from a folder without them: beside the config, as before the fallback.
    const elsewhere = await loadConfigCached({ path: file, env, cwd: tempDir() });
    expect(elsewhere.backends[0]!.cwd).toBe(join(configDir, "work"));
  });

  test("an unlisted capabilities folder in the current folder is named, with the line that loads it", () => {
    const { here } = layout();
    mkdirSync(join(here, "capabilities", "knowledge"));
    writeFileSync(join(here, "capabilities", "knowledge", "w.yaml"), 'fulcrum: "1.0"\nname: w\n');
    const file = join(tempDir("mcpgw-sw12-bare-"), "gateway.yaml");
    writeFileSync(file, "backends: {}\n");
    const warned = loadConfig({ path: file, env: {}, cwd: here }).warnings.join("\n");
    expect(warned).toContain(`${join(here, "capabilities")} is not loaded`);
    expect(warned).toContain(`directories: [${join(here, "capabilities")}]`);
  });
});
