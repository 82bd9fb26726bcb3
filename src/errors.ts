/** Every failure the gateway reports carries one of these codes. */
export type GatewayErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_NOT_FOUND"
  | "BACKEND_UNAVAILABLE"
  | "BACKEND_TIMEOUT"
  | "BACKEND_ERROR"
  | "BACKEND_DISABLED"
  | "CONFIRMATION_REQUIRED"
  | "SERVER_NOT_FOUND"
  | "TOOL_NOT_FOUND"
  | "INVALID_ARGUMENTS"
  | "POLICY_DENIED"
  | "TOOL_QUARANTINED"
  | "CIRCUIT_OPEN"
  | "BACKEND_BUSY"
  | "RATE_LIMITED"
  | "CODE_LIMIT"
  | "CODE_ERROR"
  | "RESULT_TOO_LARGE"
  | "FIREWALL_BLOCKED"
  | "SANDBOX_LIMIT"
  | "BUDGET_EXCEEDED"
  | "INTERNAL";

export interface GatewayErrorOptions {
  cause?: unknown;
  data?: Record<string, unknown>;
}

/** The one error type of the gateway: a string code, a scoped message, an optional cause. */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly data?: Record<string, unknown>;

  constructor(code: GatewayErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "GatewayError";
    this.code = code;
    this.data = options.data;
  }
}

/** A readable one-line message for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
