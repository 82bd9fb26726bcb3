import { errorMessage } from "../errors.ts";
import type { CallToolResult } from "../mcp/sdk.ts";
import type { Playbook } from "./load.ts";

/** One step as the result reports it. */
export interface StepReport {
  name: string;
  server: string;
  tool: string;
  status: "ok" | "error" | "skipped";
  durationMs: number;
  optional?: boolean;
  error?: string;
  /** The step's condition, when it did not hold (the step was skipped). */
  condition?: string;
}

export interface PlaybookRun {
  playbook: string;
  ok: boolean;
  durationMs: number;
  steps: StepReport[];
  /** The last successful step's result. */
  result: unknown;
  /** The playbook's `output` mapping, resolved (the original's result). */
  output?: Record<string, unknown>;
}

/** Calls one tool the way a direct call would (router, scopes, lock, firewall, budgets). */
export type StepCaller = (
  server: string,
  tool: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<CallToolResult>;

/**
 * Runs the steps in order. A step's arguments may refer to `$args.x` (the playbook's arguments;
 * `$inputs.x` is the original's spelling), `$prev` (the previous step's result), and
 * `$steps.<name>.result.<path>` (any earlier step; the original's `$<name>.<path>` too), with
 * `.field` and `[n]` in the path. A string that is one reference keeps the value's type; a
 * reference inside text is written into it. A failing step ends the run unless it is optional.
 */
export async function runPlaybook(
  playbook: Playbook,
  args: Record<string, unknown>,
  call: StepCaller,
  signal: AbortSignal,
): Promise<PlaybookRun> {
  const started = performance.now();
  const runSignal = playbook.timeoutMs
    ? AbortSignal.any([signal, AbortSignal.timeout(playbook.timeoutMs)])
    : signal;
  const steps: Record<string, { status: string; result?: unknown; error?: string }> = {};
  const reports: StepReport[] = [];
  let prev: unknown = null;
  let stopped = false;
  for (const step of playbook.steps) {
    const report: StepReport = {
      name: step.name,
      server: step.server,
      tool: step.tool,
      status: "skipped",
      durationMs: 0,
      ...(step.optional ? { optional: true } : {}),
    };
    reports.push(report);
    if (stopped) continue;
    const scope = { args, prev, steps };
    if (step.condition && !holds(step.condition, scope)) {
      // As in the original: a later reference to the step finds null.
      report.condition = step.condition;
      steps[step.name] = { status: "skipped", result: null };
      continue;
    }
    const stepStarted = performance.now();
    for (let attempt = 1; attempt <= step.attempts; attempt++) {
      try {
        if (runSignal.aborted) throw new Error(`the playbook's timeout or the client cancelled`);
        const resolved = interpolate(step.args, scope) as Record<string, unknown>;
        const result = await call(step.server, step.tool, resolved, runSignal);
        const value = stepValue(result);
        if (result.isError)
          throw new Error(typeof value === "string" ? value : JSON.stringify(value));
        report.status = "ok";
        delete report.error;
        steps[step.name] = { status: "ok", result: value };
        prev = value;
        break;
      } catch (error) {
        report.status = "error";
        report.error = errorMessage(error);
        steps[step.name] = { status: "error", error: report.error };
      }
    }
    if (report.status === "error" && !step.optional) stopped = true;
    report.durationMs = Math.round(performance.now() - stepStarted);
  }
  return {
    playbook: playbook.name,
    ok: !stopped,
    durationMs: Math.round(performance.now() - started),
    steps: reports,
    result: prev,
    ...(playbook.output ? { output: mapOutput(playbook.output, { args, prev, steps }) } : {}),
  };
}

/** The original's `output`: each reference's value, its `fallback` when that is null. */
function mapOutput(output: NonNullable<Playbook["output"]>, scope: Scope): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(output).map(([name, { path, fallback }]) => [
      name,
      lookup(path, scope) ?? fallback ?? null,
    ]),
  );
}

/** A reference's value, or null when it leads nowhere (an unknown or skipped step). */
function lookup(ref: string, scope: Scope): unknown {
  const trimmed = ref.trim();
  try {
    return resolve(trimmed.startsWith("$") ? trimmed : `$${trimmed}`, scope);
  } catch {
    return null;
  }
}

