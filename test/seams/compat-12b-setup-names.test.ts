import { afterAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCliAsync } from "../cli/_run.ts";
import { tempDir } from "../helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// gateway.yaml keeps backend names as written (GitHub, my.server); `setup` lowercased the ones it
// imported, so the names a client (and its users' prompts, key scopes, usage counts) knew changed.
// The original's setup keeps a client's server names as they are.
test("setup keeps a client's server names as written (case and '.'), as config loading does", async () => {
  const home = tempDir("compat-12b-home-");
  dirs.push(home);
  mkdirSync(join(home, ".config/Claude"), { recursive: true });
  writeFileSync(
    join(home, ".config/Claude/claude_desktop_config.json"),
    JSON.stringify({
      mcpServers: {
        GitHub: { command: "node", args: ["github-server.js"] },
        "my.server": { command: "node", args: ["my-server.js"] },
        "Brave Search!": { command: "node", args: ["brave.js"] },
        Memory: { command: "node", args: ["memory.js"] },
      },
    }),
  );
  const config = join(home, "gateway.yaml");
  // A backend already named `memory` (another server): `Memory` beside it would differ only in
  // case, which loading refuses, so the import must take another name.
  writeFileSync(config, "backends:\n  memory:\n    command: node\n    args: [other.js]\n");
  const env = { HOME: home, PATH: process.env.PATH! };
  const result = await runCliAsync(["setup", "--yes", "--json", "--config", config], { env });
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as { backends: { name: string }[] };
  const names = report.backends.map((backend) => backend.name).sort();
  expect(names).toContain("GitHub");
  expect(names).toContain("my.server");
  expect(names).toContain("Brave-Search");
  expect(names.some((name) => name.startsWith("Memory-"))).toBe(true);
  expect(readFileSync(config, "utf8")).toContain("GitHub:");
  // The written config loads, with the names as imported.
  const list = await runCliAsync(["list", "--json", "--config", config], { env });
  expect(list.code).toBe(0);
  const listed = (JSON.parse(list.stdout) as { backends: { name: string }[] }).backends;
  expect(listed.map((backend) => backend.name)).toContain("GitHub");
  expect(listed.map((backend) => backend.name)).toContain("my.server");
});

test("a server imported before under a lowercased name is recognised, not imported a second time", async () => {
  const home = tempDir("compat-12b-home-");
  dirs.push(home);
  mkdirSync(join(home, ".config/Claude"), { recursive: true });
  writeFileSync(
    join(home, ".config/Claude/claude_desktop_config.json"),
    JSON.stringify({ mcpServers: { GitHub: { command: "node", args: ["github-server.js"] } } }),
  );
  const config = join(home, "gateway.yaml");
  // What an earlier setup (names lowercased) wrote.
  writeFileSync(config, "backends:\n  github:\n    command: node\n    args: [github-server.js]\n");
  const env = { HOME: home, PATH: process.env.PATH! };
  const result = await runCliAsync(["setup", "--yes", "--json", "--config", config], { env });
  expect(result.code).toBe(0);
  const text = readFileSync(config, "utf8");
  expect(text).not.toContain("GitHub");
  expect(text.match(/github/g)?.length).toBe(2);
});
