/**
 * The poisoning scanner of this tree against another's (an earlier commit's `src`, extracted):
 * the same findings and excerpts for every text of bench/security and bench/corpus, and for each
 * text with straight punctuation written typographically (dashes, curly quotes, apostrophes).
 *
 *   git archive <commit> src | tar -x -C /tmp/before && ln -s $PWD/node_modules /tmp/before/
 *   bun bench/search/scale-11-scan-parity.ts /tmp/before
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

type Scanner = typeof import("../../src/security/poisoning.ts");
const before: Scanner = await import(join(process.argv[2]!, "src/security/poisoning.ts"));
const now: Scanner = await import("../../src/security/poisoning.ts");

const texts = new Set<string>();
const tools: { name: string; description: string }[] = [];
const walk = (value: unknown): void => {
  if (typeof value === "string") {
    if (value.length >= 12) texts.add(value);
  } else if (Array.isArray(value)) value.forEach(walk);
  else if (value && typeof value === "object") {
    const object = value as Record<string, unknown>;
    if (typeof object.name === "string" && typeof object.description === "string") {
      tools.push(object as { name: string; description: string });
    }
    Object.values(object).forEach(walk);
  }
};
for (const dir of ["../security", "../corpus"].map((d) => join(import.meta.dir, d))) {
  for (const file of readdirSync(dir)) {
    const text = readFileSync(join(dir, file), "utf8");
    if (file.endsWith(".json")) walk(JSON.parse(text));
    if (file.endsWith(".jsonl"))
      for (const line of text.split("\n")) if (line.trim()) walk(JSON.parse(line));
  }
}
const typographic = [...texts]
  .filter((text) => /['"]| - /.test(text))
  .map((text) =>
    text
      .replace(/ - /g, " \u2014 ")
      .replace(/"([^"\n]{3,100})"/g, "\u201C$1\u201D")
      .replace(/(\w)'(\w)/g, "$1\u2019$2")
      .replace(/ '([^'\n]{3,100})'/g, " \u2018$1\u2019"),
  );
let scans = 0;
let differ = 0;
for (const text of [...texts, ...typographic]) {
  for (const argument of [false, true]) {
    scans++;
    const a = JSON.stringify(before.scanDescription(text, argument));
    if (a !== JSON.stringify(now.scanDescription(text, argument))) differ++;
  }
}
let toolsDiffer = 0;
for (const tool of tools) {
  const a = JSON.stringify(before.scanTool("s", tool));
  if (a !== JSON.stringify(now.scanTool("s", tool))) toolsDiffer++;
}
console.log(
  `scanDescription: ${scans} scans (${typographic.length} typographic texts), ${differ} differ; scanTool: ${tools.length} tools, ${toolsDiffer} differ`,
);
