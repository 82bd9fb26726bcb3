import { GatewayError } from "../errors.ts";
import { limitError, type SandboxHost, type SandboxLimits, type ScriptOutcome } from "./sandbox.ts";
import { type FromWorker, fromWire, type ToWorker, toWire } from "./wire.ts";

/** After its wall time, how long a worker has to report before it is terminated. */
const GRACE_MS = 250;
/**
 * Scripts computing at once; more wait their turn. A script awaiting its tool calls computes
 * nothing, and gives its turn to another until a reply comes (one hung backend must not hold
 * every other caller's scripts back until it times out).
 */
const MAX_RUNNING = 4;
/** Sandboxes alive at once, computing or awaiting calls: what bounds their memory. */
const MAX_WORKERS = 16;
/** Warm workers kept between scripts (QuickJS loaded, ready in about a millisecond). */
const MAX_IDLE = 2;

const idle: Worker[] = [];
/** Turns taken (scripts computing), and sandboxes alive. */
let running = 0;
let alive = 0;
/** Waiting for a turn: a script not started yet (it needs a sandbox too), or a reply to deliver. */
const queue: { fresh: boolean; go: () => void }[] = [];

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

/** Lets the first waiters whose turn (and sandbox, for a new script) is free go, in order. */
function wake(): void {
  for (let i = 0; i < queue.length && running < MAX_RUNNING; ) {
    const waiter = queue[i]!;
    if (waiter.fresh && alive >= MAX_WORKERS) {
      i++;
      continue;
    }
    queue.splice(i, 1);
    running++;
    if (waiter.fresh) alive++;
    waiter.go();
  }
}

/**
 * A turn to compute (and, `fresh`, a sandbox to run in). Rejects when `signal` ends the wait
 * first: a script cancelled while it waited never runs.
 */
function turn(fresh: boolean, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const waiter = {
      fresh,
      go: () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
    };
    const onAbort = () => {
      const at = queue.indexOf(waiter);
      if (at === -1) return;
      queue.splice(at, 1);
      reject(new GatewayError("CODE_ERROR", "the script was cancelled"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    queue.push(waiter);
    wake();
  });
}

async function acquire(signal: AbortSignal): Promise<Worker> {
  await turn(true, signal);
  try {
    const worker: Holdable = idle.pop() ?? spawn();
    worker.ref?.();
    return worker;
  } catch (error) {
    running--;
    alive--;
    wake();
    throw error;
  }
}

/**
 * Replies posted to each worker over its life (a warm one runs many scripts): its `idle`
 * messages say how many it had received.
 */
const posted = new WeakMap<Worker, { count: number }>();
function repliesOf(worker: Worker): { count: number } {
  let count = posted.get(worker);
  if (!count) {
    count = { count: 0 };
    posted.set(worker, count);
  }
  return count;
}

function release(worker: Holdable, reusable: boolean, computing: boolean): void {
  if (computing) running--;
  alive--;
  if (reusable && idle.length < MAX_IDLE) {
    worker.unref?.(); // a warm worker must not keep a stopping gateway alive
    idle.push(worker);
  } else {
    worker.terminate();
  }
  wake();
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
  const worker = await acquire(signal);
  const calls = new Set<AbortController>();
  const replies = repliesOf(worker);
  const post = (message: ToWorker) => {
    if (message.type === "reply") replies.count++;
    worker.postMessage(message);
  };
  return new Promise<ScriptOutcome>((resolve, reject) => {
    let settled = false;
    /** Whether the script holds a turn: given up while it awaits replies (see MAX_RUNNING). */
    let computing = true;
    /** Ends the waits for a turn to deliver a reply when the script ends. */
    const ended = new AbortController();
    const finish = (reusable: boolean, outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(hardStop);
      signal.removeEventListener("abort", onAbort);
      worker.onmessage = null;
      worker.onerror = null;
      for (const call of calls) call.abort();
      ended.abort();
      release(worker, reusable, computing);
      outcome();
    };
    /** Posts a reply once the script has a turn again: a reply sets it computing. */
    let regaining: Promise<void> | undefined;
    const deliver = (message: ToWorker) => {
      if (settled) return;
      if (computing) {
        post(message);
        return;
      }
      regaining ??= turn(false, ended.signal).then(() => {
        regaining = undefined;
        if (settled) {
          running--;
          wake();
          return;
        }
        computing = true;
      });
      regaining.then(
        () => !settled && post(message),
        () => {},
      );
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
        (text) => deliver({ type: "reply", id, text }),
        (error: unknown) => deliver({ type: "reply", id, error: toWire(error) }),
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
      } else if (message.type === "idle") {
        // Awaiting replies: its turn goes to another script until one comes (see `deliver`).
        if (computing && !regaining && message.replies === replies.count) {
          computing = false;
          running--;
          wake();
        }
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
