import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { importSkills } from "../../src/skills/import.ts";
import {
  connectHttp,
  EVERYTHING,
  startGateway,
  tempDir,
  waitFor,
  writeConfig,
} from "../helpers.ts";
import { claudeSkills, skillMd, writeTree } from "./_fixtures.ts";

describe("skills config", () => {
  test("a backend named skills is refused while skills are on, and says what to do", () => {
    const file = writeConfig("backends:\n  skills: { command: node }\n");
    expect(() => loadConfig({ path: file })).toThrow(
      `${file}: backends.skills: the name is reserved for the gateway's skills (scopes name them skills:NAME); rename the backend, or set skills.enabled: false`,
    );
    const off = writeConfig("skills: { enabled: false }\nbackends:\n  skills: { command: node }\n");
    expect(loadConfig({ path: off }).backends.map((b) => b.name)).toEqual(["skills"]);
  });

  test("skills.dir is relative to the config file; unknown keys are refused by path", () => {
    const file = writeConfig("skills: { dir: ./mine }\n");
    expect(loadConfig({ path: file }).skills.dir).toBe(join(file, "..", "mine"));
    const typo = writeConfig("skills: { folder: ./mine }\n");
    expect(() => loadConfig({ path: typo })).toThrow(/skills/);
  });

  test("a skills folder that does not exist yet is served once an import creates it", async () => {
    const base = tempDir("mcpgw-skills-later-");
    const dir = join(base, "not-yet", "skills");
    const gateway = await startGateway(
      `capabilities: { enabled: false }\nskills: { dir: "${dir}" }\n`,
    );
    const client = await connectHttp(gateway.url);
    try {
      let changed = false;
      client.client.setNotificationHandler("notifications/prompts/list_changed", () => {
        changed = true;
      });
      expect((await client.client.listPrompts()).prompts).toEqual([]);
      claudeSkills(join(base, "source"));
      await importSkills(join(base, "source"), dir, { allowPrivateNetworks: false });
      await waitFor(() => changed);
      const names = (await client.client.listPrompts()).prompts.map((p) => p.name);
      expect(names.sort()).toEqual(["skill_commit-helper", "skill_pdf-tools"]);
    } finally {
      await client.close();
      await gateway.stop();
    }
  });

  test("many skills are paginated ahead of the backends' resources and prompts", async () => {
    const dir = join(tempDir("mcpgw-skills-many-"), "skills");
    const files: Record<string, string> = {};
    for (let i = 0; i < 130; i++) {
      files[`s${i}/SKILL.md`] = skillMd(`s${i}`, `Skill number ${i}.`);
    }
    writeTree(dir, files);
    const gateway = await startGateway(`
capabilities: { enabled: false }
skills: { dir: "${dir}" }
backends:
  everything: { command: node, args: ["${EVERYTHING}", "stdio"] }
`);
    const client = await connectHttp(gateway.url);
    try {
      // The SDK walks every page when asked without a cursor.
      const uris = (await client.client.listResources()).resources.map((r) => r.uri);
      expect(uris.filter((u) => u.startsWith("skill://"))).toHaveLength(130);
      expect(uris.some((u) => u.startsWith("demo://"))).toBe(true);
      expect(new Set(uris).size).toBe(uris.length);
      // The second page: the last 30 skills, then the backends' first page.
      const second = await client.client.listResources({ cursor: "skills:100" });
      const skills = second.resources.filter((r) => r.uri.startsWith("skill://"));
      expect(skills).toHaveLength(30);
      expect(second.resources.length).toBeGreaterThan(30);
      const prompts = (await client.client.listPrompts()).prompts.map((p) => p.name);
      expect(prompts.filter((n) => n.startsWith("skill_"))).toHaveLength(130);
      expect(prompts).toContain("simple-prompt");
      await expect(client.client.listResources({ cursor: "skills:x" })).rejects.toThrow(
        /Invalid cursor/,
      );
    } finally {
      await client.close();
      await gateway.stop();
    }
  });

  test("skills.enabled: false serves none of them", async () => {
    const dir = join(tempDir("mcpgw-skills-off-"), "skills");
    claudeSkills(dir);
    const gateway = await startGateway(
      `capabilities: { enabled: false }\nskills: { enabled: false, dir: "${dir}" }\n`,
    );
    const client = await connectHttp(gateway.url);
    try {
      const { resources } = await client.client.listResources();
      expect(resources.filter((r) => r.uri.startsWith("skill://"))).toEqual([]);
      await expect(client.client.readResource({ uri: "skill://pdf-tools" })).rejects.toThrow(
        /not found/i,
      );
      expect(gateway.gateway.health().skills).toBeUndefined();
    } finally {
      await client.close();
      await gateway.stop();
    }
  });
});
