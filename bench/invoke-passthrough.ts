/**
 * `gateway_invoke` on `/mcp` against the `/mcp/{backend}` passthrough of the same call, in one
 * gateway in front of one server-everything over stdio, both over Streamable HTTP with the SDK's
 * client. The calls alternate (one on each path, then again), so that both paths see the same
 * load on a shared machine: the difference is what the meta path adds.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { freePort, spawnGateway, summarize, waitHttp } from "./_stats.ts";

const EVERYTHING = join(
  import.meta.dir,
  "../node_modules/@modelcontextprotocol/server-everything/dist/index.js",
);

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "bench", version: "1" }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

export async function passthroughRows(
  calls: number,
  warmup: number,
): Promise<{ rows: (string | number)[][]; rssAfter: number }> {
  const tmp = join(tmpdir(), `bench-passthrough-${process.pid}`);
  const node = Bun.which("node") ?? "node";
  // The response cache off: echo is read-only, and a cached answer never reaches the backend.
  writeFileSync(
    `${tmp}.yaml`,
    `cache: { enabled: false }\nbackends:\n  everything:\n    command: ${node}\n    args: ["${EVERYTHING}", "stdio"]\n`,
  );
  const port = await freePort();
  const gateway = spawnGateway(`${tmp}.yaml`, port, `${tmp}-state`);
  try {
    await waitHttp(`http://127.0.0.1:${port}/health`);
    const direct = await connect(`http://127.0.0.1:${port}/mcp/everything`);
    const meta = await connect(`http://127.0.0.1:${port}/mcp`);
    const viaPassthrough = () => direct.callTool({ name: "echo", arguments: { message: "hi" } });
    const viaInvoke = () =>
      meta.callTool({
        name: "gateway_invoke",
        arguments: { server: "everything", tool: "echo", arguments: { message: "hi" } },
      });
    for (let i = 0; i < warmup; i++) {
      await viaPassthrough();
      await viaInvoke();
    }
    const passthrough: number[] = [];
    const invoke: number[] = [];
    for (let i = 0; i < calls; i++) {
      // Which path goes first alternates too.
      const order = i % 2 ? [viaPassthrough, viaInvoke] : [viaInvoke, viaPassthrough];
      for (const call of order) {
        const started = performance.now();
        const result = await call();
        const elapsed = performance.now() - started;
        const text = (result.content as { text?: string }[])[0]?.text;
        if (text !== "Echo: hi") throw new Error(`unexpected answer: ${JSON.stringify(result)}`);
        (call === viaInvoke ? invoke : passthrough).push(elapsed);
      }
    }
    const rssAfter =
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${gateway.pid}/status`, "utf8"))?.[1]) /
      1024;
    await direct.close();
    await meta.close();
    const p = summarize(passthrough);
    const v = summarize(invoke);
    return {
      rows: [
        ["/mcp/everything (passthrough)", p.p50, p.p90, p.p99],
        ["/mcp gateway_invoke", v.p50, v.p90, v.p99],
        ["added by gateway_invoke", v.p50 - p.p50, v.p90 - p.p90, v.p99 - p.p99],
      ],
      rssAfter,
    };
  } finally {
    gateway.kill();
    rmSync(`${tmp}.yaml`, { force: true });
    rmSync(`${tmp}-state`, { recursive: true, force: true });
  }
}
