import { type Subprocess, spawn } from "bun";
import { freePort, waitFor } from "../helpers.ts";

/** A throwaway `redis-server` (Debian's package) on a free loopback port, with no persistence. */
export interface RedisServer {
  url: string;
  port: number;
  /** Kills it (SIGKILL), as an outage would. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  /** Sends it a signal (SIGSTOP: a Redis that hangs; SIGCONT: back). */
  signal(name: "SIGSTOP" | "SIGCONT"): void;
}

/** `args`: more of redis-server's options (`--requirepass`, `--maxmemory` ...). */
export async function startRedis(args: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  let child: Subprocess | undefined;
  const start = async () => {
    child = spawn(
      [
        "redis-server",
        "--port",
        `${port}`,
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        ...args,
      ],
      { stdout: "ignore", stderr: "ignore" },
    );
    await waitFor(async () => {
      try {
        const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
        socket.end();
        return true;
      } catch {
        return false;
      }
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    signal(name) {
      child?.kill(name);
    },
    async kill() {
      child?.kill("SIGCONT");
      child?.kill("SIGKILL");
      await child?.exited;
    },
    restart: start,
  };
}
