/** Percentile of an ascending-sorted sample (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / Math.max(sorted.length, 1);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean,
  };
}

/** Prints a Markdown table (also readable in a terminal). */
export function printTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((row) =>
    row.map((cell) => (typeof cell === "number" ? cell.toFixed(3) : cell)),
  );
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((row) => String(row[i]).length)),
  );
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  const out = [
    line(headers),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...cells.map(line),
  ].join("\n");
  console.log(out);
  return out;
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = server.port!;
  await server.stop(true);
  return port;
}

/** Waits until something answers HTTP at `url`. */
export async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(url).then(
        () => true,
        () => false,
      )
    )
      return;
    await Bun.sleep(50);
  }
  throw new Error(`${url} did not come up`);
}

/**
 * `mcp-gateway serve` from source on a loopback port, logging errors only, with its state in
 * `stateDir`: the gateway every HTTP bench measures.
 */
export function spawnGateway(
  config: string,
  port: number,
  stateDir: string,
  stderr: "inherit" | "ignore" = "ignore",
): ReturnType<typeof Bun.spawn> {
  const main = `${import.meta.dir}/../src/main.ts`;
  return Bun.spawn(
    [
      process.execPath,
      main,
      "serve",
      "--config",
      config,
      "--port",
      String(port),
      "--log-level",
      "error",
    ],
    { stdout: "ignore", stderr, env: { ...process.env, XDG_STATE_HOME: stateDir } },
  );
}

const ECHO_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};
/**
 * Opens an MCP session (2025-06-18, Streamable HTTP) on `url` and returns a function that calls
 * `echo` once: what bench/memory.ts and bench/memory-floor.ts measure.
 */
export async function echoSession(url: string): Promise<() => Promise<void>> {
  const init = await fetch(url, {
    method: "POST",
    headers: ECHO_HEADERS,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "bench-memory", version: "1" },
      },
    }),
  });
  await init.text();
  const headers = {
    ...ECHO_HEADERS,
    "mcp-session-id": init.headers.get("mcp-session-id") ?? "",
    "mcp-protocol-version": "2025-06-18",
  };
  const post = (body: object) =>
    fetch(url, { method: "POST", headers, body: JSON.stringify(body) }).then((r) => r.text());
  await post({ jsonrpc: "2.0", method: "notifications/initialized" });
  let id = 1;
  return async () => {
    const text = await post({
      jsonrpc: "2.0",
      id: id++,
      method: "tools/call",
      params: { name: "echo", arguments: { message: "hi" } },
    });
    if (!text.includes("Echo: hi")) throw new Error(`unexpected answer: ${text}`);
  };
}
