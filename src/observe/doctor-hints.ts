import { formatDuration } from "../config/duration.ts";
import type { ResolvedBackend } from "../config/load.ts";

/** What to try when a backend cannot be reached, from the shape of its error. */
export function backendHint(backend: ResolvedBackend, message: string, timeoutMs: number): string {
  const command = backend.command ?? "";
  if (message.includes(`backends.${backend.name}.cwd`)) {
    return `the process is started in backends.${backend.name}.cwd; point it at an existing folder`;
  }
  if (/command not found|ENOENT/i.test(message)) {
    const runtime = /^(npx|npm|node)$/.test(command)
      ? " (install Node.js)"
      : /^(uvx|uv)$/.test(command)
        ? " (install uv: https://docs.astral.sh/uv/)"
        : /^docker$/.test(command)
          ? " (install Docker)"
          : "";
    return `${command || "the command"} is not on PATH${runtime}; use an absolute path in backends.${backend.name}.command`;
  }
  if (/no answer within|timed? ?out/i.test(message)) {
    return command === "npx" || command === "uvx"
      ? `the first start may still be downloading the package; run doctor again, or raise --timeout (now ${formatDuration(timeoutMs)})`
      : `it did not answer within ${formatDuration(timeoutMs)}; check that it speaks MCP on stdout (logs go to stderr), or raise --timeout`;
  }
  if (/\b401\b|\b403\b|unauthori[sz]ed|forbidden/i.test(message)) {
    return `the server refused the credentials: check backends.${backend.name}.headers (and the variables they use)`;
  }
  if (/ECONNREFUSED|Unable to connect|connection refused/i.test(message)) {
    return `nothing listens at ${backend.url}; is the server running?`;
  }
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|DNS/i.test(message)) {
    return `the host of ${backend.url} does not resolve; check the URL and your network`;
  }
  if (/\b404\b|\b405\b/.test(message)) {
    return `${backend.url} is not an MCP endpoint; check the path (often /mcp, or /sse for legacy servers)`;
  }
  if (/closed|exited|EPIPE/i.test(message)) {
    return "the process exited during startup: its stderr above usually says why (a missing argument or key)";
  }
  return backend.url
    ? `check that ${backend.url} serves MCP (Streamable HTTP or SSE)`
    : `run the command by hand to see what it prints: ${[command, ...backend.args].join(" ")}`;
}

/** What to do about a port that cannot be bound. */
export function portHint(code: string, port: number, file?: string): string {
  if (code === "EADDRINUSE") {
    return `another program uses port ${port}: set server.port in ${file ?? "the config"}, or pass --port to serve`;
  }
  if (code === "EACCES" && port < 1024)
    return "ports below 1024 need privileges: use a higher port";
  if (code === "EADDRNOTAVAIL") return "server.host is not an address of this machine";
  return "set server.host and server.port in the config";
}

/** Whether what listens at host:port is a gateway (its /health answers like one). */
export async function isGateway(host: string, port: number): Promise<boolean> {
  const target = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  try {
    const response = await fetch(
      `http://${target.includes(":") ? `[${target}]` : target}:${port}/health`,
      {
        signal: AbortSignal.timeout(2000),
      },
    );
    const body = (await response.json()) as { status?: unknown };
    return body.status === "ok" || body.status === "degraded";
  } catch {
    return false;
  }
}
