import { basename } from "node:path";
import { CLIENTS } from "./clients.ts";
import type { PlannedBackend } from "./plan.ts";
import { diffChange, type SetupResult, type SetupScan, type SetupScanOptions } from "./setup.ts";

/** One line for the user (stderr), with the level to log it at. */
export interface ReportLine {
  level: "info" | "success" | "warn";
  text: string;
}

/** Where each server was found: `Claude Desktop, Cursor`. */
export const origins = (backend: PlannedBackend) => backend.sources.map((s) => s.origin).join(", ");

/** One line per client file that exists: how many servers, what was skipped, what failed. */
export function scanLines(scan: SetupScan): ReportLine[] {
  const lines: ReportLine[] = [];
  for (const scanned of scan.files) {
    if (!scanned.exists) continue;
    const label = CLIENTS[scanned.file.client].label;
    if (scanned.error) {
      lines.push({ level: "warn", text: `${label}: ${scanned.error}` });
      continue;
    }
    const count = scanned.servers.length;
    const text = `${label}: ${count} server${count === 1 ? "" : "s"} in ${scanned.file.path}`;
    lines.push({ level: "info", text });
    for (const server of scanned.servers) {
      if (server.skipped)
        lines.push({ level: "info", text: `  skipped ${server.name}: ${server.skipped}` });
    }
  }
  return lines;
}

/** What was (or, in a dry run, would be) done, the notes, and the variables to set. */
export function resultLines(
  result: SetupResult,
  options: SetupScanOptions,
  backup: string | undefined,
  dryRun: boolean,
): ReportLine[] {
  const { plan } = result;
  const lines: ReportLine[] = [];
  const added = plan.backends.filter((backend) => !backend.present).map((b) => b.name);
  const would = dryRun ? "would be " : "";
  if (added.length > 0) {
    const count = `${added.length} backend${added.length === 1 ? "" : "s"}`;
    lines.push({
      level: "success",
      text: `${count} ${would}added to ${options.configPath}: ${added.join(", ")}`,
    });
  } else {
    lines.push({ level: "info", text: `${options.configPath} already has every chosen server` });
  }
  for (const note of [...plan.notes, ...result.notes])
    lines.push({ level: "info", text: `note: ${note}` });
  const listed = (pairs: [string, string][]) => {
    const variables = new Map<string, string[]>();
    for (const [name, where] of pairs) variables.set(name, [...(variables.get(name) ?? []), where]);
    return [...variables].map(([name, where]) => `  ${name}  (${where.join("; ")})`).join("\n");
  };
  const stored = plan.secrets.filter((secret) => !result.unwritten.includes(secret));
  if (result.secretsFile && stored.length > 0) {
    const config = basename(options.configPath);
    lines.push({
      level: "info",
      text: `secrets from the client files ${would || "are "}kept in ${result.secretsFile} (mode 0600), which ${config} reads through env_files on every start:\n${listed(stored.map((s) => [s.variable, s.where]))}`,
    });
  }
  const unset: [string, string][] = [
    ...result.unwritten.map((s): [string, string] => [s.variable, s.where]),
    ...plan.needs.map((n): [string, string] => [n.variable, `${n.where}: ${n.why}`]),
  ];
  if (unset.length > 0) {
    lines.push({
      level: "warn",
      text: `set these environment variables before starting the gateway:\n${listed(unset)}`,
    });
  }
  for (const { file, via } of result.rewritten) {
    const target =
      via === "http" ? options.gateway.url : `${options.gateway.command} serve --stdio`;
    lines.push({
      level: "info",
      text: `${CLIENTS[file.client].label}: ${file.path} ${would}pointed at ${target}`,
    });
  }
  if (result.rewritten.some((r) => r.via === "http")) {
    lines.push({
      level: "info",
      text: "HTTP clients need the gateway running: `mcp-gateway serve`",
    });
    if (options.gateway.auth) lines.push({ level: "warn", text: keyNeeded(options.configPath) });
  }
  if (dryRun) lines.push({ level: "info", text: "dry run: nothing was written" });
  else if (backup) {
    lines.push({
      level: "info",
      text: `backup ${backup}: undo with \`mcp-gateway setup restore\``,
    });
  }
  return lines;
}

/** The `setup --json` object (see docs/cli.md). Secret values never appear in it. */
export function resultJson(
  scan: SetupScan,
  result: SetupResult | undefined,
  backup: string | undefined,
  dryRun: boolean,
): Record<string, unknown> {
  const plan = result?.plan ?? scan.plan;
  return {
    config: scan.editor.file,
    dryRun,
    backends: (result ? plan.backends : []).map((backend) => ({
      name: backend.name,
      present: backend.present,
      sources: backend.sources.map((s) => ({
        client: s.file.client,
        file: s.file.path,
        name: s.name,
      })),
    })),
    variables: [...new Set(plan.secrets.map((s) => s.variable))].map((name) => ({
      name,
      where: plan.secrets.filter((s) => s.variable === name).map((s) => s.where),
      stored: !result?.unwritten.some((s) => s.variable === name) && !!result?.secretsFile,
    })),
    secretsFile: result?.secretsFile ?? null,
    needs: plan.needs,
    notes: [...plan.notes, ...(result?.notes ?? [])],
    clients: (result?.rewritten ?? []).map(({ file, via }) => ({
      client: file.client,
      file: file.path,
      via,
    })),
    skipped: scan.servers
      .filter((s) => s.skipped)
      .map((s) => ({ client: s.file.client, file: s.file.path, name: s.name, reason: s.skipped })),
    errors: scan.files.filter((f) => f.error).map((f) => ({ file: f.file.path, error: f.error })),
    backup: backup ?? null,
    diff:
      dryRun && result
        ? result.changes.map((change) => diffChange(change, plan.secrets)).join("")
        : undefined,
  };
}

/** With auth on, a client pointed at the gateway's URL is refused until it sends a key. */
export function keyNeeded(configPath: string): string {
  return `auth is on in ${configPath}: the HTTP clients pointed at the gateway are refused (401) until each sends a key. Add "headers": {"Authorization": "Bearer <key>"} to their mcp-gateway entry (\`mcp-gateway keys create NAME\` prints a key), or point them over stdio with --client-transport stdio`;
}
