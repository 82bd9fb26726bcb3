/**
 * Lists what the published servers in node_modules hand a model besides their tools: the
 * `instructions` of initialize, prompts, resources and resource templates, and writes them to
 * bench/corpus/surfaces.json (`{ server: { instructions, prompts, resources, resourceTemplates } }`,
 * data only, never edited). bench/security/surfaces.ts measures the poisoning scanner on them.
 *
 *   bun bench/corpus/build-surfaces.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const ROOT = resolve(import.meta.dir, "../..");
const OUT = join(ROOT, "bench/corpus/surfaces.json");

/** The servers, by package; `{dir}` in an argument is a scratch folder. */
const SOURCES: Record<string, { pkg: string; args?: string[]; env?: Record<string, string> }> = {
  everything: { pkg: "@modelcontextprotocol/server-everything", args: ["stdio"] },
  filesystem: { pkg: "@modelcontextprotocol/server-filesystem", args: ["{dir}"] },
  memory: {
    pkg: "@modelcontextprotocol/server-memory",
    env: { MEMORY_FILE_PATH: "{dir}/memory.jsonl" },
  },
};

function entryPoint(pkg: string): string {
  const folder = join(ROOT, "node_modules", pkg);
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const bin =
    typeof manifest.bin === "string" ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  if (typeof bin !== "string") throw new Error(`${pkg} has no bin in its package.json`);
  return join(folder, bin);
}

/** Every page of a list. */
async function all<T>(
  list: (cursor?: string) => Promise<{ nextCursor?: string } & Record<string, unknown>>,
  key: string,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    out.push(...((page[key] as T[]) ?? []));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function surfacesOf(name: string, dir: string): Promise<Record<string, unknown>> {
  const source = SOURCES[name]!;
  const fill = (s: string) => s.replaceAll("{dir}", dir);
  const transport = new StdioClientTransport({
    command: "node",
    args: [entryPoint(source.pkg), ...(source.args ?? []).map(fill)],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      ...Object.fromEntries(Object.entries(source.env ?? {}).map(([k, v]) => [k, fill(v)])),
    },
    stderr: "ignore",
    cwd: dir,
  });
  const client = new Client({ name: "surfaces-builder", version: "1.0.0" }, { capabilities: {} });
  try {
    await client.connect(transport);
    const caps = client.getServerCapabilities() ?? {};
    const out: Record<string, unknown> = { instructions: client.getInstructions() ?? null };
    out.prompts = caps.prompts
      ? await all((cursor) => client.listPrompts(cursor ? { cursor } : {}), "prompts")
      : [];
    out.resources = caps.resources
      ? await all((cursor) => client.listResources(cursor ? { cursor } : {}), "resources")
      : [];
    out.resourceTemplates = caps.resources
      ? await all(
          (cursor) => client.listResourceTemplates(cursor ? { cursor } : {}),
          "resourceTemplates",
        )
      : [];
    return out;
  } finally {
    await client.close().catch(() => {});
  }
}

if (import.meta.main) {
  const dir = mkdtempSync(join(tmpdir(), "surfaces-"));
  try {
    const corpus: Record<string, unknown> = {};
    for (const name of Object.keys(SOURCES)) {
      corpus[name] = await surfacesOf(name, dir);
      const c = corpus[name] as Record<string, unknown[] | string | null>;
      console.error(
        `${name}: instructions ${c.instructions ? "yes" : "no"}, ${c.prompts?.length} prompts, ` +
          `${c.resources?.length} resources, ${c.resourceTemplates?.length} templates`,
      );
    }
    writeFileSync(OUT, `${JSON.stringify(corpus, null, 1)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
