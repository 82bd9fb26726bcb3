import { webhooksFor } from "../gateway/webhooks.ts";
import type { MetaTool } from "./types.ts";
import { jsonResult, objectSchema } from "./types.ts";

/** `gateway_webhook_status`: each inbound webhook endpoint's deliveries and failures. */
export const webhookStatus: MetaTool = {
  definition: {
    name: "gateway_webhook_status",
    description: "Inbound webhook endpoints: deliveries, failures and the last failure's reason.",
    inputSchema: { type: "object", properties: {} },
    outputSchema: objectSchema({
      enabled: { type: "boolean" },
      basePath: { type: "string" },
      endpoints: { type: "array", items: { type: "object" } },
    }),
    annotations: {
      title: "Webhook status",
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  },
  async handle(_args, { gateway, caller }) {
    const hub = webhooksFor(gateway);
    // The endpoints belong to the capabilities backend: its resources' grant shows them.
    const endpoints = caller.allowsCatalog(hub.server, "resources") ? hub.status() : [];
    return jsonResult({
      enabled: gateway.config.webhooks.enabled,
      basePath: gateway.config.webhooks.base_path,
      endpoints: endpoints.map((endpoint) => ({ ...endpoint })),
    } as Parameters<typeof jsonResult>[0]);
  },
};
