import type { MetaTool } from "./types.ts";
import { jsonResult } from "./types.ts";

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
      .map(({ name, transport, state, error }) => ({
        name,
        transport,
        state,
        tools: gateway.router.visibleTools(name, caller).length,
        ...(error ? { error } : {}),
      }));
    return jsonResult({ servers });
  },
};
