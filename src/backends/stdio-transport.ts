import { type ChildProcess, spawn } from "node:child_process";
import { type JSONRPCMessage, ReadBuffer, serializeMessage, type Transport } from "../mcp/sdk.ts";

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
}

/** Process groups alive right now; killed synchronously if the gateway exits without closing them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const group of liveGroups) {
      try {
        process.kill(-group, "SIGKILL");
      } catch {}
    }
  });
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
  private readonly buffer = new ReadBuffer();
  private closed = false;
  private exited?: Promise<void>;

  constructor(private readonly options: ProcessTransportOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { command, args, env, cwd } = this.options;
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
          trackGroup(child.pid);
          this.options.onSpawn?.(child.pid);
        }
        resolve();
      });
      child.once("exit", () => this.finish());
      child.stdin?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("data", (chunk: Buffer) => {
        this.buffer.append(chunk);
        this.drain();
      });
      let pending = "";
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (text: string) => {
        pending += text;
        const lines = pending.split(/\r?\n/);
        pending = lines.pop() ?? "";
        for (const line of lines) if (line) this.options.onStderr?.(line);
      });
    });
  }

  private drain(): void {
    while (true) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        // A line that is not JSON-RPC (a stray log on stdout) is reported and skipped.
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.closed) return reject(new Error("process is not running"));
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
    if (child?.pid) liveGroups.delete(child.pid);
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
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
