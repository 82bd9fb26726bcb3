import { governorOf } from "../observe/costs.ts";
import { jsonResult, type MetaTool } from "./types.ts";

/** `gateway_cost_report`: spend per session and key, today, 7 and 30 days, and the budgets. */
export const costReport: MetaTool = {
  definition: {
    name: "gateway_cost_report",
    description:
      "What calls cost: spend of this session and your key today, over 7 and 30 days, and each budget's state. Admins can include every session and key.",
    inputSchema: {
      type: "object",
      properties: {
        session_id: { type: "string", description: "A session to report (default: this one)" },
        include_all_sessions: {
          type: "boolean",
          description: "Every session (yours; admins: all)",
        },
        include_all_keys: { type: "boolean", description: "Admins: every key, not only yours" },
      },
      additionalProperties: false,
    },
    annotations: {
      title: "Cost report",
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  },
  // Listed when cost governance is on (it answers `enabled: false` otherwise).
  listed: (config) => config.cost_governance.enabled,
  async handle(args, { gateway, caller, sessionId }) {
    const governor = governorOf(gateway);
    if (!governor) return jsonResult({ enabled: false });
    const asked = typeof args.session_id === "string" ? args.session_id : undefined;
    const report = governor.report({
      caller: caller.id,
      admin: caller.admin,
      sessionId: asked ?? sessionId,
      includeAllSessions: args.include_all_sessions === true,
      includeAllKeys: args.include_all_keys === true,
    });
    return jsonResult(report as Parameters<typeof jsonResult>[0]);
  },
};
