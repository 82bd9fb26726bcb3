import { z } from "zod";
import { parseDuration } from "./duration.ts";

/** `30d`, `12h`, or any duration (`500ms|30s|2m|1h|N`), resolved to milliseconds. */
const AgeSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const days = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*d\s*$/.exec(value) : null;
  const ms = days ? Number(days[1]) * 86_400_000 : parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `expected an age like 30d, 12h or 90m, got ${value}` });
    return z.NEVER;
  }
  return ms;
});

const BYTE_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  ki: 1024,
  mi: 1024 ** 2,
  gi: 1024 ** 3,
};

/** `500MB`, `2GiB`, `100000` (bytes), resolved to bytes. */
const SizeSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?)?b?\s*$/i.exec(String(value));
  const unit = BYTE_UNITS[(match?.[2] ?? "").toLowerCase()];
  if (!match || unit === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a size like 500MB or 2GiB, got ${value}` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * unit);
});

/** The audit log: every call, refusal and admin action, in the state database. */
export const AuditSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    retention: z
      .strictObject({
        /** Rows older than this are deleted. */
        max_age: AgeSchema.default(30 * 86_400_000),
        /** The audit rows' share of the state database stays under this. */
        max_size: SizeSchema.default(500_000_000),
      })
      .prefault({}),
    /** Also keep the (redacted) arguments in each row; off: only their hash. */
    include_arguments: z.boolean().default(false),
    /** Also append each row as a JSON line to this file (for a log pipeline). */
    file: z.string().optional(),
  })
  .prefault({});
export type AuditConfig = z.infer<typeof AuditSchema>;

const ActionSchema = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(z.enum(["log", "notify", "block"]));

const Cost = z.number().min(0);

/** The original gateway's `cost_governance`: what calls cost, daily budgets, alerts. */
export const CostGovernanceSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    currency: z.string().default("USD"),
    /** The cost of a tool with no entry in `tool_costs` and no capability `cost_per_call`. */
    default_cost: Cost.default(0),
    /** Per tool: a bare tool name (any server) or `server:tool`. */
    tool_costs: z.record(z.string(), Cost).default({}),
    budgets: z
      .strictObject({
        /** Across every call, per UTC day. */
        daily: Cost.optional(),
        /** Per tool (bare name or `server:tool`), per UTC day. */
        per_tool: z.record(z.string(), Cost).default({}),
        /** Per API key name (or OAuth subject), per UTC day. */
        per_key: z.record(z.string(), Cost).default({}),
      })
      .prefault({}),
    alerts: z
      .array(z.strictObject({ at_percent: z.number().min(0).max(1000), action: ActionSchema }))
      .default([
        { at_percent: 50, action: "log" },
        { at_percent: 80, action: "notify" },
        { at_percent: 100, action: "block" },
      ]),
    /** Cheaper equivalents by category, named in a refusal: category -> tool names. */
    alternatives: z.record(z.string(), z.array(z.string())).default({}),
  })
  .prefault({});
export type CostGovernanceConfig = z.infer<typeof CostGovernanceSchema>;
