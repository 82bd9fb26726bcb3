import { GatewayError, type GatewayErrorCode } from "../errors.ts";
import type { SandboxLimits, ScriptOutcome } from "./sandbox.ts";

/** Messages between the gateway and a sandbox worker (structured-clone data only). */
export type ToWorker =
  | { type: "run"; code: string; limits: SandboxLimits }
  | { type: "reply"; id: number; text?: string; error?: WireError }
  | { type: "cancel" };

export type FromWorker =
  | { type: "call"; id: number; server: string; tool: string; args: unknown }
  | { type: "read"; id: number; uri: string }
  /**
   * The script is awaiting the gateway's replies and computes nothing until one comes; `replies`
   * is how many it has received (an idle sent before the last reply arrived is stale).
   */
  | { type: "idle"; replies: number }
  | { type: "done"; outcome: ScriptOutcome }
  | { type: "failed"; error: WireError };

export interface WireError {
  code?: GatewayErrorCode;
  message: string;
  data?: Record<string, unknown>;
}

export function toWire(error: unknown): WireError {
  if (error instanceof GatewayError) {
    return { code: error.code, message: error.message, data: error.data };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

export function fromWire(error: WireError): Error {
  return error.code
    ? new GatewayError(error.code, error.message, { data: error.data })
    : new Error(error.message);
}
