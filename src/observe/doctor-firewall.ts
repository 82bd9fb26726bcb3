import { backendToolName } from "../backends/expose.ts";
import type { ResolvedConfig } from "../config/load.ts";
import type { Tool } from "../mcp/sdk.ts";
import type { GuardReport } from "../security/call-guard.ts";
import { type ArgumentScan, scansForKey } from "../security/firewall.ts";
import { compilePattern, matches } from "../security/scopes.ts";
import type { Check } from "./doctor.ts";

/**
 * The firewall as `doctor` sees it: its modes, which listed tools each argument scan applies to
 * and which need confirmation, and the refusals of a gateway already running on the port.
 */
export async function firewallChecks(
  config: ResolvedConfig,
  tools: Record<string, Tool[]>,
): Promise<Check[]> {
  const { firewall, require_confirmation, confirm_destructive, sandbox } = config.security;
  const on = firewall.enabled;
  const scanned: Record<ArgumentScan, string[]> = { shell: [], sql: [], path: [] };
  const confirm = require_confirmation.map(compilePattern);
  const confirmed: string[] = [];
  const backends = new Map(config.backends.map((backend) => [backend.name, backend]));
  for (const [server, list] of Object.entries(tools)) {
    const backend = backends.get(server);
    for (const tool of list) {
      // A confirmation written for the backend's own name of a renamed tool holds, as at run time.
      const own = backend ? backendToolName(backend, tool.name) : tool.name;
      const keys = Object.keys((tool.inputSchema?.properties as object | undefined) ?? {});
      const kinds = new Set(keys.flatMap((key) => scansForKey(tool, key)));
      for (const kind of kinds) scanned[kind].push(`${server}:${tool.name}`);
      const destructive = confirm_destructive && tool.annotations?.destructiveHint === true;
      const named = (pattern: (typeof confirm)[number]) =>
        matches(pattern, server, tool.name) || matches(pattern, server, own);
      if (destructive || confirm.some(named)) {
        confirmed.push(`${server}:${tool.name}`);
      }
    }
  }
  const list = (names: string[]) =>
    names.length > 6
      ? `${names.slice(0, 6).join(", ")} and ${names.length - 6} more`
      : names.join(", ");
  const scans = (Object.keys(scanned) as ArgumentScan[])
    .filter((kind) => scanned[kind].length)
    .map((kind) => `${kind} on ${scanned[kind].length} (${list(scanned[kind])})`);
  const caps = Object.entries({
    max_calls: sandbox.max_calls,
    max_duration: sandbox.max_duration,
    backends: sandbox.backends.length ? sandbox.backends.join(", ") : undefined,
  }).filter(([, value]) => value !== undefined);
  const checks: Check[] = [
    {
      name: "firewall",
      status: "ok",
      message: [
        `arguments: ${on ? firewall.arguments : "off"}, results: ${on ? firewall.results : "off"}, ${firewall.rules.length} rules`,
        scans.length
          ? `argument scans: ${scans.join("; ")}`
          : "no listed tool takes commands, queries or paths",
        confirmed.length ? `confirmation for ${list(confirmed)}` : "",
        caps.length ? `session sandbox: ${caps.map(([k, v]) => `${k} ${v}`).join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; "),
    },
  ];
  const running = await runningReport(config);
  const events = Object.entries(running?.events ?? {});
  if (events.length) {
    const blocked = events.reduce((sum, [, event]) => sum + event.blocked, 0);
    checks.push({
      name: "firewall",
      status: blocked ? "warn" : "note",
      message: `the running gateway refused ${blocked} calls since it started: ${events
        .map(
          ([rule, event]) =>
            `${rule} ×${event.blocked + event.warned} (last: ${event.last ?? "?"})`,
        )
        .join("; ")}`,
      hint: 'an intended call? add {match: "server:tool", action: allow} to security.firewall.rules',
    });
  }
  return checks;
}

/** The firewall report of a gateway on the configured port, if one answers with it. */
async function runningReport(config: ResolvedConfig): Promise<GuardReport | undefined> {
  const { host, port } = config.server;
  const target = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  try {
    const response = await fetch(
      `http://${target.includes(":") ? `[${target}]` : target}:${port}/health`,
      { signal: AbortSignal.timeout(2000) },
    );
    const body = (await response.json()) as { security?: { firewall?: GuardReport } };
    return body.security?.firewall;
  } catch {
    return undefined;
  }
}
