import { type ChildProcess, spawn } from "node:child_process";
import { type JSONRPCMessage, ReadBuffer, serializeMessage, type Transport } from "../mcp/sdk.ts";
import {
  nextOwner,
  OWNER_VAR,
  reapAll,
  reapBackend,
  track,
  withDeathSignal,
} from "./containment.ts";
import {
  classifyOversized,
  DEFAULT_MAX_MESSAGE_SIZE,
  LineSplitter,
  type OversizedLine,
  tooLargeError,
} from "./line-limit.ts";

export interface ProcessTransportOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Called with each line the process writes to stderr. */
  onStderr?: (line: string) => void;
  /** Called once the process has been spawned. */
  onSpawn?: (pid: number) => void;
  /** How long to wait after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /** The longest line (one JSON-RPC message) the process may write; 16 MiB by default. */
  maxMessageSize?: number;
  /**
   * Called when a line passed `maxMessageSize` and was dropped: `failed` is the number of calls
   * in flight that were answered with a RESULT_TOO_LARGE error because of it.
   */
  onOversized?: (bytes: number, failed: number) => void;
}

/** Characters of one stderr line held at most; a longer line is passed on in pieces. */
const MAX_STDERR_LINE = 64 * 1024;
/** Messages handled in one turn of the event loop before other work gets its turn. */
const BATCH = 128;
/** Lines read and not handled past which the backend's stdout is paused. */
const MAX_BACKLOG = 8192;

let exitHookInstalled = false;

/** Kills every backend's processes synchronously if the gateway exits without closing them. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => reapAll());
}

/**
 * An MCP stdio transport that runs the server in its own process group, so that stopping it
 * stops everything it started (`npx` wrappers, shells, grandchildren) and never leaves orphans.
 * Framing is the SDK's (ReadBuffer / serializeMessage).
 */
