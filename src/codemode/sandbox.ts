import type {
  QuickJSContext,
  QuickJSDeferredPromise,
  QuickJSHandle,
} from "quickjs-emscripten-core";
import { errorMessage, GatewayError } from "../errors.ts";
import { logger } from "../logger.ts";
import { discardQuickJS, loadQuickJS } from "./quickjs.ts";

/** The limits of one script; each one exceeded ends it with `[CODE_LIMIT]` naming the setting. */
export interface SandboxLimits {
  /** Wall time of the whole script, tool calls included. */
  timeoutMs: number;
  /** QuickJS heap. */
  memoryBytes: number;
  /** Native stack QuickJS may use (deep recursion ends here). */
  stackBytes: number;
  /** Tool calls per script. */
  maxCalls: number;
  /** Characters of the returned value plus captured console output. */
  maxOutput: number;
}

/** What the host does for a script: tool calls and result reads, each a JSON value or a throw. */
export interface SandboxHost {
  call(server: string, tool: string, args: unknown, signal: AbortSignal): Promise<unknown>;
  /** The JSON text of a result kept by handle (`result://...`). */
  readResult?(uri: string): string | Promise<string>;
  /** TypeScript to JavaScript, for a script that does not parse as JavaScript. */
  stripTypes?(code: string): string;
}

export interface ScriptOutcome {
  /** The script's return value, as JSON data (`undefined` became `null`). */
  value: unknown;
  logs: string[];
  calls: number;
}

/** The longest `sleep(ms)` a script may ask for in one call. */
const MAX_SLEEP_MS = 10_000;

// The API inside the sandbox, built from two host functions that the prelude captures and then
// removes from the global object. Arguments and results cross the boundary as JSON text only, so
// no host object (or its prototype chain) is ever reachable from a script.
const PRELUDE = `(() => {
  const host = globalThis.__gateway_host;
  delete globalThis.__gateway_host;
  // Kept before the script runs: a script that replaces them breaks nothing but itself.
  const { parse: jsonParse, stringify } = JSON;
  const then = Promise.prototype.then;
  const parse = (text) => (text === undefined ? undefined : jsonParse(text));
  const call = (server, tool, args) => {
    if (typeof server !== "string" || typeof tool !== "string")
      return Promise.reject(new TypeError("tools.call(server, tool, args): server and tool must be strings"));
    return then.call(host.call(server, tool, stringify(args ?? {})), parse);
  };
  // Not tool names: \`await tools.x\` and JSON.stringify(tools.x) must not call a tool.
  const reserved = new Set(["then", "toJSON", "constructor", "__proto__", "valueOf", "toString"]);
  const named = (name) => typeof name === "string" && !reserved.has(name);
  const servers = new Map();
  const serverProxy = (server) => {
    if (!servers.has(server)) {
      servers.set(server, Object.freeze(new Proxy(Object.create(null), {
        get: (_, tool) => (named(tool) ? (args) => call(server, tool, args) : undefined),
        set: () => false, defineProperty: () => false, setPrototypeOf: () => false,
      })));
    }
    return servers.get(server);
  };
  const tools = new Proxy(Object.create(null), {
    get: (_, name) => (name === "call" ? call : named(name) ? serverProxy(name) : undefined),
    set: () => false, defineProperty: () => false, setPrototypeOf: () => false, deleteProperty: () => false,
  });
  const show = (value) => {
    if (typeof value === "string") return value;
    try { return stringify(value) ?? String(value); } catch { return String(value); }
  };
  const log = (level) => (...values) => host.log(level, values.map(show).join(" "));
  const console = Object.freeze({ log: log("log"), info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug") });
  const sleep = (ms) => host.sleep(Number(ms) || 0);
  const readResult = async (uri) => parse(await host.readResult(String(uri)));
  for (const [name, value] of Object.entries({ tools, console, sleep, readResult })) {
    Object.defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });
  }
  return (main) => then.call(
    main(),
    (value) => host.done(stringify({ value: value === undefined ? null : value })),
    (error) => host.fail(error),
  );
})()`;

/**
 * Runs a script in a fresh QuickJS context (own runtime, own heap) with the tool API and nothing
 * else: no filesystem, network, timers, `process`, `require` or `import`. The script is the body of
 * an async function: `return` its result. Cancelling `signal` ends it and the calls in flight.
 */
