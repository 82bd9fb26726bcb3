/**
 * Attack: reading files outside a skill's folder through `skill://` — `..` in the URI (plain and
 * percent-encoded), a symbolic link planted in the skills folder, a skill's SKILL.md that is a
 * link, and a sub-folder swapped for a link after the skill was listed.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readInside } from "../../src/skills/files.ts";
import { loadSkills } from "../../src/skills/store.ts";
import { type ConnectedClient, connectHttp, startGateway, tempDir, waitFor } from "../helpers.ts";
import { claudeSkills, skillMd, writeTree } from "../skills/_fixtures.ts";

setDefaultTimeout(30_000);

const SECRET = "TOP-SECRET-CONTENT";
const base = tempDir("mcpgw-skill-attack-");
const dir = join(base, "skills");
let gateway: Awaited<ReturnType<typeof startGateway>>;
let client: ConnectedClient;

beforeAll(async () => {
  writeFileSync(join(base, "secret.txt"), SECRET);
  writeTree(base, { "outside/forms.md": SECRET });
  claudeSkills(dir);
  // Planted straight into the stored skill, past the importer.
  symlinkSync(join(base, "secret.txt"), join(dir, "pdf-tools", "notes.md"));
  symlinkSync(join(base, "outside"), join(dir, "pdf-tools", "linked-folder"));
  mkdirSync(join(dir, "linked-skill"));
  symlinkSync(join(base, "secret.txt"), join(dir, "linked-skill", "SKILL.md"));
  gateway = await startGateway(`capabilities: { enabled: false }\nskills: { dir: "${dir}" }\n`);
  client = await connectHttp(gateway.url);
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
});

/** Reads a URI; the text it got, or the error. */
async function attempt(uri: string): Promise<string> {
  try {
    const result = await client.client.readResource({ uri });
    return JSON.stringify(result);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe("skill:// never leaves the skill's folder", () => {
  test("`..` in the URI, plain or encoded, finds nothing", async () => {
    for (const uri of [
      "skill://pdf-tools/../../secret.txt",
      "skill://pdf-tools/..%2F..%2Fsecret.txt",
      "skill://pdf-tools/%2e%2e/%2e%2e/secret.txt",
      "skill://..%2F..%2Fsecret.txt",
      "skill://../secret.txt",
      "skill://pdf-tools/scripts/../../../secret.txt",
      `skill://pdf-tools/${encodeURIComponent(join(base, "secret.txt"))}`,
    ]) {
      const got = await attempt(uri);
      expect(got).toMatch(/^error: .*not found/i);
      expect(got).not.toContain(SECRET);
    }
  });

  test("a planted link is neither listed nor read; a skill whose SKILL.md is a link is not loaded", async () => {
    const { resources } = await client.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toContain("skill://pdf-tools/reference/forms.md");
    expect(uris.filter((u) => /notes|linked/.test(u))).toEqual([]);
    for (const uri of [
      "skill://pdf-tools/notes.md",
      "skill://pdf-tools/linked-folder/forms.md",
      "skill://linked-skill",
    ]) {
      const got = await attempt(uri);
      expect(got).toMatch(/not found/i);
      expect(got).not.toContain(SECRET);
    }
    const problems = gateway.gateway.health().skills?.problems ?? [];
    expect(problems.map((p) => p.message).join("\n")).toContain(
      "linked-skill/SKILL.md: a symbolic link",
    );
  });

  test("a folder swapped for a link after listing cannot lead a read outside", async () => {
    const skill = loadSkills(dir).skills.find((s) => s.name === "pdf-tools")!;
    renameSync(join(dir, "pdf-tools", "reference"), join(base, "moved-reference"));
    symlinkSync(join(base, "outside"), join(dir, "pdf-tools", "reference"));
    // The listing taken before the swap still names reference/forms.md: the read refuses it.
    expect(() => readInside(skill.dir, "reference/forms.md")).toThrow(/outside the skill's folder/);
    const got = await attempt("skill://pdf-tools/reference/forms.md");
    expect(got).toMatch(/not found/i);
    expect(got).not.toContain(SECRET);
    // The reload drops the file: the link is not followed.
    await waitFor(async () =>
      (await client.client.listResources()).resources.every(
        (r) => r.uri !== "skill://pdf-tools/reference/forms.md",
      ),
    );
  });

  test("a skill named to climb out of the folder is refused before anything is written", () => {
    writeTree(base, { "climb/SKILL.md": skillMd("../../climb", "Escapes.") });
    expect(
      loadSkills(join(base))
        .problems.map((p) => p.message)
        .join("\n"),
    ).toContain("frontmatter name: lowercase letters");
  });
});
