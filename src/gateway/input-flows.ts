import type { CallerChannel, JsonObject } from "../backends/types.ts";
import {
  type CallToolResult,
  createRequestStateCodec,
  type InputRequest,
  type InputRequiredResult,
  inputRequired,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext,
} from "../mcp/sdk.ts";
import { callerOf, statelessSession } from "./caller.ts";
import { identityOf } from "./channel.ts";

/** How long a held backend request waits for the client's retry before it is given up. */
export const FLOW_TTL_MS = 5 * 60 * 1000;

interface Pending {
  key: string;
  request: InputRequest;
  resolve(result: JsonObject): void;
  reject(error: Error): void;
}

interface Flow {
  id: string;
  caller: string;
  result: Promise<CallToolResult>;
  pending?: Pending;
  /** Wakes the request waiting for the next event (a result, or a new reverse request). */
  wake?: () => void;
  abort: AbortController;
  timer: ReturnType<typeof setTimeout>;
  seq: number;
}

/**
 * The 2026-07-28 era has no server-to-client requests: a server asks for input by answering
 * `input_required` and the client retries with `inputResponses`. When a backend (2025-era) sends
 * sampling, elicitation or roots during a modern client's call, the gateway holds the backend's
 * request, answers the client `input_required` with a signed `requestState` naming the held
 * flow, and resolves the backend's request from the client's retry; the backend call runs on
 * until it answers.
 */
/** The `_meta` key under which a 2026-07-28 request declares its client's capabilities. */
const CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";

export class InputFlows {
  private readonly flows = new Map<string, Flow>();
  /** Told each `requestState` handed to a client, and whose (a cluster records where it is). */
  onState?: (state: string, caller: string) => void;
  /** What a held request passes before it reaches the client (a sampling request's redaction). */
  filter?: (method: string, params: JsonObject | undefined) => JsonObject | undefined;
  private readonly codec = createRequestStateCodec<{ flow: string; caller: string }>({
    key: crypto.getRandomValues(new Uint8Array(32)),
    ttlSeconds: FLOW_TTL_MS / 1000,
  });

  /**
   * Runs (or resumes) a call for a modern client. `start` receives the channel the backend's
   * reverse requests go to and the signal that cancels the call.
   */
  async run(
    ctx: ServerContext,
    caller: string,
    start: (channel: CallerChannel, signal: AbortSignal) => Promise<CallToolResult>,
  ): Promise<CallToolResult | InputRequiredResult> {
    const state = ctx.mcpReq.requestState<string>();
    let flow: Flow;
    if (typeof state === "string" && state) {
      const payload = await this.codec.verify(state, ctx).catch(() => undefined);
      const found = payload && payload.caller === caller ? this.flows.get(payload.flow) : undefined;
      if (!found) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          "requestState is unknown or expired; call the tool again",
        );
      }
      flow = found;
      const pending = flow.pending;
      const answer = pending ? ctx.mcpReq.inputResponses?.[pending.key] : undefined;
      if (pending && answer) {
        flow.pending = undefined;
        pending.resolve(answer as JsonObject);
      }
    } else {
      const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
      const declared = envelope?.[CLIENT_CAPABILITIES] as Record<string, unknown> | undefined;
      const identity = identityOf(callerOf(ctx.http?.authInfo));
      flow = this.open(
        caller,
        (channel, signal) => start({ ...channel, identity }, signal),
        declared,
      );
    }
    return this.next(flow);
  }

  private open(
    caller: string,
    start: (channel: CallerChannel, signal: AbortSignal) => Promise<CallToolResult>,
    declared: Record<string, unknown> | undefined,
  ): Flow {
    const id = crypto.randomUUID();
    const abort = new AbortController();
    const flow: Flow = {
      id,
      caller,
      abort,
      seq: 0,
      result: Promise.resolve() as unknown as Promise<CallToolResult>,
      timer: setTimeout(() => this.drop(flow, "the client did not retry in time"), FLOW_TTL_MS),
    };
    flow.timer.unref?.();
    const channel: CallerChannel = {
      // Per caller, not per flow: a flow's own id would give every call an `isolation: session`
      // process of its own, never closed (no session ends).
      sessionId: statelessSession(caller),
      request: (method, params) =>
        new Promise<JsonObject>((resolve, reject) => {
          flow.pending = {
            key: `r${++flow.seq}`,
            request: toInputRequest(method, this.filter?.(method, params) ?? params),
            resolve,
            reject,
          };
          flow.wake?.();
        }),
      // The modern era carries no notifications on a call's response; they are dropped here.
      notify: async () => {},
      // Each modern request declares its client's capabilities in its `_meta` envelope.
      declares: (capability) => declared === undefined || declared[capability] !== undefined,
    };
    flow.result = start(channel, abort.signal);
    flow.result.catch(() => {}).finally(() => flow.wake?.());
    this.flows.set(id, flow);
    return flow;
  }

  /** Waits for the call's result or its next reverse request, whichever comes first. */
  private async next(flow: Flow): Promise<CallToolResult | InputRequiredResult> {
    const settled = flow.result.then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    while (true) {
      if (flow.pending) {
        const requestState = await this.codec.mint({ flow: flow.id, caller: flow.caller });
        this.onState?.(requestState, flow.caller);
        return inputRequired({
          inputRequests: { [flow.pending.key]: flow.pending.request },
          requestState,
        });
      }
      const woke = new Promise<"woke">((resolve) => {
        flow.wake = () => resolve("woke");
      });
      const outcome = await Promise.race([settled, woke]);
      if (outcome === "woke") continue;
      this.forget(flow);
      if ("error" in outcome) throw outcome.error;
      return outcome.result;
    }
  }

  private drop(flow: Flow, reason: string): void {
    flow.pending?.reject(new Error(reason));
    flow.abort.abort(reason);
    this.forget(flow);
  }

  private forget(flow: Flow): void {
    clearTimeout(flow.timer);
    this.flows.delete(flow.id);
  }

  close(): void {
    for (const flow of [...this.flows.values()]) this.drop(flow, "the gateway is shutting down");
  }
}

/** A backend's reverse request as an embedded input request of the 2026 era. */
function toInputRequest(method: string, params: JsonObject | undefined): InputRequest {
  const p = (params ?? {}) as Record<string, unknown>;
  switch (method) {
    case "sampling/createMessage":
      return inputRequired.createMessage(p as Parameters<typeof inputRequired.createMessage>[0]);
    case "elicitation/create":
      if (p.mode === "url") {
        const { mode: _mode, elicitationId: _id, ...rest } = p;
        return inputRequired.elicitUrl(rest as Parameters<typeof inputRequired.elicitUrl>[0]);
      }
      return inputRequired.elicit(p as Parameters<typeof inputRequired.elicit>[0]);
    case "roots/list":
      return inputRequired.listRoots();
  }
  throw new ProtocolError(
    ProtocolErrorCode.MethodNotFound,
    `${method} cannot be relayed to a 2026-07-28 client`,
  );
}
