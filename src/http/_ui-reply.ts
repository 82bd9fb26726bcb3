import { errorMessage, GatewayError, type GatewayErrorCode } from "../errors.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { Tool } from "../mcp/sdk.ts";

/** The HTTP status of a refusal, by its code. */
const STATUS: Partial<Record<GatewayErrorCode, number>> = {
  INVALID_ARGUMENTS: 400,
  POLICY_DENIED: 403,
  TOOL_QUARANTINED: 403,
  FIREWALL_BLOCKED: 403,
  SANDBOX_LIMIT: 403,
  SERVER_NOT_FOUND: 404,
  TOOL_NOT_FOUND: 404,
  CONFIRMATION_REQUIRED: 409,
  CONFIG_INVALID: 422,
  CONFIG_NOT_FOUND: 409,
  RATE_LIMITED: 429,
  BUDGET_EXCEEDED: 429,
  BACKEND_DISABLED: 503,
  CIRCUIT_OPEN: 503,
  BACKEND_BUSY: 503,
  BACKEND_UNAVAILABLE: 502,
  BACKEND_ERROR: 502,
  BACKEND_TIMEOUT: 504,
};

/** A refusal as JSON: `error` starts with the code, as a tool error's text does. */
export function refusal(error: unknown, extra: Record<string, unknown> = {}): Response {
  const code = error instanceof GatewayError ? error.code : "INTERNAL";
  return json({ error: `[${code}] ${errorMessage(error)}`, code, ...extra }, STATUS[code] ?? 500);
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, {
    status,
    headers: { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...headers },
  });
}

/** A score as the dashboard shows it: three decimals. */
export function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}

/** One tool as the dashboard lists it: its definition and whether it is quarantined. */
export function toolView(gateway: Gateway, server: string, tool: Tool) {
  const quarantined = gateway.security.quarantined(server, tool.name);
  return {
    server,
    tool: tool.name,
    ...(tool.title ? { title: tool.title } : {}),
    description: tool.description ?? "",
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    ...(tool.annotations ? { annotations: tool.annotations } : {}),
    ...(quarantined ? { quarantined } : {}),
  };
}
