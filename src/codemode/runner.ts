import { GatewayError } from "../errors.ts";
import { limitError, type SandboxHost, type SandboxLimits, type ScriptOutcome } from "./sandbox.ts";
import { type FromWorker, fromWire, type ToWorker, toWire } from "./wire.ts";

/** After its wall time, how long a worker has to report before it is terminated. */
const GRACE_MS = 250;
/** Scripts running at once; more wait their turn. */
const MAX_WORKERS = 4;
/** Warm workers kept between scripts (QuickJS loaded, ready in about a millisecond). */
const MAX_IDLE = 2;

const idle: Worker[] = [];
let busy = 0;
const queue: (() => void)[] = [];

function spawn(): Worker {
  // From source the worker sits next to this file. In the compiled binary this code is a bundled
  // chunk, and the worker (a second entry point of scripts/build.ts) is named from the bundle's
  // root, src/.
  const bundled = !import.meta.url.endsWith("/runner.ts");
  const entry = bundled ? "./codemode/worker.ts" : new URL("./worker.ts", import.meta.url).href;
  return new Worker(entry, { type: "module" });
}

/** Bun's workers hold the process open unless unreferenced; Deno's do not have the method. */
type Holdable = Worker & { ref?(): void; unref?(): void };

async function acquire(): Promise<Worker> {
  while (busy >= MAX_WORKERS) await new Promise<void>((resolve) => queue.push(resolve));
  busy++;
  try {
    const worker: Holdable = idle.pop() ?? spawn();
    worker.ref?.();
    return worker;
  } catch (error) {
    busy--;
    queue.shift()?.();
    throw error;
  }
}

function release(worker: Holdable, reusable: boolean): void {
  busy--;
  if (reusable && idle.length < MAX_IDLE) {
    worker.unref?.(); // a warm worker must not keep a stopping gateway alive
    idle.push(worker);
  } else {
    worker.terminate();
  }
  queue.shift()?.();
}

/**
 * Runs a script in a sandbox worker: the gateway's thread only relays tool calls, so no script can
 * stall it, and a worker that overruns its wall time (a native builtin the interrupt handler
 * cannot stop) is terminated. Cancelling `signal` ends the script and the calls in flight.
 */
export async function runIsolated(
  code: string,
  limits: SandboxLimits,
  host: SandboxHost,
  signal: AbortSignal,
): Promise<ScriptOutcome> {
  if (signal.aborted) throw new GatewayError("CODE_ERROR", "the script was cancelled");
  const worker = await acquire();
  const calls = new Set<AbortController>();
  const post = (message: ToWorker) => worker.postMessage(message);
  return new Promise<ScriptOutcome>((resolve, reject) => {
    let settled = false;
    const finish = (reusable: boolean, outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(hardStop);
      signal.removeEventListener("abort", onAbort);
      worker.onmessage = null;
      worker.onerror = null;
      for (const call of calls) call.abort();
      release(worker, reusable);
      outcome();
    };
    const kill = (error: GatewayError) => finish(false, () => reject(error));
    const hardStop = setTimeout(
      () => kill(limitError("timeout", `${limits.timeoutMs} ms of wall time`)),
      limits.timeoutMs + GRACE_MS,
    );
    const onAbort = () => {
      for (const call of calls) call.abort();
      post({ type: "cancel" });
      setTimeout(() => kill(new GatewayError("CODE_ERROR", "the script was cancelled")), GRACE_MS);
    };
    signal.addEventListener("abort", onAbort, { once: true });

    const answer = (id: number, work: () => Promise<string>) => {
      work().then(
        (text) => !settled && post({ type: "reply", id, text }),
        (error: unknown) => !settled && post({ type: "reply", id, error: toWire(error) }),
      );
    };
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === "call") {
        const call = new AbortController();
        calls.add(call);
        answer(message.id, async () => {
          try {
            const value = await host.call(message.server, message.tool, message.args, call.signal);
            return JSON.stringify(value ?? null);
          } finally {
            calls.delete(call);
          }
        });
      } else if (message.type === "read") {
        answer(message.id, async () => {
          if (!host.readResult) throw new GatewayError("CODE_ERROR", "no stored results here");
          return host.readResult(message.uri);
        });
      } else if (message.type === "done") {
        finish(true, () => resolve(message.outcome));
      } else if (message.type === "failed") {
        // A script that hit a limit may have left QuickJS's heap strained: start afresh.
        const reusable = message.error.code !== "CODE_LIMIT";
        finish(reusable, () => reject(fromWire(message.error)));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      kill(new GatewayError("CODE_ERROR", `the sandbox failed: ${event.message}`));
    };
    post({ type: "run", code, limits });
  });
}
