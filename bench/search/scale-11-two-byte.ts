/**
 * What the poisoning scanner pays the first time it reads a two-byte string (a description
 * with one character past Latin-1, such as an en dash): JavaScriptCore compiles each regular
 * expression again for 16-bit text. Measured in a fresh process per mode, after 50 scans of
 * one-byte text, with the same description ending in " - " (one-byte) or " \u2013 " (two-byte).
 *
 *   bun bench/search/scale-11-two-byte.ts        # runs both modes, 5 times each, in turn
 */
import { spawnSync } from "node:child_process";

const BASE =
  "Searches the repository for files matching a pattern and returns their paths, sizes and last modified times. Use it before reading files";

if (process.argv[2] === "one" || process.argv[2] === "two") {
  const { heapStats } = await import("bun:jsc");
  const { scanDescription } = await import("../../src/security/poisoning.ts");
  const rss = () => {
    Bun.gc(true);
    return process.memoryUsage().rss / 2 ** 20;
  };
  for (let i = 0; i < 50; i++) scanDescription(`${BASE} ${i}`);
  const before = rss();
  const text = `${BASE} ${process.argv[2] === "two" ? "\u2013" : "-"} quickly`;
  const start = performance.now();
  scanDescription(text);
  const first = performance.now() - start;
  const after = rss();
  console.log(JSON.stringify({ first, rss: after - before, heap: heapStats().heapSize }));
  process.exit(0);
}

const rows: Record<string, { first: number[]; rss: number[] }> = {
  one: { first: [], rss: [] },
  two: { first: [], rss: [] },
};
for (let run = 0; run < 5; run++) {
  for (const mode of ["one", "two"]) {
    const out = spawnSync(process.execPath, [import.meta.path, mode], { encoding: "utf8" });
    const { first, rss } = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    rows[mode]!.first.push(first);
    rows[mode]!.rss.push(rss);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
console.log("| next text | first scan ms (median of 5) | RSS growth MiB (median) |");
console.log("|---|---|---|");
for (const [mode, { first, rss }] of Object.entries(rows)) {
  console.log(`| ${mode}-byte | ${median(first).toFixed(1)} | ${median(rss).toFixed(2)} |`);
}
