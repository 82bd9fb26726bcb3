#!/usr/bin/env bun
/**
 * Capabilities: what loading the built-in catalog costs, what the executor adds to one REST call
 * over a plain fetch of the same URL (loopback server, sequential calls), and how long importing
 * GitHub's full REST description takes.
 *
 *   bun bench/capabilities.ts [calls=2000]
 */
import { join } from "node:path";
import { BUILTIN_FILES } from "../src/capabilities/_catalog.gen.ts";
import { executeCapability } from "../src/capabilities/execute.ts";
import { parseCapability } from "../src/capabilities/load.ts";
import { importOpenApi } from "../src/capabilities/openapi/import.ts";

const ROOT = join(import.meta.dir, "..");

/** p50/p90/p99 of a sample (nearest rank). */
function summarize(samples: number[]): { p50: number; p90: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: at(50), p90: at(90), p99: at(99) };
}
const CALLS = Number(process.argv[2] ?? 2000);
const rows: (string | number)[][] = [];

// 1. Parsing and validating the embedded catalog (what `serve` does once at start).
const loads: number[] = [];
for (let run = 0; run < 20; run++) {
  const started = performance.now();
  for (const [file, text] of Object.entries(BUILTIN_FILES)) {
    if (!parseCapability(text, file, { checkSchemas: false }).ok) throw new Error(`${file} is bad`);
  }
  loads.push(performance.now() - started);
}
const load = summarize(loads.slice(1));
rows.push([
  `load ${Object.keys(BUILTIN_FILES).length} built-ins (ms per load)`,
  load.p50,
  load.p90,
  load.p99,
]);

// 2. One GET through the executor vs a plain fetch, against the same loopback server.
const body = JSON.stringify({ data: { items: [{ id: 1, name: "one" }] } });
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => new Response(body, { headers: { "content-type": "application/json" } }),
});
const origin = `http://127.0.0.1:${server.port}`;
const parsed = parseCapability(
  `name: bench\ndescription: d\nschema: { input: { properties: { id: { type: integer } } } }\nrest: { base_url: "${origin}", path: "/items/{id}", response_path: data }\n`,
  "bench.yaml",
);
if (!parsed.ok) throw new Error(parsed.errors.join("; "));
const capability = parsed.capability;
const options = { env: {}, allowPrivateNetworks: true };

async function sample(call: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 200; i++) await call(i);
  const out: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await call(i);
    out.push(performance.now() - started);
  }
  return out;
}
const direct = summarize(await sample(async (i) => (await fetch(`${origin}/items/${i}`)).json()));
const executed = summarize(await sample((i) => executeCapability(capability, { id: i }, options)));
server.stop(true);
rows.push([
  `plain fetch + JSON parse (ms per call, n=${CALLS})`,
  direct.p50,
  direct.p90,
  direct.p99,
]);
rows.push([
  `executeCapability (ms per call, n=${CALLS})`,
  executed.p50,
  executed.p90,
  executed.p99,
]);

// 3. Importing GitHub's full REST description (one run).
const started = performance.now();
const imported = await importOpenApi(
  join(ROOT, "node_modules/@octokit/openapi/generated/api.github.com.json"),
  { prefix: "gh_" },
);
const ms = performance.now() - started;
rows.push([
  `cap import GitHub REST (${imported.capabilities.length} files, ms, one run)`,
  ms,
  ms,
  ms,
]);

console.log("| what | p50 | p90 | p99 |\n|---|---:|---:|---:|");
for (const [what, ...numbers] of rows) {
  console.log(`| ${what} | ${numbers.map((n) => Number(n).toFixed(3)).join(" | ")} |`);
}
