/**
 * The poisoning scanner on what a backend hands the model besides its tools (issue #16, every
 * surface): server `instructions`, prompts, resources and resource templates, each read as the
 * gateway reads them (`PoisoningRegistry.updateOthers`).
 *
 * Real texts, which must all come out clean:
 * - the published servers' own (bench/corpus/surfaces.json, `bun bench/corpus/build-surfaces.ts`),
 *   and the documents server-everything serves for an agent to read, each read as instructions;
 * - this gateway's own instructions, and the descriptions of the built-in capabilities as
 *   resources;
 * - real prose moved onto these surfaces: every real tool of bench/corpus (tools.json,
 *   registry-tools.json) as a prompt (its description, its parameters as the prompt's arguments)
 *   and its description as a server's instructions; GitHub's REST description strings as
 *   instructions.
 *
 * Attacks: every dev attack of the sample sets that sits in a tool's description alone, moved
 * into a prompt's description, a resource's, a template's and a server's instructions (and the
 * dev near-misses the same way, which should stay clean). Held-out samples are never read here.
 *
 * Cost: one scan of a prompt, of a server's instructions (microseconds).
 *
 *   bun bench/security/surfaces.ts [--misses]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadBuiltinCapabilities } from "../../src/capabilities/catalog.ts";
import { CODE_MODE_INSTRUCTIONS, INSTRUCTIONS } from "../../src/meta/tools.ts";
import { PoisoningRegistry, scanTool } from "../../src/security/poisoning.ts";
import { printTable, summarize } from "../_stats.ts";
import { githubTexts } from "./_github-texts.ts";

const ROOT = resolve(import.meta.dir, "../..");
const showMisses = process.argv.includes("--misses");

type Entry = [kind: string, name: string, value: unknown];
/** Whether the gateway would hold the entry back (a HIGH finding). */
function flagged([kind, name, value]: Entry): boolean {
  return new PoisoningRegistry().updateOthers("x", kind, [[name, value]]).size > 0;
}

// ---------------------------------------------------------------------------------------------
// Real texts.

const published = JSON.parse(
  readFileSync(join(ROOT, "bench/corpus/surfaces.json"), "utf8"),
) as Record<
  string,
  { instructions: string | null; prompts: Named[]; resources: Named[]; resourceTemplates: Named[] }
>;
type Named = { name?: string; uri?: string; uriTemplate?: string; [key: string]: unknown };
const nameOf = (item: Named) => String(item.uri ?? item.uriTemplate ?? item.name ?? "");
const own: Entry[] = Object.values(published).flatMap((server) => [
  ...(server.instructions ? [["instructions", "", server.instructions] as Entry] : []),
  ...server.prompts.map((p): Entry => ["prompt", nameOf(p), p]),
  ...server.resources.map((r): Entry => ["resource", nameOf(r), r]),
  ...server.resourceTemplates.map((t): Entry => ["template", nameOf(t), t]),
]);
const docsDir = join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/docs");
const docs: Entry[] = readdirSync(docsDir)
  .filter((file) => file.endsWith(".md"))
  .map((file) => ["instructions", "", readFileSync(join(docsDir, file), "utf8")]);
/** The system prompt server-memory's README suggests for a client: instructions to a model. */
const memoryPrompt: Entry[] = [
  /```\n(Follow these steps[\s\S]*?)```/.exec(
    readFileSync(join(ROOT, "node_modules/@modelcontextprotocol/server-memory/README.md"), "utf8"),
  )?.[1] ?? "",
].map((text): Entry => ["instructions", "", text]);
if (!memoryPrompt[0]![2])
  throw new Error("server-memory's README no longer holds its system prompt");
/** The published servers' READMEs: setup notes for a person, not instructions (a stress test). */
const readmes: Entry[] = ["server-everything", "server-filesystem", "server-memory"].map(
  (pkg): Entry => [
    "instructions",
    "",
    readFileSync(join(ROOT, "node_modules/@modelcontextprotocol", pkg, "README.md"), "utf8"),
  ],
);
const gateway: Entry[] = [
  ["instructions", "", INSTRUCTIONS],
  ["instructions", "", CODE_MODE_INSTRUCTIONS],
  ...loadBuiltinCapabilities().flatMap((r): Entry[] =>
    r.ok
      ? [
          [
            "resource",
            r.capability.name,
            {
              uri: `capability://${r.capability.name}`,
              name: r.capability.name,
              title: r.capability.title,
              description: r.capability.description,
            },
          ],
        ]
      : [],
  ),
];

