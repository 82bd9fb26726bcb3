import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseYAML } from "confbox";
import { parseCapability } from "../../src/capabilities/load.ts";
import { locate } from "../../src/cli/_check.ts";
import { tree } from "../../src/cli/_tree.ts";
import { parseConfigText, resolveConfig } from "../../src/config/load.ts";
import { BackendSchema, ConfigSchema } from "../../src/config/schema.ts";
import { compileTransform, TransformSchema } from "../../src/gateway/transform.ts";
import { parsePlaybook } from "../../src/playbooks/load.ts";
import { readLock } from "../../src/security/pins.ts";
import { ROOT, tempDir } from "../helpers.ts";

/**
 * Every ```yaml and ```json block in README.md and docs/*.md is what a reader pastes into a
 * file, so each must load as written: a gateway config with no error and no warning (an unknown
 * key, a key of the original's that is not implemented, a missing env file), a capability file
 * or a playbook through their loaders. A block that is something else says so on the line before
 * its fence, `<!-- example: KIND -->`:
 *
 * - `capability`, `playbook`, `lock` (gateway.lock), `transform` (a `transform:` block of a
 *   capability or a backend's tool): checked by the loader of that kind;
 * - `client`: an AI client's entry that starts the gateway; its args must be a command line the
 *   CLI takes;
 * - `skip: REASON`: not a file of ours (a JSON-RPC request, Prometheus's config). Keep these few.
 *
 * Every `${VAR}` and `env:NAME` a block names is set (to a placeholder) while it loads: a
 * reader sets them.
 */

interface Block {
  where: string;
  lang: string;
  kind: string;
  reason?: string;
  body: string;
}

const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

const KINDS = ["gateway", "capability", "playbook", "lock", "transform", "client", "skip"];

/** The yaml and json blocks of `file`, fences indented under a list item included. */
function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const indent = fence[1]!.length;
    const lang = fence[2]!;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    const body = lines
      .slice(i + 1, end)
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join("\n");
    const marker = /^\s*<!--\s*example:\s*([a-z]+)(?::\s*(.*?))?\s*-->\s*$/.exec(
      lines[i - 1] ?? "",
    );
    const start = i + 1;
    i = end;
    if (!["yaml", "yml", "json", "jsonc"].includes(lang)) continue;
    out.push({
      where: `${file}:${start}`,
      lang,
      kind: marker?.[1] ?? "gateway",
      reason: marker?.[2],
      body,
    });
  }
  return out;
}

const BLOCKS = DOCS.flatMap(blocksOf);

/** A value for every variable the block names, as a reader who followed it would have set. */
function variablesOf(body: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of body.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g))
    env[match[1]!] = "a-value-of-forty-characters-0123456789ab";
  for (const match of body.matchAll(/\benv:([A-Za-z_][A-Za-z0-9_]*)/g))
    env[match[1]!] = "a-key-of-forty-characters-0123456789abcd";
  return env;
}

