import type { MetaTool } from "./types.ts";
import { jsonResult } from "./types.ts";

/** The original gateway's spelling of a breaker state (`half_open`, where ours is `half-open`). */
const ORIGINAL_BREAKER = { closed: "closed", open: "open", "half-open": "half_open" } as const;

export const listServers: MetaTool = {
  definition: {
    name: "gateway_list_servers",
    description: "List the backend servers behind this gateway, with their state and tool counts.",
    inputSchema: { type: "object", properties: {}, additionalProperties: false },
    outputSchema: {
      type: "object",
      properties: {
        servers: {
          type: "array",
          items: {
            type: "object",
            properties: {
              name: { type: "string" },
              transport: { type: "string" },
              state: { type: "string" },
              tools: { type: "number" },
              error: { type: "string" },
            },
            required: ["name", "transport", "state", "tools"],
          },
        },
      },
      required: ["servers"],
    },
    annotations: { title: "List servers", readOnlyHint: true, openWorldHint: false },
  },
  async handle(_args, { gateway, caller }) {
    const servers = gateway.pool
      .statuses()
      .filter((status) => caller.allows(status.name, "*"))
      .map(({ name, transport, state, error }) => {
        const tools = gateway.router.visibleTools(name, caller).length;
        return {
          name,
          transport,
          state,
          tools,
          ...(error ? { error } : {}),
          // The original gateway's fields, which its users' scripts and prompts read
          // (docs/migrating.md): `status` is `disabled` for a killed backend.
          running: state === "ready",
          tools_count: tools,
          circuit_breaker: ORIGINAL_BREAKER[gateway.pool.breakerState(name)],
          status: gateway.pool.killSwitch.get(name) ? "disabled" : "active",
        };
      });
    return jsonResult({ servers });
  },
};
