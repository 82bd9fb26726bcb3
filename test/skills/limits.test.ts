import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SKILL_LIMITS } from "../../src/skills/files.ts";
import { importSkills } from "../../src/skills/import.ts";
import { tempDir } from "../helpers.ts";
import { skillMd, writeTree } from "./_fixtures.ts";

const options = { allowPrivateNetworks: false };
const MiB = 1024 * 1024;

describe("size caps", () => {
  test("a file over the per-file cap is skipped with the reason; the rest is imported", async () => {
    const base = tempDir("mcpgw-skill-caps-");
    writeTree(base, {
      "big/SKILL.md": skillMd("big", "Has a large file."),
      "big/data.bin": new Uint8Array(SKILL_LIMITS.fileBytes + 1),
      "big/small.txt": "ok",
    });
    const root = join(base, "store");
    const report = await importSkills(join(base, "big"), root, options);
    expect(report.imported[0]?.skipped).toEqual([
      `data.bin: ${SKILL_LIMITS.fileBytes + 1} bytes, over the ${SKILL_LIMITS.fileBytes}-byte limit`,
    ]);
    expect(readdirSync(join(root, "big")).sort()).toEqual(["SKILL.md", "small.txt"]);
  });

  test("a skill over the per-skill cap is refused, naming the folder", async () => {
    const base = tempDir("mcpgw-skill-caps-");
    const files: Record<string, Uint8Array | string> = {
      "huge/SKILL.md": skillMd("huge", "Too big in all."),
    };
    for (let i = 0; i < SKILL_LIMITS.skillBytes / MiB + 1; i++) {
      files[`huge/part-${i}.bin`] = new Uint8Array(MiB);
    }
    writeTree(base, files);
    const root = join(base, "store");
    await expect(importSkills(join(base, "huge"), root, options)).rejects.toThrow(
      `${join(base, "huge")}: refused: its files are over ${SKILL_LIMITS.skillBytes} bytes together`,
    );
    expect(existsSync(join(root, "huge"))).toBe(false);
  });

  test("a skill with more files than the cap is refused", async () => {
    const base = tempDir("mcpgw-skill-caps-");
    const files: Record<string, string> = { "many/SKILL.md": skillMd("many", "Many files.") };
    for (let i = 0; i < SKILL_LIMITS.files + 1; i++) files[`many/f/${i}.txt`] = "x";
    writeTree(base, files);
    await expect(importSkills(join(base, "many"), join(base, "store"), options)).rejects.toThrow(
      `more than ${SKILL_LIMITS.files} files`,
    );
  });
});
