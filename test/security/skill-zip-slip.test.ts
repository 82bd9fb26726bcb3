/**
 * Attack: a skill archive (a local .zip or one behind a URL) whose entries climb out of the
 * folder it is unpacked into ("zip slip": `../`, absolute paths, drive letters, backslashes),
 * carry a symbolic link to a file elsewhere, or unpack to far more than they declare (a bomb).
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importSkills } from "../../src/skills/import.ts";
import { tempDir } from "../helpers.ts";
import { skillMd, zipOf } from "../skills/_fixtures.ts";

const options = { allowPrivateNetworks: false };

function archive(entries: Parameters<typeof zipOf>[0]): {
  file: string;
  root: string;
  base: string;
} {
  const base = tempDir("mcpgw-zip-slip-");
  const file = join(base, "skill.zip");
  writeFileSync(file, zipOf(entries));
  return { file, root: join(base, "deep", "store", "skills"), base };
}

describe("a skill archive cannot write outside its folder", () => {
  for (const evil of [
    "../../../escaped/SKILL.md",
    "pdf/../../escaped.md",
    "/tmp/escaped-absolute.md",
    "C:/escaped.md",
    "pdf\\..\\..\\escaped.md",
  ]) {
    test(`entry ${evil} fails the whole archive, nothing written`, async () => {
      const { file, root, base } = archive([
        { path: "pdf/SKILL.md", content: skillMd("pdf", "PDF things.") },
        { path: evil, content: "pwned" },
      ]);
      await expect(importSkills(file, root, options)).rejects.toThrow(
        /would unpack outside the skill's folder/,
      );
      expect(existsSync(root)).toBe(false);
      expect(existsSync(join(base, "escaped"))).toBe(false);
      expect(existsSync("/tmp/escaped-absolute.md")).toBe(false);
    });
  }

  test("a symbolic link entry is left out, not unpacked or served", async () => {
    const secret = join(tempDir("mcpgw-zip-secret-"), "secret.txt");
    writeFileSync(secret, "TOP-SECRET");
    const { file, root } = archive([
      { path: "pdf/SKILL.md", content: skillMd("pdf", "PDF things."), deflate: true },
      { path: "pdf/notes.md", content: secret, link: true },
    ]);
    const report = await importSkills(file, root, options);
    expect(report.imported.map((s) => s.name)).toEqual(["pdf"]);
    expect(report.problems[0]?.message).toContain("pdf/notes.md: a symbolic link, not unpacked");
    expect(readdirSync(join(root, "pdf"))).toEqual(["SKILL.md"]);
  });

  test("an entry that unpacks to more than it declares is refused (zip bomb)", async () => {
    const { file, root } = archive([
      { path: "pdf/SKILL.md", content: skillMd("pdf", "PDF things.") },
      {
        path: "pdf/bomb.txt",
        content: "0".repeat(4 * 1024 * 1024),
        deflate: true,
        declaredSize: 100,
      },
    ]);
    await expect(importSkills(file, root, options)).rejects.toThrow(
      /pdf\/bomb\.txt does not unpack to its declared 100 bytes/,
    );
    expect(existsSync(root)).toBe(false);
  });

  test("a well-formed archive of two skills imports both, deflated and stored", async () => {
    const { file, root } = archive([
      { path: "pdf/SKILL.md", content: skillMd("pdf", "PDF things."), deflate: true },
      { path: "pdf/scripts/run.py", content: "print('hi')\n", deflate: true },
      { path: "notes/SKILL.md", content: skillMd("notes", "Note taking.") },
    ]);
    const report = await importSkills(file, root, options);
    expect(report.imported.map((s) => s.name).sort()).toEqual(["notes", "pdf"]);
    expect(readFileSync(join(root, "pdf", "scripts", "run.py"), "utf8")).toBe("print('hi')\n");
  });
});
