/**
 * Attack: slow clients (slowloris). Sockets that send their body a byte at a time, or sit idle
 * between requests, used to be held forever (`idleTimeout: 0`, no connection limit): 20,000 of
 * them used up the file descriptors and made the gateway unreachable. Now a request's body must
 * arrive within `server.read_timeout` whatever its pace (408, connection closed; Bun itself cuts
 * headers that take over 10 s), idle connections close after as long, requests open at once
 * are capped per client address and in all (503 at once), and `/health` and other clients keep
 * working meanwhile. The attacker dials from other loopback addresses
 * (127.0.0.2, 127.0.0.3), so the per-address cap can be told from the total.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connect, type Socket } from "node:net";
import type { RunningGateway } from "../../src/gateway/run.ts";
import {
  BUN,
  type ConnectedClient,
  connectHttp,
  FIXTURE_SERVER,
  startGateway,
  waitFor,
} from "../helpers.ts";
import { meta } from "./_helpers.ts";

setDefaultTimeout(60_000);

const READ_TIMEOUT_MS = 3000;
const PER_ADDRESS = 150;
const TOTAL = 250;

let running: RunningGateway & { url: string };
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  running = await startGateway(`
capabilities: { enabled: false }
server:
  read_timeout: ${READ_TIMEOUT_MS}ms
  max_connections: ${TOTAL}
  max_connections_per_address: ${PER_ADDRESS}
backends:
  fixture:
    command: ${BUN}
    args: ["${FIXTURE_SERVER}"]
`);
  await waitFor(() => running.gateway.index.tools("fixture").length > 0);
  port = Number(new URL(running.url).port);
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await running?.stop();
});

interface Slow {
  /** The status line the gateway answered, if any. */
  status?: string;
  /** Milliseconds from connect until the gateway closed the socket. */
  closedAfter?: number;
  closed: Promise<void>;
}

/** A socket that sends `head`, then one byte every `everyMs` of `drip`, until the gateway closes it. */
function slowSocket(from: string, head: string, drip: string, everyMs = 100): Promise<Slow> {
  return new Promise((opened, failed) => {
    const slow: Partial<Slow> = {};
    const started = performance.now();
    const socket = connect({ host: "127.0.0.1", port, localAddress: from });
    sockets.push(socket);
    let timer: ReturnType<typeof setInterval> | undefined;
    slow.closed = new Promise((resolve) => {
      socket.on("close", () => {
        clearInterval(timer);
        slow.closedAfter = performance.now() - started;
        resolve();
      });
    });
    socket.on("data", (data) => {
      slow.status ??= String(data).split("\r\n")[0];
    });
    socket.on("error", () => {});
    socket.once("connect", () => {
      socket.write(head);
      let at = 0;
      timer = setInterval(() => {
        if (!socket.destroyed) socket.write(drip[at++ % drip.length]!);
      }, everyMs);
      opened(slow as Slow);
    });
    socket.once("error", failed);
  });
}

const BODY_HEAD =
  "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n";
const HEADERS_HEAD = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n";

async function healthy(): Promise<number> {
  return (await fetch(`${running.url}/health`)).status;
}

