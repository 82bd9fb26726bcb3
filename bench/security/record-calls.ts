/**
 * Records real tool calls for the firewall's false-positive benchmark: ordinary calls to the
 * published filesystem, memory and everything servers (run here from node_modules), with the
 * results they returned, written to bench/security/calls.json beside the hand-written ordinary
 * arguments for servers that cannot run here (git, postgres, kubernetes, ...; `args-only`).
 *
 *   bun bench/security/record-calls.ts
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const ROOT = resolve(import.meta.dir, "../..");
const MODULES = join(ROOT, "node_modules/@modelcontextprotocol");
const OUT = join(import.meta.dir, "calls.json");
const scratch = mkdtempSync(join(tmpdir(), "fw-bench-"));

type Args = Record<string, unknown>;
interface Recorded {
  server: string;
  tool: string;
  arguments: Args;
  result?: unknown;
}

const LIVE: Record<string, { args: string[]; calls: [string, Args][] }> = {
  filesystem: {
    args: [join(MODULES, "server-filesystem/dist/index.js"), ROOT, scratch],
    calls: [
      ["list_allowed_directories", {}],
      ["read_text_file", { path: join(ROOT, "README.md") }],
      ["read_text_file", { path: join(ROOT, "package.json") }],
      ["read_text_file", { path: join(ROOT, "src/gateway/router.ts") }],
      ["read_text_file", { path: join(ROOT, "src/config/schema.ts") }],
      ["read_text_file", { path: join(ROOT, "docs/configuration.md") }],
      ["read_text_file", { path: join(ROOT, "docs/operations.md") }],
      ["read_text_file", { path: join(ROOT, "docs/cli.md") }],
      ["read_text_file", { path: join(ROOT, "bench/corpus/README.md") }],
      ["read_text_file", { path: join(ROOT, "src/search/tokenize.ts"), head: 40 }],
      // Source files of several kinds: code, comments, regular expressions, protocol names.
      ...sourceFiles(["src/gateway", "src/backends", "src/search", "src/cli/commands"]).map(
        (path): [string, Args] => ["read_text_file", { path }],
      ),
      ["read_multiple_files", { paths: [join(ROOT, "tsconfig.json"), join(ROOT, "biome.json")] }],
      ["list_directory", { path: join(ROOT, "src") }],
      ["list_directory_with_sizes", { path: join(ROOT, "src/gateway"), sortBy: "size" }],
      ["directory_tree", { path: join(ROOT, "src/meta") }],
      ["search_files", { path: join(ROOT, "src"), pattern: "*.ts" }],
      ["get_file_info", { path: join(ROOT, "package.json") }],
      ["create_directory", { path: join(scratch, "notes/2026") }],
      ["write_file", { path: join(scratch, "notes/todo.md"), content: "# TODO\n- ship it\n" }],
      [
        "edit_file",
        {
          path: join(scratch, "notes/todo.md"),
          edits: [{ oldText: "- ship it", newText: "- ship it\n- write the docs" }],
        },
      ],
      ["read_text_file", { path: join(scratch, "notes/../notes/todo.md") }],
      [
        "move_file",
        { source: join(scratch, "notes/todo.md"), destination: join(scratch, "notes/done.md") },
      ],
    ],
  },
  memory: {
    args: [join(MODULES, "server-memory/dist/index.js")],
    calls: [
      [
        "create_entities",
        {
          entities: [
            { name: "Ada", entityType: "person", observations: ["writes SQL; likes 'quotes'"] },
            { name: "mcp-gateway", entityType: "project", observations: ["TypeScript on Bun"] },
          ],
        },
      ],
      [
        "create_relations",
        { relations: [{ from: "Ada", to: "mcp-gateway", relationType: "maintains" }] },
      ],
      ["add_observations", { observations: [{ entityName: "Ada", contents: ["prefers rm -i"] }] }],
      ["search_nodes", { query: "Ada" }],
      ["open_nodes", { names: ["Ada", "mcp-gateway"] }],
      ["read_graph", {}],
      [
        "delete_observations",
        { deletions: [{ entityName: "Ada", observations: ["prefers rm -i"] }] },
      ],
    ],
  },
  everything: {
    args: [join(MODULES, "server-everything/dist/index.js"), "stdio"],
    calls: [
      ["echo", { message: "Hello from the firewall benchmark" }],
      ["echo", { message: "SELECT * FROM orders WHERE id = 'A-1' -- note" }],
      ["get-sum", { a: 2, b: 40 }],
      ["get-structured-content", { location: "New York" }],
      ["get-annotated-message", { messageType: "error", includeImage: false }],
      ["get-resource-links", { count: 3 }],
      ["get-resource-reference", { resourceType: "Text", resourceId: 1 }],
    ],
  },
};

function sourceFiles(dirs: string[]): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((name) => name.endsWith(".ts"))
      .sort()
      .map((name) => join(ROOT, dir, name)),
  );
}

async function record(server: string): Promise<Recorded[]> {
  const { args, calls } = LIVE[server]!;
  const client = new Client({ name: "fw-bench", version: "1" }, { capabilities: {} });
  await client.connect(new StdioClientTransport({ command: "node", args, stderr: "ignore" }));
  const out: Recorded[] = [];
  try {
    for (const [tool, toolArgs] of calls) {
      const result = await client.callTool({ name: tool, arguments: toolArgs });
      // Absolute paths of this machine become `<root>` so the file is the same everywhere.
      const text = JSON.stringify(result).replaceAll(ROOT, "<root>").replaceAll(scratch, "<tmp>");
      const stored = JSON.stringify(toolArgs)
        .replaceAll(ROOT, "<root>")
        .replaceAll(scratch, "<tmp>");
      out.push({ server, tool, arguments: JSON.parse(stored), result: JSON.parse(text) });
    }
  } finally {
    await client.close();
  }
  return out;
}

const handWritten = JSON.parse(
  readFileSync(join(import.meta.dir, "args-only.json"), "utf8"),
) as Recorded[];
const recorded: Recorded[] = [];
for (const server of Object.keys(LIVE)) recorded.push(...(await record(server)));
// One call a line: diffs of a re-recording stay readable.
const lines = [...recorded, ...handWritten].map((call) => JSON.stringify(call));
writeFileSync(OUT, `[\n${lines.join(",\n")}\n]\n`);
console.log(`${recorded.length} recorded calls + ${handWritten.length} argument samples -> ${OUT}`);