/** What is wrong with the block as the kind it is, or "" when nothing is. */
function problemOf(block: Block): string {
  const source = block.where;
  switch (block.kind) {
    case "gateway": {
      const dir = tempDir("mcpgw-docs-example-");
      try {
        const raw = parseConfigText(block.body, join(dir, `gateway.${block.lang}`));
        const config = resolveConfig(raw, {
          env: { HOME: dir, ...variablesOf(block.body) },
          baseDir: dir,
          // Run from the example's folder: relative paths missing there are not looked up in
          // the process's (the repository's own capabilities/).
          cwd: dir,
          file: join(dir, `gateway.${block.lang}`),
        });
        return config.warnings.length ? `warns: ${config.warnings.join("; ")}` : "";
      } catch (error) {
        return (error as Error).message;
      }
    }
    case "capability": {
      const result = parseCapability(block.body, source);
      return result.ok ? "" : result.errors.join("; ");
    }
    case "playbook": {
      const result = parsePlaybook(block.body, source, "capabilities");
      return result.ok ? "" : result.error;
    }
    case "lock": {
      const file = join(tempDir("mcpgw-docs-lock-"), "gateway.lock");
      writeFileSync(file, block.body);
      try {
        readLock(file);
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    }
    case "transform": {
      const parsed = TransformSchema.safeParse(
        (parseYAML(block.body) as { transform?: unknown })?.transform,
      );
      if (!parsed.success) return parsed.error.issues.map((issue) => issue.message).join("; ");
      const compiled = compileTransform(parsed.data, "transform");
      return compiled.ok ? "" : compiled.error;
    }
    case "client": {
      const servers = (JSON.parse(block.body) as { mcpServers?: Record<string, unknown> })
        .mcpServers;
      if (!servers || !Object.keys(servers).length) return "names no server under mcpServers";
      for (const [name, entry] of Object.entries(servers)) {
        const { command, args = [] } = entry as { command?: string; args?: string[] };
        if (command !== "mcp-gateway") return `${name}: command is not mcp-gateway`;
        const found = locate(tree, args);
        const problem = found.unknownCommand ?? found.unknownFlag ?? found.incomplete;
        if (problem) return `${name}: ${problem}`;
      }
      return "";
    }
    case "skip":
      return block.reason ? "" : "a skipped block must give its reason";
    default:
      return `unknown example kind ${block.kind} (one of ${KINDS.join(", ")})`;
  }
}

describe("the yaml and json examples in README.md and docs/*.md", () => {
  test("are found, and few are skipped", () => {
    expect(BLOCKS.filter((block) => block.kind === "gateway").length).toBeGreaterThan(15);
    const skipped = BLOCKS.filter((block) => block.kind === "skip");
    expect(skipped.map((block) => block.where).length).toBeLessThanOrEqual(3);
  });

  for (const file of DOCS) {
    const blocks = BLOCKS.filter((block) => block.where.startsWith(`${file}:`));
    if (!blocks.length) continue;
    test(`${file}: each loads as written, as the kind it is`, () => {
      const failures = blocks
        .map((block) => ({ block, problem: problemOf(block) }))
        .filter(({ problem }) => problem)
        .map(({ block, problem }) => `${block.where} (${block.kind}): ${problem}`);
      expect(failures).toEqual([]);
    });
  }
});

/** The schema under its optional, default and pipe wrappers. */
function unwrap(
  schema: unknown,
): { type: string; shape?: Record<string, unknown>; element?: unknown } | undefined {
  let current = schema as { _zod?: { def: Record<string, unknown> } } | undefined;
  for (let i = 0; i < 20 && current?._zod; i++) {
    const def = current._zod.def;
    if (
      !["optional", "default", "prefault", "nullable", "pipe", "readonly", "catch"].includes(
        def.type as string,
      )
    )
      return def as { type: string; shape?: Record<string, unknown>; element?: unknown };
    current = (def.innerType ?? def.in) as typeof current;
  }
  return undefined;
}

/** Every key path of a schema (`server.host`, `auth.api_keys[].name`), down to `depth`. */
function keyPaths(schema: unknown, depth: number, prefix = ""): string[] {
  const def = unwrap(schema);
  if (!def || depth < 0) return [];
  if (def.type === "array") return keyPaths(def.element, depth, `${prefix.slice(0, -1)}[].`);
  if (def.type !== "object") return [];
  return Object.entries(def.shape!).flatMap(([key, value]) => [
    `${prefix}${key}`,
    ...keyPaths(value, depth - 1, `${prefix}${key}.`),
  ]);
}

/** The rows of the markdown tables under `heading` in configuration.md, up to the next heading. */
function tableRows(heading: string): { key: string; text: string }[] {
  const text = readFileSync(join(ROOT, "docs/configuration.md"), "utf8");
  const start = text.indexOf(`\n${heading}\n`);
  const rest = text.slice(start + heading.length + 2);
  const section = rest.slice(0, rest.search(/\n#{2,3} /));
  return [...section.matchAll(/^\| `([^`]+)` \|(.*)$/gm)].map((match) => ({
    key: match[1]!,
    text: match[2]!,
  }));
}

const parentOf = (path: string) => path.split(".").slice(0, -1).join(".");

/**
 * A key is covered by its own row; by the row of a key it is part of (`auth.api_keys` describes
 * each entry's fields); by rows for its fields; or by a row beside it that names it
 * (`security.firewall.enabled` names the original's `scan_requests`).
 */
function covered(rows: { key: string; text: string }[], path: string): boolean {
  const leaf = path.split(".").at(-1)!;
  return rows.some(
    (row) =>
      row.key === path ||
      path.startsWith(`${row.key}.`) ||
      path.startsWith(`${row.key}[].`) ||
      row.key.startsWith(`${path}.`) ||
      (parentOf(row.key) === parentOf(path) && row.text.includes(`\`${leaf}\``)),
  );
}

describe("docs/configuration.md's tables", () => {
  test("name every key of the config (backends, failsafe, cache and routing profiles have sections of their own)", () => {
    const rows = tableRows("## Keys");
    const missing = keyPaths(ConfigSchema, 2)
      .filter((path) => !/^(backends|failsafe|cache|routing_profiles)(\.|$)/.test(path))
      .filter((path) => !covered(rows, path));
    expect(missing).toEqual([]);
  });

  test("name every key of a backend", () => {
    const rows = tableRows("### A backend");
    const missing = keyPaths(BackendSchema, 0).filter((path) => !covered(rows, path));
    expect(missing).toEqual([]);
  });

  test("show every key of failsafe and cache in the block of defaults", () => {
    const block = BLOCKS.find(
      (b) => b.where.startsWith("docs/configuration.md:") && /^failsafe:/m.test(b.body),
    );
    expect(block).toBeDefined();
    const tree = parseYAML(block!.body) as Record<string, unknown>;
    // A key written with no value (`failure_rate: ~`, which has no default) is shown too.
    const shown = (path: string) => {
      const keys = path.split(".");
      const parent = keys
        .slice(0, -1)
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], tree);
      return !!parent && typeof parent === "object" && keys.at(-1)! in parent;
    };
    const missing = keyPaths(ConfigSchema, 2)
      .filter((path) => /^(failsafe|cache)\./.test(path))
      .filter((path) => !shown(path));
    expect(missing).toEqual([]);
  });
});
