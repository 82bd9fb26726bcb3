/**
 * Firewall benchmark: false positives of the argument firewall and the result scan on real calls
 * (bench/security/calls.json: calls recorded from the published filesystem, memory and everything
 * servers with their results, plus ordinary arguments for git, postgres, kubernetes and other
 * corpus servers), detection on attack samples, and the time the checks add to a call.
 *
 *   bun bench/security/firewall.ts [iterations]
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { JsonObject } from "../../src/backends/types.ts";
import type { CallToolResult, Tool } from "../../src/mcp/sdk.ts";
import { createCallGuard } from "../../src/security/call-guard.ts";
import { scanArguments, scanText } from "../../src/security/firewall.ts";
import { redactResult } from "../../src/security/redact.ts";
import { SecuritySchema } from "../../src/security/schema.ts";
import { printTable, summarize } from "../_stats.ts";

const ROOT = resolve(import.meta.dir, "../..");
const iterations = Number(process.argv[2] ?? 20);

interface Call {
  server: string;
  tool: string;
  arguments: JsonObject;
  result?: CallToolResult;
}
const calls = JSON.parse(readFileSync(join(import.meta.dir, "calls.json"), "utf8")) as Call[];
const attacks = JSON.parse(readFileSync(join(import.meta.dir, "attacks.json"), "utf8")) as {
  arguments: Call[];
  results: string[];
};
const corpus = JSON.parse(readFileSync(join(ROOT, "bench/corpus/tools.json"), "utf8")) as Record<
  string,
  Tool[]
>;
const definition = (call: Call) => corpus[call.server]?.find((tool) => tool.name === call.tool);

const texts = (result: CallToolResult | undefined) =>
  (result?.content ?? []).flatMap((block) => (block.type === "text" ? [block.text] : []));
const withResults = calls.filter((call) => call.result);

const flagged = calls.filter((call) => scanArguments(definition(call), call.arguments).length);
const injected = withResults.filter((call) =>
  texts(call.result).some((text) => scanText(text, ["injection"]).length),
);
const credentialed = withResults.filter((call) =>
  texts(call.result).some((text) => scanText(text, ["credentials"]).length),
);
const redacted = withResults.filter(
  (call) => JSON.stringify(redactResult(call.result!)) !== JSON.stringify(call.result),
);
const caught = attacks.arguments.filter(
  (call) => scanArguments(definition(call), call.arguments).length,
);
const caughtResults = attacks.results.filter((text) => scanText(text, ["injection"]).length);
const scanned = calls.filter((call) =>
  Object.keys(call.arguments).some(
    (key) => scanArguments(definition(call), { [key]: "../../../x" }).length,
  ),
);

console.log(
  `\n${calls.length} real calls (${withResults.length} with results), ${attacks.arguments.length + attacks.results.length} attack samples\n`,
);
printTable(
  ["what", "samples", "flagged"],
  [
    ["real calls: argument firewall (block)", calls.length, flagged.length],
    ["real results: injection scan (block)", withResults.length, injected.length],
    ["real results: credential scan", withResults.length, credentialed.length],
    ["real results: changed by redaction (redact_results)", withResults.length, redacted.length],
    ["attack arguments (attacks.json)", attacks.arguments.length, caught.length],
    ["attack results (attacks.json)", attacks.results.length, caughtResults.length],
  ].map((row) => row.map(String)),
);
for (const call of [...flagged, ...injected, ...redacted]) {
  console.log(
    `  flagged: ${call.server}:${call.tool} ${JSON.stringify(call.arguments).slice(0, 100)}`,
  );
}
for (const call of attacks.arguments.filter((call) => !caught.includes(call))) {
  console.log(
    `  missed: ${call.server}:${call.tool} ${JSON.stringify(call.arguments).slice(0, 100)}`,
  );
}
for (const text of attacks.results.filter((text) => !caughtResults.includes(text))) {
  console.log(`  missed result: ${text.slice(0, 100)}`);
}
console.log(`  (${scanned.length} of ${calls.length} calls have an argument the firewall scans)`);

// Time added to a call: the guard in block mode around a backend that answers at once, against
// the bare answer, over every real call.
const guard = createCallGuard(
  SecuritySchema.parse({ firewall: { arguments: "block", results: "block" } }),
);
const empty: CallToolResult = { content: [{ type: "text", text: "ok" }] };
const added: number[] = [];
const scanOnly: number[] = [];
for (let round = 0; round < iterations; round++) {
  for (const call of calls) {
    const result = call.result ?? empty;
    const guarded = {
      server: call.server,
      tool: call.tool,
      definition: definition(call),
      args: call.arguments,
      session: `bench-${round}`,
    };
    let started = performance.now();
    await (async () => result)();
    const bare = performance.now() - started;
    started = performance.now();
    await guard.run(guarded, async () => result).catch(() => undefined);
    added.push((performance.now() - started - bare) * 1000);
    started = performance.now();
    scanArguments(guarded.definition, call.arguments);
    for (const text of texts(result)) scanText(text, ["injection", "credentials"]);
    scanOnly.push((performance.now() - started) * 1000);
  }
}
const row = (name: string, samples: number[]) => {
  const s = summarize(samples);
  return [name, s.p50, s.p90, s.p99];
};
console.log("\nTime added to a call, in microseconds (block mode, every real call):\n");
printTable(
  ["what", "p50", "p90", "p99"],
  [
    row("call guard (sandbox, arguments, result scan)", added),
    row("argument and result scans alone", scanOnly),
  ],
);
guard.close();