export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child?: ChildProcess;
  private readonly lines: LineSplitter;
  /** Parses one line at a time (the splitter holds the limit, so this never overflows). */
  private readonly buffer: ReadBuffer;
  /** Ids of the requests sent and not answered yet: who an oversized answer belongs to. */
  private readonly pending = new Set<string | number>();
  /** Lines read from stdout and not handled yet (see `receive`). */
  private readonly backlog: (Buffer | OversizedLine)[] = [];
  private reading = false;
  private closed = false;
  private exited?: Promise<void>;

  constructor(private readonly options: ProcessTransportOptions) {
    const limit = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.lines = new LineSplitter(limit);
    this.buffer = new ReadBuffer({ maxBufferSize: limit + 1 });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { cwd } = this.options;
      const owner = nextOwner();
      const env = { ...this.options.env, [OWNER_VAR]: owner };
      const [command, args] = withDeathSignal(this.options.command, this.options.args, env, cwd);
      const child = spawn(command, args, {
        env,
        cwd,
        stdio: ["pipe", "pipe", "pipe"],
        detached: true,
        windowsHide: true,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once("exit", () => done()));
      child.once("error", (error) => {
        reject(error);
        this.onerror?.(error);
        this.finish();
      });
      child.once("spawn", () => {
        if (child.pid) {
          installExitHook();
          track(child.pid, owner, this.options.command);
          this.options.onSpawn?.(child.pid);
        }
        resolve();
      });
      child.once("exit", () => {
        // Whatever it started dies with it: its group, and children that left the group.
        if (child.pid) reapBackend(child.pid);
        // Its last answers are read before the connection is reported closed.
        this.readBacklog(Number.POSITIVE_INFINITY);
        this.finish();
      });
      // An "error" event without a listener would throw out of the event loop: every stream has one.
      for (const stream of [child.stdin, child.stdout, child.stderr]) {
        stream?.on("error", (error) => this.onerror?.(error));
      }
      child.stdout?.on("data", (chunk: Buffer) => this.receive(chunk));
      let pending = "";
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (text: string) => {
        pending += text;
        const lines = pending.split(/\r?\n/);
        pending = lines.pop() ?? "";
        // A stderr line without end is passed on in pieces, not kept growing.
        if (pending.length > MAX_STDERR_LINE) {
          lines.push(`${pending.slice(0, MAX_STDERR_LINE)}…`);
          pending = "";
        }
        for (const line of lines) {
          try {
            if (line) this.options.onStderr?.(line);
          } catch {}
        }
      });
    });
  }

  /**
   * Reads the messages in a chunk of stdout, at most BATCH at a time, so that a backend that
   * floods the gateway with messages does not hold the event loop from every other backend and
   * session; past MAX_BACKLOG lines waiting, its stdout is paused until the gateway caught up.
   */
  private receive(chunk: Buffer): void {
    for (const line of this.lines.push(chunk)) this.backlog.push(line);
    if (!this.reading) this.readBacklog(BATCH);
  }

  /** Nothing here may throw: a throw in a data handler takes the whole gateway down. */
  private readBacklog(batch: number): void {
    this.reading = true;
    let read = 0;
    while (this.backlog.length) {
      if (read++ === batch) {
        // Past a bound, the backend waits for the gateway to catch up.
        if (this.backlog.length > MAX_BACKLOG) this.child?.stdout?.pause();
        setImmediate(() => this.readBacklog(BATCH));
        return;
      }
      const line = this.backlog.shift()!;
      try {
        if (Buffer.isBuffer(line)) this.parse(line);
        else this.oversized(line);
      } catch (error) {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.reading = false;
    this.child?.stdout?.resume();
  }

  private parse(line: Buffer): void {
    this.buffer.append(line);
    let message: JSONRPCMessage | null;
    try {
      message = this.buffer.readMessage();
    } catch (error) {
      // A line that is not JSON-RPC (a stray log on stdout) is reported and skipped.
      this.buffer.clear();
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (message === null) return;
    if ("id" in message && message.id !== undefined && !("method" in message)) {
      this.pending.delete(message.id);
    }
    this.onmessage?.(message);
  }

  /**
   * A line past the limit was dropped. An answer fails its own call only; a request or
   * notification from the backend is just dropped; a line that cannot be told apart fails every
   * call in flight and stops the process (it starts again on next use).
   */
  private oversized(line: OversizedLine): void {
    const limit = this.lines.limit;
    const kind = classifyOversized(line);
    const owner = typeof kind === "object" && this.pending.has(kind.id) ? kind.id : undefined;
    // An answer nobody waits for (its call was cancelled) is dropped like a notification.
    const failed = owner !== undefined ? [owner] : kind === undefined ? [...this.pending] : [];
    for (const id of failed) {
      this.pending.delete(id);
      this.onmessage?.({ jsonrpc: "2.0", id, error: tooLargeError(line.bytes, limit) });
    }
    this.options.onOversized?.(line.bytes, failed.length);
    if (kind === undefined) {
      // Closed for callers once the errors above are delivered (the client handles answers a
      // microtask late), so the next call starts a new process; then the process is stopped.
      setImmediate(() => {
        this.finish();
        void this.close();
      });
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.closed) return reject(new Error("process is not running"));
      if ("method" in message && "id" in message) this.pending.add(message.id);
      // A cancelled request may never be answered: it no longer owns an oversized answer.
      if ("method" in message && message.method === "notifications/cancelled") {
        this.pending.delete((message.params as { requestId?: string | number })?.requestId ?? "");
      }
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", resolve);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    // A process that never spawned (ENOENT) has nothing to stop and never emits "exit".
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      killGroup(child, "SIGTERM");
      const grace = this.options.killGraceMs ?? 2000;
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), grace);
      await this.exited;
      clearTimeout(timer);
      // The leader is gone; make sure nothing it started in its group survives it.
      killGroup(child, "SIGKILL");
    }
    if (child?.pid) reapBackend(child.pid);
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
    this.pending.clear();
    this.backlog.length = 0;
    this.onclose?.();
  }
}

/** Signals a child's whole process group (it leads its own group: `detached: true`). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {}
  }
}