export async function runScript(
  code: string,
  limits: SandboxLimits,
  host: SandboxHost,
  signal: AbortSignal,
): Promise<ScriptOutcome> {
  const quickjs = await loadQuickJS();
  const runtime = quickjs.newRuntime();
  const ctx = runtime.newContext();
  const logs: string[] = [];
  let output = 0;
  let calls = 0;
  /** The first limit or error that ends the script; later ones are ignored. */
  let fatal: GatewayError | undefined;
  let alive = true;
  const aborter = new AbortController();
  const pending = new Set<QuickJSDeferredPromise>();
  let finish: (error: GatewayError) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    finish = reject;
  });
  stopped.catch(() => {});
  const end = (error: GatewayError) => {
    if (fatal) return;
    fatal = error;
    aborter.abort(error);
    finish(error);
  };
  // Settled by the prelude's runner through host.done / host.fail (no handle outlives the script).
  const settleScript = {
    done: (_text: string) => {},
    fail: (_error: GatewayError) => {},
  };
  const finished = new Promise<string>((resolve, reject) => {
    settleScript.done = resolve;
    settleScript.fail = reject;
  });
  finished.catch(() => {});
  const deadline = Date.now() + limits.timeoutMs;
  const timer = setTimeout(
    () => end(limitError("timeout", `${limits.timeoutMs} ms of wall time`)),
    limits.timeoutMs,
  );
  const onAbort = () => end(new GatewayError("CODE_ERROR", "the script was cancelled"));
  signal.addEventListener("abort", onAbort, { once: true });
  if (signal.aborted) onAbort();

  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(limits.stackBytes);
  runtime.setInterruptHandler(() => fatal !== undefined || Date.now() > deadline);

  /** A promise in the sandbox, settled with JSON text (or an Error) when `work` settles. */
  const promised = (work: () => Promise<string | undefined>): QuickJSHandle => {
    const deferred = ctx.newPromise();
    pending.add(deferred);
    work().then(
      (text) => {
        if (alive) settle(deferred, text === undefined ? ctx.undefined : ctx.newString(text), true);
      },
      (error: unknown) => {
        if (alive) settle(deferred, toSandboxError(ctx, error), false);
      },
    );
    return deferred.handle;
  };
  const settle = (deferred: QuickJSDeferredPromise, value: QuickJSHandle, ok: boolean) => {
    pending.delete(deferred);
    if (ok) deferred.resolve(value);
    else deferred.reject(value);
    if (value !== ctx.undefined) value.dispose();
    deferred.dispose();
    runtime.executePendingJobs().dispose();
  };
  const countOutput = (characters: number) => {
    output += characters;
    if (output > limits.maxOutput) {
      end(limitError("max_output", `${limits.maxOutput} characters of output`));
      return false;
    }
    return true;
  };

  const hostObject = ctx.newObject();
  const define = (name: string, fn: (...args: QuickJSHandle[]) => QuickJSHandle | undefined) => {
    const handle = ctx.newFunction(name, fn);
    ctx.setProp(hostObject, name, handle);
    handle.dispose();
  };
  define("call", (serverHandle, toolHandle, argsHandle) => {
    const server = ctx.getString(serverHandle);
    const tool = ctx.getString(toolHandle);
    const argsText = ctx.getString(argsHandle);
    calls++;
    if (calls > limits.maxCalls) {
      end(limitError("max_calls", `${limits.maxCalls} tool calls`));
      return promised(() => Promise.reject(fatal));
    }
    return promised(async () => {
      const value = await host.call(server, tool, JSON.parse(argsText), aborter.signal);
      return JSON.stringify(value ?? null);
    });
  });
  define("log", (levelHandle, textHandle) => {
    const level = ctx.getString(levelHandle);
    const text = ctx.getString(textHandle);
    const line = level === "log" || level === "info" ? text : `[${level}] ${text}`;
    if (countOutput(line.length)) logs.push(line);
    return undefined;
  });
  define("sleep", (msHandle) => {
    const ms = Math.min(Math.max(ctx.getNumber(msHandle), 0), MAX_SLEEP_MS);
    return promised(
      () =>
        new Promise<undefined>((resolve) => {
          const wait = setTimeout(() => resolve(undefined), ms);
          aborter.signal.addEventListener("abort", () => clearTimeout(wait), { once: true });
        }),
    );
  });
  define("readResult", (uriHandle) => {
    const uri = ctx.getString(uriHandle);
    return promised(async () => {
      if (!host.readResult) throw new GatewayError("CODE_ERROR", "no stored results here");
      return host.readResult(uri);
    });
  });
  define("done", (textHandle) => {
    settleScript.done(ctx.getString(textHandle));
    return undefined;
  });
  define("fail", (errorHandle) => {
    settleScript.fail(scriptError(ctx, errorHandle.dup(), fatal));
    return undefined;
  });
  ctx.setProp(ctx.global, "__gateway_host", hostObject);
  hostObject.dispose();

  try {
    const runner = ctx.unwrapResult(ctx.evalCode(PRELUDE, "gateway-prelude.js"));
    // The script's own lines keep their numbers: the wrapper opens on its first line.
    const compile = (body: string) => ctx.evalCode(`(async () => {${body}\n})`, "script.js");
    let compiled = compile(code);
    // Not JavaScript: TypeScript, once its types are stripped (which may move lines about).
    if (compiled.error && host.stripTypes) {
      const stripped = host.stripTypes(code);
      if (stripped !== code) {
        compiled.error.dispose();
        compiled = compile(stripped);
      }
    }
    if (compiled.error) {
      runner.dispose();
      throw scriptError(ctx, compiled.error, fatal);
    }
    const started = ctx.callFunction(runner, ctx.undefined, compiled.value);
    compiled.value.dispose();
    runner.dispose();
    if (started.error) throw scriptError(ctx, started.error, fatal);
    started.value.dispose();
    runtime.executePendingJobs().dispose();
    const text = await Promise.race([finished, stopped]);
    if (fatal) throw fatal;
    if (!countOutput(text.length)) throw fatal;
    const value = (JSON.parse(text) as { value: unknown }).value;
    return { value, logs, calls };
  } catch (error) {
    if (fatal) throw fatal;
    throw error instanceof GatewayError ? error : classify(String(error));
  } finally {
    alive = false;
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
    aborter.abort();
    for (const deferred of pending) deferred.dispose();
    dispose(ctx, runtime);
  }
}

