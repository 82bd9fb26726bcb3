import { readFileSync } from "node:fs";
import { defineCommand } from "citty";
import { loadConfigCached } from "../../config/cache.ts";
import type { BackendEntry } from "../../config/edit.ts";
import { parseConfigText } from "../../config/locate.ts";
import { logger } from "../../logger.ts";
import { redactTree } from "../../setup/secrets.ts";
import { runPrinting } from "../_args.ts";
import { listSpec } from "../_tree.ts";

/** One backend as `list` shows it: what the file says, not the expanded secrets. */
interface ListedBackend {
  name: string;
  transport: string;
  enabled: boolean;
  command?: string;
  args?: string[];
  url?: string;
  /** The names of its environment variables and headers (values are not shown). */
  env: string[];
  headers: string[];
  description?: string;
  /** Why it cannot start as configured (a missing variable, say). */
  error?: string;
}

export default defineCommand({
  ...listSpec,
  async run({ args }) {
    await runPrinting(async () => {
      const config = await loadConfigCached({ path: args.config });
      const raw = config.file ? writtenBackends(config.file) : {};
      const backends = config.backends.map((backend): ListedBackend => {
        const written: BackendEntry = raw[backend.name] ?? {};
        const shown = redactTree(written) as BackendEntry;
        return {
          name: backend.name,
          transport: backend.transport,
          enabled: backend.enabled,
          command: typeof shown.command === "string" ? shown.command : undefined,
          args: backend.command ? (shown.args ?? []) : undefined,
          url: backend.url ? writtenUrl(shown) : undefined,
          env: Object.keys(backend.env),
          headers: Object.keys(backend.headers),
          description: backend.description,
          error: backend.configError,
        };
      });
      if (args.json) {
        const out = { config: config.file ?? null, backends };
        console.log(JSON.stringify(out, null, 2));
        return;
      }
      if (args.quiet) {
        for (const backend of backends) console.log(backend.name);
        return;
      }
      if (!config.file) logger.info("no config file found: the built-in default has no backends");
      else if (backends.length === 0)
        logger.info(`${config.file}: no backends yet (add one with \`mcp-gateway add\`)`);
      printTable(backends);
    }, args);
  },
});

function printTable(backends: ListedBackend[]): void {
  if (backends.length === 0) return;
  const rows = backends.map((backend) => [
    backend.name,
    backend.transport,
    backend.url ?? [backend.command ?? "", ...(backend.args ?? [])].join(" "),
    backend.error ? `error: ${backend.error}` : backend.enabled ? "" : "disabled",
  ]);
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) {
    const line = `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}${row[3] ? `  (${row[3]})` : ""}`;
    console.log(line);
  }
}

/** The backends as the file spells them (`${VAR}` unexpanded, so no secret is printed). */
function writtenBackends(file: string): Record<string, BackendEntry> {
  const tree = parseConfigText(readFileSync(file, "utf8"), file) as { backends?: unknown } | null;
  const backends = tree?.backends;
  return backends && typeof backends === "object" ? (backends as Record<string, BackendEntry>) : {};
}

/** The URL as written: `url`, the original's `http_url`, or nested under `transport`. */
function writtenUrl(written: BackendEntry): string {
  const nested = (written as { transport?: unknown }).transport;
  const inner = nested && typeof nested === "object" ? (nested as BackendEntry) : {};
  return String(written.url ?? written.http_url ?? inner.http_url ?? inner.url ?? "");
}
