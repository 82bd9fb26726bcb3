/**
 * Security benchmarks: poisoning-scanner accuracy (false positives on real tools from published
 * servers, detection on poisoned samples), scanner cost per tool, and the cost auth adds to a
 * request.
 *
 *   bun bench/security/run.ts [iterations]
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadBuiltinCapabilities } from "../../src/capabilities/catalog.ts";
import { toTool } from "../../src/capabilities/resolve.ts";
import type { ResolvedConfig } from "../../src/config/load.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { createAuthenticator } from "../../src/security/auth.ts";
import { hashKey } from "../../src/security/keys.ts";
import { toolDigest } from "../../src/security/pins.ts";
import { scanTool } from "../../src/security/poisoning.ts";
import { printTable, summarize } from "../_stats.ts";

const ROOT = resolve(import.meta.dir, "../..");
const iterations = Number(process.argv[2] ?? 20);

type ToolDef = { name: string; description?: string };
const corpus = JSON.parse(readFileSync(join(ROOT, "bench/corpus/tools.json"), "utf8")) as Record<
  string,
  ToolDef[]
>;
const samples = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/poisoned/samples.json"), "utf8"),
) as { poisoned: ToolDef[]; benign: ToolDef[] };
const builtins = loadBuiltinCapabilities().flatMap((r) => (r.ok ? [toTool(r.capability)] : []));

const real = Object.entries(corpus).flatMap(([server, tools]) =>
  tools.map((tool) => ({ server, tool })),
);
const highOf = (server: string, tool: ToolDef) =>
  scanTool(server, tool as never).filter((f) => f.severity === "high");
const lowOf = (server: string, tool: ToolDef) =>
  scanTool(server, tool as never).filter((f) => f.severity === "low");

const accuracy: (string | number)[][] = [
  [
    `real tools of ${Object.keys(corpus).length} published servers (bench/corpus)`,
    real.length,
    real.filter(({ server, tool }) => highOf(server, tool).length).length,
    real.filter(({ server, tool }) => lowOf(server, tool).length).length,
  ],
  [
    "built-in capabilities",
    builtins.length,
    builtins.filter((tool) => highOf("capabilities", tool).length).length,
    builtins.filter((tool) => lowOf("capabilities", tool).length).length,
  ],
  [
    "benign look-alikes (test/fixtures/poisoned)",
    samples.benign.length,
    samples.benign.filter((tool) => highOf("x", tool).length).length,
    samples.benign.filter((tool) => lowOf("x", tool).length).length,
  ],
  [
    "poisoned samples (test/fixtures/poisoned)",
    samples.poisoned.length,
    samples.poisoned.filter((tool) => highOf("x", tool).length).length,
    samples.poisoned.filter((tool) => lowOf("x", tool).length).length,
  ],
];

// Cost: scanning and digesting every corpus tool, per tool.
const scanTimes: number[] = [];
const digestTimes: number[] = [];
for (let i = 0; i < iterations; i++) {
  for (const { server, tool } of real) {
    let start = performance.now();
    scanTool(server, tool as never);
    scanTimes.push((performance.now() - start) * 1000);
    start = performance.now();
    toolDigest(tool);
    digestTimes.push((performance.now() - start) * 1000);
  }
}

// Cost of authentication per request: 100 keys, the matching one last, vs auth off.
const keys = Array.from({ length: 100 }, (_, i) => ({
  name: `k${i}`,
  key: `key-number-${i}-0123456789`,
}));
// Every default filled in by the schema (lockout, limits...), as a loaded config would have them.
const config = (enabled: boolean) =>
  ConfigSchema.parse({
    auth: {
      enabled,
      api_keys: keys.map((k) => ({
        name: k.name,
        key: hashKey(k.key),
        allowed_tools: ["memory:*"],
      })),
    },
    security: { redact_results: false },
  }) as unknown as ResolvedConfig;
const request = new Request("http://127.0.0.1/mcp", {
  method: "POST",
  headers: { authorization: `Bearer ${keys[99]!.key}` },
});
const on = createAuthenticator(config(true));
const off = createAuthenticator(config(false));
const authTimes: number[] = [];
const offTimes: number[] = [];
for (let i = 0; i < iterations * 500; i++) {
  let start = performance.now();
  await on.authenticate(request);
  authTimes.push((performance.now() - start) * 1000);
  start = performance.now();
  await off.authenticate(request);
  offTimes.push((performance.now() - start) * 1000);
}

console.log("\nPoisoning scanner: tools with findings\n");
printTable(
  ["set", "tools", "HIGH (quarantined)", "LOW notes"],
  accuracy.map((cells) => cells.map(String)),
);
const row = (what: string, samples: number[]) => {
  const s = summarize(samples);
  return [what, String(s.n), s.p50, s.p90, s.p99];
};
console.log("\nCost (microseconds)\n");
printTable(
  ["what", "n", "p50", "p90", "p99"],
  [
    row("scan one tool (description + schemas)", scanTimes),
    row("digest one tool (RFC 8785 + sha256)", digestTimes),
    row("authenticate a request, 100 keys", authTimes),
    row("authenticate a request, auth off", offTimes),
  ],
);
