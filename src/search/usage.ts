import type { CallToolResult } from "../mcp/sdk.ts";

/**
 * Successful calls per caller and tool, so that tools a caller used rank a little higher for that
 * caller next time (see `SearchOptions.usage`; the lift is capped and never outweighs relevance).
 */
export interface UsageStore {
  /** Counts one successful call of `server:tool` by `caller`. */
  record(caller: string, server: string, tool: string): void;
  /** Successful calls of `server:tool` by `caller` so far. */
  count(caller: string, server: string, tool: string): number;
  close(): void;
}

const key = (server: string, tool: string) => `${server}\u0000${tool}`;

/** Keeps usage in memory only (tests, or when the state directory is not writable). */
export function createMemoryUsage(): UsageStore {
  const byCaller = new Map<string, Map<string, number>>();
  return {
    record(caller, server, tool) {
      const counts = byCaller.get(caller) ?? new Map<string, number>();
      counts.set(key(server, tool), (counts.get(key(server, tool)) ?? 0) + 1);
      byCaller.set(caller, counts);
    },
    count: (caller, server, tool) => byCaller.get(caller)?.get(key(server, tool)) ?? 0,
    close() {},
  };
}

/** The `usage` search option for one caller. */
export function usageFor(
  store: UsageStore,
  caller: string,
): (server: string, tool: string) => number {
  return (server, tool) => store.count(caller, server, tool);
}

/** What the `tool:call:after` hook reports, as far as usage needs it (no import of the hooks). */
interface CallAfter {
  server: string;
  tool: string;
  caller: string;
  result?: CallToolResult;
  error?: unknown;
}

/**
 * A call that is evidence the tool fits: it threw no error and its result is not `isError` (a
 * call the model got wrong says nothing for the tool).
 */
export function succeeded(call: CallAfter): boolean {
  return call.error === undefined && call.result !== undefined && !call.result.isError;
}

/** A `tool:call:after` hook that records successful calls. */
export function recordUsage(store: UsageStore): (call: CallAfter) => void {
  return (call) => {
    if (succeeded(call)) store.record(call.caller, call.server, call.tool);
  };
}