/** A sandbox that ends mid-flight may still hold objects; freeing them must not crash the host. */
function dispose(ctx: QuickJSContext, runtime: { dispose(): void }): void {
  try {
    ctx.dispose();
    runtime.dispose();
  } catch (error) {
    logger.warn(
      `code mode: a sandbox could not be freed (${errorMessage(error)}); reloading QuickJS`,
    );
    discardQuickJS();
  }
}

export function limitError(setting: string, what: string): GatewayError {
  return new GatewayError(
    "CODE_LIMIT",
    `the script passed the code_mode.${setting} limit (${what}); do less per script or raise code_mode.${setting}`,
    { data: { limit: setting } },
  );
}

/** A QuickJS exception handle as a GatewayError: a limit when QuickJS says it hit one. */
function scriptError(ctx: QuickJSContext, handle: QuickJSHandle, fatal?: GatewayError) {
  const dumped = ctx.dump(handle) as { name?: string; message?: string; stack?: string } | string;
  handle.dispose();
  if (fatal) return fatal;
  // Out of memory, QuickJS may have no memory left for the error object and throw null instead
  // (a script's own `throw null` is reported the same way: rare, and still an ended script).
  if (dumped === null)
    return limitError("memory", "out of memory: the exception could not be allocated");
  if (typeof dumped !== "object") return classify(`thrown: ${String(dumped)}`);
  const where = /script\.js:(\d+)/.exec(dumped.stack ?? "")?.[1];
  const text = `${dumped.name ?? "Error"}: ${dumped.message ?? ""}${where ? ` (line ${where})` : ""}`;
  return classify(text);
}

/** QuickJS's own errors for its limits, mapped to the setting that set them. */
function classify(text: string): GatewayError {
  if (/out of memory|string too long|invalid array length/i.test(text)) {
    return limitError("memory", text);
  }
  if (/stack overflow|call stack/i.test(text)) return limitError("stack", text);
  if (/interrupted/i.test(text)) return limitError("timeout", "wall time");
  return new GatewayError("CODE_ERROR", `the script failed: ${text}`);
}

/** A host failure as an Error inside the sandbox, its message starting with the gateway's code. */
function toSandboxError(ctx: QuickJSContext, error: unknown): QuickJSHandle {
  const message =
    error instanceof GatewayError
      ? `[${error.code}] ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return ctx.newError({ name: "ToolError", message });
}