/**
 * Whether a step's condition holds, in the original's forms: `$ref | length > N` (also `>=`,
 * `<`, `<=`, `==`), `$ref == 'value'` and `!=`, or `$ref` alone (not null, false, 0, empty).
 */
function holds(condition: string, scope: Scope): boolean {
  const length = /^(.*?)\|\s*length\s*(>=|<=|==|>|<)\s*(\d+)\s*$/.exec(condition);
  if (length) {
    const value = lookup(length[1]!, scope);
    const size =
      typeof value === "string" || Array.isArray(value)
        ? value.length
        : value && typeof value === "object"
          ? Object.keys(value).length
          : 0;
    const n = Number(length[3]);
    const op = length[2];
    return op === ">"
      ? size > n
      : op === ">="
        ? size >= n
        : op === "<"
          ? size < n
          : op === "<="
            ? size <= n
            : size === n;
  }
  const compare = /^(.*?)\s*(==|!=)\s*(.*)$/.exec(condition);
  if (compare) {
    const value = lookup(compare[1]!, scope);
    const text = compare[3]!.trim().replace(/^(['"])(.*)\1$/, "$2");
    const same = value !== null && typeof value !== "object" && String(value) === text;
    return compare[2] === "==" ? same : !same;
  }
  const value = lookup(condition.split("|")[0]!, scope);
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return Object.keys(value).length > 0;
  return !!value;
}

/** A step's result as later steps see it: structured content, else JSON text parsed, else text. */
export function stepValue(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const texts = (result.content ?? []).flatMap((block) =>
    block.type === "text" ? [block.text] : [],
  );
  const text = texts.join("\n");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

interface Scope {
  args: Record<string, unknown>;
  prev: unknown;
  steps: Record<string, unknown>;
}

const REF = /\$(?:[A-Za-z_][\w-]*)(?:\.[\w-]+|\[\d*\])*/g;
const WHOLE = /^\$(?:[A-Za-z_][\w-]*)(?:\.[\w-]+|\[\d*\])*$/;

/** Replaces references throughout a value (see `runPlaybook`). */
export function interpolate(value: unknown, scope: Scope): unknown {
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (WHOLE.test(trimmed)) return resolve(trimmed, scope);
    return value.replace(REF, (ref) => {
      const found = resolve(ref, scope);
      if (found === undefined || found === null) return "";
      return typeof found === "string" ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, scope));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, scope)]));
  }
  return value;
}

/** `[]` in a path: every element of the list (the original's `$step.items[].url`). */
const EVERY = Symbol("every");
type PathPart = string | number | typeof EVERY;

/** One `$root.path` reference's value; `null` when it leads nowhere. */
function resolve(ref: string, scope: Scope): unknown {
  const parts = ref
    .slice(1)
    .split(/\.|(?=\[)/)
    .map((part): PathPart => {
      if (part === "[]") return EVERY;
      return part.startsWith("[") ? Number(part.slice(1, -1)) : part;
    });
  const [root, ...path] = parts as [string, ...PathPart[]];
  let value: unknown;
  if (root === "prev") value = scope.prev;
  else if (root === "args" || root === "inputs") value = scope.args;
  else if (root === "steps") value = scope.steps;
  else if (root in scope.steps) {
    // The original's `$<step>.<path>`: the step's result itself.
    value = (scope.steps[root] as { result?: unknown }).result;
  } else {
    throw new Error(
      `unknown reference ${ref}: use $args.<name>, $prev or $steps.<step>.result (an earlier step)`,
    );
  }
  return walk(value, path);
}

function walk(value: unknown, path: PathPart[]): unknown {
  for (const [i, key] of path.entries()) {
    if (value === null || value === undefined || typeof value !== "object") return null;
    if (key === EVERY) {
      if (!Array.isArray(value)) return null;
      const rest = path.slice(i + 1);
      return value.map((item) => walk(item, rest)).filter((item) => item !== null);
    }
    value = (value as Record<string | number, unknown>)[key];
  }
  return value ?? null;
}
