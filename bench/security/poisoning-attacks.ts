/**
 * Poisoning-scanner detection on an attack set written in the styles of published tool-poisoning
 * write-ups (bench/security/attacks-poisoning.jsonl), split by a fixed rule before any tuning:
 * every third sample (id % 3 == 2) is held out. A second held-out batch (`heldout2`, ids from 123)
 * was written after the rules and never tuned on. Reports detection (HIGH = quarantined) on the dev
 * and held-out parts, false positives on the benign near-misses, and quarantines among the real
 * tools of bench/corpus (tools.json and registry-tools.json).
 *
 *   bun bench/security/poisoning-attacks.ts [--misses]
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { scanTool } from "../../src/security/poisoning.ts";

const ROOT = resolve(import.meta.dir, "../..");
const showMisses = process.argv.includes("--misses");

interface Sample {
  id: number;
  split: "dev" | "heldout" | "heldout2";
  label: "attack" | "benign";
  style: string;
  tool: { name: string };
}
const samples = readFileSync(join(ROOT, "bench/security/attacks-poisoning.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Sample);

const quarantined = (server: string, tool: { name: string }) =>
  scanTool(server, tool as never).some((finding) => finding.severity === "high");

const rows: (string | number)[][] = [];
for (const label of ["attack", "benign"] as const) {
  for (const split of ["dev", "heldout", "heldout2"] as const) {
    const set = samples.filter((s) => s.label === label && s.split === split);
    const hits = set.filter((s) => quarantined("x", s.tool));
    rows.push([
      `${label} ${split}`,
      set.length,
      hits.length,
      `${((100 * hits.length) / set.length).toFixed(1)}%`,
    ]);
    if (showMisses) {
      const wrong = label === "attack" ? set.filter((s) => !hits.includes(s)) : hits;
      for (const s of wrong) console.log(`  ${label} ${split} #${s.id} ${s.style}`);
    }
  }
}
for (const file of ["tools.json", "registry-tools.json"]) {
  const corpus = JSON.parse(readFileSync(join(ROOT, "bench/corpus", file), "utf8")) as Record<
    string,
    { name: string }[]
  >;
  const real = Object.entries(corpus).flatMap(([server, tools]) =>
    tools.map((tool) => ({ server, tool })),
  );
  const hits = real.filter(({ server, tool }) => quarantined(server, tool));
  rows.push([`real tools, bench/corpus/${file}`, real.length, hits.length, "(must be 0)"]);
  if (showMisses) for (const h of hits) console.log(`  real ${h.server}/${h.tool.name}`);
}
console.log("| set | samples | quarantined | rate |\n|---|---:|---:|---:|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
