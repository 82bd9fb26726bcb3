import type { JsonObject } from "../backends/types.ts";
import { GatewayError } from "../errors.ts";
import type { Caller } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { Playbook } from "../playbooks/load.ts";
import { asTool, PLAYBOOK_SERVER } from "../playbooks/registry.ts";
import { runPlaybook } from "../playbooks/run.ts";
import { withWarnings } from "../security/call-notes.ts";
import { nestedCaller } from "./invoke.ts";
import type { MetaTool } from "./types.ts";
import { jsonResult, objectSchema, stringArg } from "./types.ts";

/** Whether every step of a playbook is a tool the caller may see (so it may list and run it). */
export function playbookVisible(gateway: Gateway, caller: Caller, playbook: Playbook): boolean {
  return playbook.steps.every((step) => {
    const server = gateway.pool.canonical(step.server);
    return gateway.router.visible(server, step.tool, caller);
  });
}

/**
 * Playbooks matching a search, as matches of server `playbook`, when gateway_run_playbook is
 * listed: the caller can run what it finds.
 */
export function playbookMatches(gateway: Gateway, caller: Caller, query: string, limit: number) {
  const registry = gateway.operator.playbooks;
  const enabled = gateway.config.meta_mcp.operator_tools;
  if (!registry || (enabled !== "all" && !enabled.includes("gateway_run_playbook"))) return [];
  return registry
    .search(query, limit, (playbook) => playbookVisible(gateway, caller, playbook))
    .map(({ playbook, score }) => ({
      server: PLAYBOOK_SERVER,
      tool: playbook.name,
      description: `${playbook.description} (run with gateway_run_playbook)`.trim(),
      inputSchema: asTool(playbook).inputSchema,
      score: Math.round(score * 1000) / 1000,
    }));
}

/** `gateway_run_playbook`: runs a playbook's steps, each as a gateway_invoke call. */
export const runPlaybookTool: MetaTool = {
  definition: {
    name: "gateway_run_playbook",
    description:
      "Run a playbook (a saved multi-step tool chain; gateway_search_tools finds them as server 'playbook').",
    inputSchema: objectSchema(
      {
        name: { type: "string", description: "Playbook name" },
        arguments: { type: "object", description: "The playbook's arguments" },
      },
      ["name"],
    ),
    outputSchema: objectSchema({
      playbook: { type: "string" },
      ok: { type: "boolean" },
      durationMs: { type: "number" },
      steps: { type: "array", items: { type: "object" } },
      result: {},
      output: { type: "object" },
    }),
    annotations: {
      title: "Run playbook",
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: true,
    },
  },
  async handle(args, context) {
    const { gateway, caller } = context;
    const name = stringArg(args, "name", true);
    const registry = gateway.operator.playbooks;
    const playbook = registry?.get(name);
    if (!registry || !playbook || !playbookVisible(gateway, caller, playbook)) {
      const known = (registry?.list() ?? [])
        .filter((p) => playbookVisible(gateway, caller, p))
        .map((p) => p.name);
      throw new GatewayError(
        "TOOL_NOT_FOUND",
        `no playbook "${name}"${known.length ? `; there are ${known.join(", ")}` : registry ? "; none is loaded" : "; playbooks.directories is empty or playbooks are disabled"}`,
      );
    }
    const playbookArgs = withDefaults(playbook, args.arguments);
    // The firewall's notes on the steps' results go with the playbook's (docs/security.md).
    const warnings: string[] = [];
    const run = await runPlaybook(
      playbook,
      playbookArgs,
      // Each step is a direct call: router, scopes, lock, argument checks, firewall, budgets,
      // and the key's rate limit.
      nestedCaller(context, warnings),
      context.signal,
    );
    return withWarnings(
      { ...jsonResult({ ...run } as JsonObject), ...(run.ok ? {} : { isError: true }) },
      warnings,
    );
  },
};

/** The playbook's arguments: an object, its schema's defaults filled in, required ones checked. */
function withDefaults(playbook: Playbook, value: unknown): Record<string, unknown> {
  if (
    value !== undefined &&
    (typeof value !== "object" || value === null || Array.isArray(value))
  ) {
    throw new GatewayError("INVALID_ARGUMENTS", `"arguments" must be an object`);
  }
  const args = { ...((value as Record<string, unknown>) ?? {}) };
  const schema = playbook.inputs as
    | { properties?: Record<string, { default?: unknown }>; required?: string[] }
    | undefined;
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    if (args[key] === undefined && property?.default !== undefined) args[key] = property.default;
  }
  const missing = (schema?.required ?? []).filter((key) => args[key] === undefined);
  if (missing.length) {
    throw new GatewayError(
      "INVALID_ARGUMENTS",
      `playbook "${playbook.name}" needs ${missing.map((key) => `"${key}"`).join(", ")} in "arguments"`,
    );
  }
  return args;
}