type Tool = { name: string; title?: string; description?: string; inputSchema?: unknown };
/** A real tool as a prompt: its name, title, description, and its parameters as arguments. */
function asPrompt(tool: Tool): Entry {
  const properties = (tool.inputSchema as { properties?: Record<string, unknown> } | undefined)
    ?.properties;
  const args = Object.entries(properties ?? {}).map(([name, schema]) => {
    const description = (schema as { description?: unknown } | null)?.description;
    return typeof description === "string" ? { name, description } : { name };
  });
  return [
    "prompt",
    tool.name,
    {
      name: tool.name,
      ...(tool.title ? { title: tool.title } : {}),
      ...(tool.description ? { description: tool.description } : {}),
      ...(args.length ? { arguments: args } : {}),
    },
  ];
}
const realTools = ["tools.json", "registry-tools.json"].flatMap((file) =>
  Object.values(
    JSON.parse(readFileSync(join(ROOT, "bench/corpus", file), "utf8")) as Record<string, Tool[]>,
  ).flat(),
);
const moved: [string, Entry[]][] = [
  ["real tools of bench/corpus as prompts", realTools.map(asPrompt)],
  [
    "real tool descriptions as server instructions",
    realTools.flatMap((t): Entry[] => (t.description ? [["instructions", "", t.description]] : [])),
  ],
  [
    "GitHub REST description strings as server instructions",
    [...githubTexts(ROOT)].map((text): Entry => ["instructions", "", text]),
  ],
];

const realRows: (string | number)[][] = [];
for (const [what, entries] of [
  ["published servers' instructions, prompts, resources, templates", own],
  ["server-everything's agent documents as instructions", docs],
  ["server-memory's suggested system prompt as instructions", memoryPrompt],
  ["this gateway's instructions, built-in capabilities as resources", gateway],
  ...moved,
] as [string, Entry[]][]) {
  const hits = entries.filter(flagged);
  realRows.push([what, entries.length, hits.length]);
  if (showMisses) {
    for (const [kind, name, value] of hits) {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      console.log(`  real ${kind} ${name}: ${text.slice(0, 160)}`);
    }
  }
}

const readmeHits = readmes.filter(flagged);
if (showMisses) {
  for (const [, , text] of readmeHits) console.log(`  readme: ${String(text).slice(0, 60)}`);
}

// ---------------------------------------------------------------------------------------------
// Dev samples moved onto each surface.

interface Sample {
  id: number;
  split: string;
  label: "attack" | "benign";
  field?: string;
  tool?: { name: string; description?: unknown };
}
const SETS = [
  "attacks-poisoning",
  "attacks-fresh",
  "attacks-third",
  "attacks-fourth",
  "attacks-fifth",
  "attacks-sixth",
  "attacks-probe",
  "benign-more",
];
const samples = SETS.flatMap((set) =>
  readFileSync(join(ROOT, "bench/security", `${set}.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => ({ set, ...(JSON.parse(line) as Sample) })),
).filter(
  (s) =>
    s.split === "dev" &&
    typeof s.tool?.description === "string" &&
    (s.field === undefined || s.field === "description"),
);
/** One description on each surface. */
const SURFACES: [string, (name: string, text: string) => Entry][] = [
  ["prompt description", (name, text) => ["prompt", name, { name, description: text }]],
  [
    "resource description",
    (name, text) => [
      "resource",
      `file:///${name}`,
      { uri: `file:///${name}`, name, description: text },
    ],
  ],
  [
    "template description",
    (name, text) => [
      "template",
      `data://${name}/{id}`,
      { uriTemplate: `data://${name}/{id}`, name, description: text },
    ],
  ],
  ["server instructions", (_name, text) => ["instructions", "", text]],
];
const sampleRows: (string | number)[][] = [];
for (const label of ["attack", "benign"] as const) {
  const set = samples.filter((s) => s.label === label);
  // For reference: the same description as a tool's, with nothing else of the tool.
  const asTool = set.filter((s) =>
    scanTool("x", { name: s.tool!.name, description: s.tool!.description as string }).some(
      (finding) => finding.severity === "high",
    ),
  );
  sampleRows.push([
    `dev ${label}s (tool description only) as a tool's description`,
    set.length,
    asTool.length,
    `${((100 * asTool.length) / set.length).toFixed(1)}%`,
  ]);
  for (const [surface, make] of SURFACES) {
    const hits = set.filter((s) => flagged(make(s.tool!.name, s.tool!.description as string)));
    sampleRows.push([
      `dev ${label}s (tool description only) as ${surface}`,
      set.length,
      hits.length,
      `${((100 * hits.length) / set.length).toFixed(1)}%`,
    ]);
    const wrong = label === "attack" ? set.filter((s) => !hits.includes(s)) : hits;
    if (showMisses) for (const s of wrong) console.log(`  ${surface} ${label} ${s.set} #${s.id}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Cost.

const time = (entries: Entry[]) => {
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const entry of entries) {
      const start = performance.now();
      flagged(entry);
      times.push((performance.now() - start) * 1000);
    }
  }
  const s = summarize(times);
  return [String(s.n), s.p50, s.p90, s.p99];
};

console.log("\nReal texts on every surface (must be 0)\n");
printTable(
  ["set", "entries", "HIGH (held back)"],
  realRows.map((cells) => cells.map(String)),
);
console.log(
  `\nStress: the published servers' READMEs read as instructions: ${readmeHits.length} of ${readmes.length} held back\n`,
);
console.log("\nDev samples moved onto each surface\n");
printTable(
  ["set", "samples", "HIGH (held back)", "rate"],
  sampleRows.map((cells) => cells.map(String)),
);
console.log("\nCost (microseconds)\n");
printTable(
  ["what", "n", "p50", "p90", "p99"],
  [
    ["scan one real tool as a prompt", ...time(moved[0]![1])],
    ["scan one real tool description as instructions", ...time(moved[1]![1])],
  ],
);
