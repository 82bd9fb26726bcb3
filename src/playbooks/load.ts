import { existsSync, readFileSync } from "node:fs";
import { parseYAML } from "confbox";
import { z } from "zod";
import { findCapabilityFiles } from "../capabilities/load.ts";
import { formatPath } from "../config/env.ts";
import { logger } from "../logger.ts";

const log = logger.withTag("playbooks");

const StepSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - (it is referenced as $steps.<name>)"),
    /** `server:tool`, or a tool name with `server` (the original: the capabilities backend). */
    tool: z.string().min(1),
    server: z.string().optional(),
    /** Arguments; `arguments` is the original's other spelling. */
    args: z.record(z.string(), z.unknown()).optional(),
    arguments: z.record(z.string(), z.unknown()).optional(),
    /** A failing optional step is recorded and the playbook goes on. */
    optional: z.boolean().default(false),
    /**
     * The original's condition: the step runs only when it holds (`$ref`, `$ref == 'value'`,
     * `$ref != 'value'`, `$ref | length > N`; see src/playbooks/run.ts).
     */
    condition: z.string().optional(),
  })
  .refine((step) => !(step.args && step.arguments), "has both `args` and `arguments`; keep one");

export const PlaybookSchema = z.strictObject({
  /** The original's format version (`"1.0"`). */
  playbook: z.string().optional(),
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and -"),
  description: z.string().default(""),
  /** A JSON schema of the playbook's arguments (`inputs` in the original), shown in search. */
  inputs: z.record(z.string(), z.unknown()).optional(),
  steps: z.array(StepSchema).min(1),
  /**
   * `continue`: every step is optional; `stop` (default): the first failure ends the run;
   * `retry` (the original's): a failing step is tried `max_retries` times, then the run goes on.
   */
  on_error: z.enum(["stop", "continue", "abort", "retry"]).default("stop"),
  max_retries: z.number().int().min(0).default(1),
  /** Seconds the whole run may take. */
  timeout: z.number().positive().optional(),
  /** The original's output mapping: each property is a reference, with a value when it is null. */
  output: z
    .object({
      properties: z.record(
        z.string(),
        z.object({ path: z.string().min(1), fallback: z.unknown().optional() }),
      ),
    })
    .optional(),
});
export type PlaybookFile = z.infer<typeof PlaybookSchema>;

export interface PlaybookStep {
  name: string;
  server: string;
  tool: string;
  args: Record<string, unknown>;
  optional: boolean;
  condition?: string;
  /** Tries before it counts as failed (`on_error: retry`). */
  attempts: number;
}

export interface Playbook {
  name: string;
  description: string;
  inputs?: Record<string, unknown>;
  steps: PlaybookStep[];
  timeoutMs?: number;
  /** The original's output mapping: name -> reference, and the value when it leads to null. */
  output?: Record<string, { path: string; fallback?: unknown }>;
  source: string;
}

/** Parses one playbook file's text; every error names the file and the field. */
export function parsePlaybook(
  text: string,
  source: string,
  defaultServer: string,
): { ok: true; playbook: Playbook } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = parseYAML(text);
  } catch (error) {
    return {
      ok: false,
      error: `${source}: cannot parse YAML: ${(error as Error).message.split("\n")[0]}`,
    };
  }
  const parsed = PlaybookSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${formatPath(issue.path)}: ${issue.message}`,
    );
    return { ok: false, error: `${source}: ${issues.join("; ")}` };
  }
  const file = parsed.data;
  const seen = new Set<string>();
  const steps: PlaybookStep[] = [];
  for (const [i, step] of file.steps.entries()) {
    if (seen.has(step.name))
      return { ok: false, error: `${source}: steps[${i}].name: "${step.name}" is used twice` };
    seen.add(step.name);
    const colon = step.server ? -1 : step.tool.indexOf(":");
    steps.push({
      name: step.name,
      server: step.server ?? (colon > 0 ? step.tool.slice(0, colon) : defaultServer),
      tool: colon > 0 ? step.tool.slice(colon + 1) : step.tool,
      args: step.args ?? step.arguments ?? {},
      optional: step.optional || file.on_error === "continue" || file.on_error === "retry",
      ...(step.condition ? { condition: step.condition } : {}),
      attempts: file.on_error === "retry" ? Math.max(1, file.max_retries) : 1,
    });
  }
  return {
    ok: true,
    playbook: {
      name: file.name,
      description: file.description.trim(),
      ...(file.inputs ? { inputs: file.inputs } : {}),
      steps,
      ...(file.timeout ? { timeoutMs: file.timeout * 1000 } : {}),
      ...(file.output ? { output: file.output.properties } : {}),
      source,
    },
  };
}

/**
 * Every playbook under the folders (`*.yaml`, `*.yml`), by name. A file that does not load is
 * skipped with one error line naming it; a later file with a name already taken is skipped too.
 */
export function loadPlaybooks(directories: string[], defaultServer: string): Map<string, Playbook> {
  const out = new Map<string, Playbook>();
  for (const dir of directories) {
    if (!existsSync(dir)) continue;
    for (const file of findCapabilityFiles(dir)) {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        log.error(`${file}: cannot read: ${(error as Error).message}`);
        continue;
      }
      const result = parsePlaybook(text, file, defaultServer);
      if (!result.ok) {
        log.error(`${result.error}; skipped`);
        continue;
      }
      const taken = out.get(result.playbook.name);
      if (taken) {
        log.error(
          `${file}: playbook "${result.playbook.name}" is already defined in ${taken.source}; skipped`,
        );
        continue;
      }
      out.set(result.playbook.name, result.playbook);
    }
  }
  return out;
}