describe("slow clients", () => {
  test("a body dribbled a byte at a time is cut at server.read_timeout with 408", async () => {
    const slow = await Promise.all(
      Array.from({ length: 20 }, () => slowSocket("127.0.0.2", BODY_HEAD, '{"jsonrpc":"2.0"')),
    );
    await Promise.race([Promise.all(slow.map((s) => s.closed)), Bun.sleep(8000)]);
    for (const socket of slow) {
      expect(socket.status).toBe("HTTP/1.1 408 Request Timeout");
      expect(socket.closedAfter).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 100);
      expect(socket.closedAfter).toBeLessThan(READ_TIMEOUT_MS + 1500);
    }
  });

  test("headers dribbled a byte at a time are cut by Bun's own header deadline (10 s)", async () => {
    const slow = await Promise.all(
      Array.from({ length: 20 }, () => slowSocket("127.0.0.2", HEADERS_HEAD, "X-Slow: 1\r\n", 300)),
    );
    await Promise.race([Promise.all(slow.map((s) => s.closed)), Bun.sleep(16_000)]);
    for (const socket of slow) {
      expect(socket.closedAfter).toBeDefined();
      // 10 s, checked on a 4-second tick.
      expect(socket.closedAfter).toBeLessThan(15_000);
    }
  });

  test("while hundreds are open, the rest of that address gets 503 at once; /health and other clients work", async () => {
    // 400 slow bodies from two addresses: 150 each are admitted (per-address cap); past the
    // total (250) even 127.0.0.3's are refused. Every refusal comes at once.
    const attack: Slow[] = [];
    // Each address's 200 at once: opened one by one on a loaded machine, the first ones reached
    // server.read_timeout (and were cut, freeing room) before the last ones were opened.
    const opening = performance.now();
    for (const from of ["127.0.0.2", "127.0.0.3"]) {
      const batch = Array.from({ length: 200 }, () => slowSocket(from, BODY_HEAD, "a"));
      attack.push(...(await Promise.all(batch)));
    }
    const openedIn = performance.now() - opening;
    const refused = () => attack.filter((s) => s.status?.startsWith("HTTP/1.1 503"));
    // Each refusal answered, and its socket closed.
    await waitFor(
      () => refused().filter((s) => s.closedAfter !== undefined).length >= 400 - TOTAL,
      3000,
    ).catch(() => {});
    // Counted only while no admitted socket can have been cut yet.
    expect(openedIn).toBeLessThan(READ_TIMEOUT_MS);
    expect(refused().length).toBe(400 - TOTAL);
    for (const socket of refused()) expect(socket.closedAfter).toBeLessThan(READ_TIMEOUT_MS);

    // The total is full: /health still answers (it has headroom of its own).
    expect(await healthy()).toBe(200);
    const busy = await fetch(`${running.url}/mcp`, { method: "POST", body: "{}" });
    expect(busy.status).toBe(503);
    expect(await busy.text()).toContain("server.max_connections");

    // Once the slow ones are cut, a real client connects and calls.
    await Promise.race([Promise.all(attack.map((s) => s.closed)), Bun.sleep(8000)]);
    expect(attack.every((s) => s.closedAfter !== undefined)).toBe(true);
    let client: ConnectedClient | undefined;
    try {
      client = await connectHttp(running.url);
      const servers = await meta(client.client, "gateway_list_servers");
      expect(servers.isError).toBeFalsy();
    } finally {
      await client?.close();
    }
  });

  test("one address at its cap does not lock out another: a real client works during the attack", async () => {
    const attack = await Promise.all(
      Array.from({ length: PER_ADDRESS + 50 }, () => slowSocket("127.0.0.2", BODY_HEAD, "a")),
    );
    const refused = () => attack.filter((s) => s.status?.startsWith("HTTP/1.1 503")).length;
    const closed = () => attack.filter((s) => s.closedAfter !== undefined).length;
    await waitFor(() => refused() >= 50 && closed() >= 50, 3000).catch(() => {});
    expect(refused()).toBe(50);
    // The client (from 127.0.0.1) works while 150 slow bodies are held open.
    expect(attack.filter((s) => s.closedAfter === undefined).length).toBe(PER_ADDRESS);
    const client = await connectHttp(running.url);
    try {
      const servers = await meta(client.client, "gateway_list_servers");
      expect(servers.isError).toBeFalsy();
      expect(await healthy()).toBe(200);
    } finally {
      await client.close();
    }
    await Promise.race([Promise.all(attack.map((s) => s.closed)), Bun.sleep(8000)]);
  });

  test("an idle keep-alive connection is closed; a quiet long call and its stream are not", async () => {
    const idle = await slowSocket(
      "127.0.0.4",
      "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      " ",
      1e9,
    );
    const client = await connectHttp(running.url);
    try {
      // Nothing flows for 7 s (no progress): far past read_timeout and Bun's idle timer.
      const result = await client.client.callTool(
        {
          name: "gateway_invoke",
          arguments: { server: "fixture", tool: "slow", arguments: { steps: 1, delayMs: 7000 } },
        },
        { timeout: 20_000 },
      );
      expect(JSON.stringify(result.content)).toContain("done 1");
      await Promise.race([idle.closed, Bun.sleep(5000)]);
      expect(idle.status).toBe("HTTP/1.1 200 OK");
      // read_timeout in whole seconds, 4 s of slack, and Bun's 4-second tick.
      expect(idle.closedAfter).toBeLessThan(Math.ceil(READ_TIMEOUT_MS / 1000) * 1000 + 8500);
      // The session and its quiet standalone stream are still there.
      expect((await client.client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  test("a client that drops its open call streams gives their slots back at once", async () => {
    // A session on the backend's own route, opened from 127.0.0.1.
    const init = await fetch(`${running.url}/mcp/fixture`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          clientInfo: { name: "t", version: "1" },
        },
      }),
    });
    const session = init.headers.get("mcp-session-id")!;
    await init.text();
    const call = (id: number) => {
      const body = JSON.stringify({
        jsonrpc: "2.0",
        id,
        method: "tools/call",
        params: { name: "slow", arguments: { steps: 1, delayMs: 4000 } },
      });
      return `POST /mcp/fixture HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Session-Id: ${session}\r\nMcp-Protocol-Version: 2025-11-25\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    // 127.0.0.5 fills its cap with calls that answer in 4 s: each holds an SSE stream open.
    const streams: Slow[] = [];
    for (let i = 0; i < PER_ADDRESS; i++)
      streams.push(await slowSocket("127.0.0.5", call(i + 1), "", 1e9));
    await waitFor(() => streams.every((s) => s.status !== undefined));
    expect(streams.every((s) => s.status === "HTTP/1.1 200 OK")).toBe(true);
    const over = await slowSocket("127.0.0.5", call(1000), "", 1e9);
    await waitFor(() => over.status !== undefined);
    expect(over.status).toStartWith("HTTP/1.1 503");
    // The client goes away mid-call: every stream's slot is free long before the calls end.
    for (const socket of sockets) socket.destroy();
    await Bun.sleep(300);
    const again = await slowSocket("127.0.0.5", call(2000), "", 1e9);
    await waitFor(() => again.status !== undefined);
    expect(again.status).toBe("HTTP/1.1 200 OK");
    for (const socket of sockets) socket.destroy();
  });
});
