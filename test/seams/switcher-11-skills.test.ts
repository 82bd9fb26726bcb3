import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../cli/_run.ts";
import { tempDir } from "../helpers.ts";

// Spawns the CLI: slow on a loaded machine.
setDefaultTimeout(30_000);

/**
 * The original gateway's `skills import` keeps what it imported in ~/.mcp-gateway/skills.json
 * ({schema, skills: {name: {name, description, body, allowed_tools, keywords, source_path, ...}}},
 * its src/skills/registry.rs): `mcp-gateway skills import ~/.mcp-gateway/skills.json` brings them
 * over, from the folder each came from when it is still there (its other files too), else from
 * what the registry kept.
 */
describe("skills import of the original's skills.json", () => {
  test("imports every skill it lists", () => {
    const dir = tempDir("mcpgw-sw11-skills-");
    const env = { HOME: dir, XDG_STATE_HOME: join(dir, "state"), PATH: process.env.PATH ?? "" };
    const stored = join(dir, "state", "mcp-gateway", "skills");
    // One skill whose folder is still where the original imported it from.
    const kept = join(dir, "skills", "pdf-tools");
    mkdirSync(join(kept, "scripts"), { recursive: true });
    writeFileSync(
      join(kept, "SKILL.md"),
      "---\nname: pdf-tools\ndescription: Extract text from PDF files.\n---\nRun scripts/extract.py.\n",
    );
    writeFileSync(join(kept, "scripts", "extract.py"), "import sys\nprint(sys.argv)\n");
    const registry = {
      schema: 1,
      skills: {
        "pdf-tools": {
          name: "pdf-tools",
          description: "Extract text from PDF files.",
          body: "Run scripts/extract.py.\n",
          source_path: join(kept, "SKILL.md"),
        },
        "commit-helper": {
          name: "commit-helper",
          description: "Write a conventional commit message for staged changes.",
          allowed_tools: ["Bash"],
          keywords: ["git", "commit"],
          body: "Read `git diff --staged`, then write the message.\n",
          source_path: join(dir, "gone", "SKILL.md"),
        },
      },
    };
    mkdirSync(join(dir, ".mcp-gateway"));
    const file = join(dir, ".mcp-gateway", "skills.json");
    writeFileSync(file, JSON.stringify(registry, null, 2));

    const run = runCli(["skills", "import", file, "--json"], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { imported: { name: string; files: number }[] };
    expect(report.imported.map((s) => [s.name, s.files]).sort()).toEqual([
      ["commit-helper", 1],
      ["pdf-tools", 2],
    ]);
    expect(readFileSync(join(stored, "pdf-tools", "scripts", "extract.py"), "utf8")).toContain(
      "sys.argv",
    );
    const written = readFileSync(join(stored, "commit-helper", "SKILL.md"), "utf8");
    expect(written).toContain("description: Write a conventional commit message");
    expect(written).toContain("git diff --staged");
    const list = runCli(["skills", "list", "--json"], { env });
    const listed = JSON.parse(list.stdout) as {
      skills: { name: string; allowedTools: string[] }[];
    };
    expect(listed.skills.find((s) => s.name === "commit-helper")?.allowedTools).toEqual(["Bash"]);
  });
});
