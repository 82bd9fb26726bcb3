import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { defineCommand } from "citty";
import { ConfigEditor, resolveEditablePath } from "../../config/edit.ts";
import { logger } from "../../logger.ts";
import {
  type FileChange,
  listBackups,
  restoreBackup,
  writeWithBackup,
} from "../../setup/backup.ts";
import {
  CLIENTS,
  type ClientId,
  type ClientTransport,
  GATEWAY_ENTRY,
  type GatewayTarget,
  isReadOnly,
} from "../../setup/clients.ts";
import { type ExportOptions, planExport, watchClientFiles } from "../../setup/export.ts";
import type { PlannedBackend } from "../../setup/plan.ts";
import {
  keyNeeded,
  origins,
  type ReportLine,
  resultJson,
  resultLines,
  scanLines,
} from "../../setup/report.ts";
import {
  buildSetup,
  diffChange,
  type SetupScan,
  type SetupScanOptions,
  scanSetup,
} from "../../setup/setup.ts";
import { applyLogArgs, runAction } from "../_args.ts";
import {
  setupExportSpec,
  setupImportSpec,
  setupRestoreSpec,
  setupSpec,
  setupWizardSpec,
} from "../_tree.ts";

const importCommand = defineCommand({
  ...setupImportSpec,
  async run({ args }) {
    await runAction(() => runSetup(args));
  },
});

const wizardCommand = defineCommand({
  ...setupWizardSpec,
  async run({ args }) {
    await runAction(() => runSetup(args));
  },
});

const exportCommand = defineCommand({
  ...setupExportSpec,
  async run({ args }) {
    await runAction(() => runExport(args), args);
  },
});

const restoreCommand = defineCommand({
  ...setupRestoreSpec,
  async run({ args }) {
    await runAction(() => {
      const sets = listBackups(process.env);
      if (args.list) {
        if (args.json) {
          const out = sets.map(({ dir: _dir, ...set }) => set);
          process.stdout.write(`${JSON.stringify({ backups: out }, null, 2)}\n`);
        } else if (sets.length === 0) {
          logger.info("no backups yet");
        } else {
          for (const set of sets) {
            const state = set.restored ? ` (restored ${set.restored})` : "";
            const files = set.files.map((file) => file.path).join(", ");
            process.stdout.write(`${set.id}  ${set.command}  ${files}${state}\n`);
          }
        }
        return;
      }
      const set = args.id ? sets.find((s) => s.id === args.id) : sets.find((s) => !s.restored);
      if (!set) {
        throw new Error(
          args.id
            ? `no backup ${args.id} (see \`mcp-gateway setup restore --list\`)`
            : "no backup left to restore (see `mcp-gateway setup restore --list`)",
        );
      }
      const results = restoreBackup(set, { force: args.force, dryRun: args["dry-run"] });
      if (args.json) {
        process.stdout.write(
          `${JSON.stringify({ id: set.id, dryRun: !!args["dry-run"], files: results }, null, 2)}\n`,
        );
      }
      const verb = args["dry-run"] ? "would be" : "";
      for (const result of results) {
        if (result.action !== "unchanged")
          logger.info(`${result.path}: ${verb} ${result.action}`.replace("  ", " "));
      }
      if (!args["dry-run"]) logger.success(`restored backup ${set.id}`);
    }, args);
  },
});

export default defineCommand({
  meta: setupSpec.meta,
  args: setupSpec.args,
  subCommands: {
    import: importCommand,
    wizard: wizardCommand,
    export: exportCommand,
    restore: restoreCommand,
  },
  default: "import",
});

type SetupArgs = {
  yes?: boolean;
  only?: string;
  client?: string;
  "configure-client"?: boolean;
  "client-transport"?: string;
  project?: string;
  "dry-run"?: boolean;
  json?: boolean;
  config?: string;
  "log-level"?: string;
  "log-format"?: string;
};

async function runSetup(args: SetupArgs): Promise<void> {
  applyLogArgs(args);
  const env = process.env;
  const configPath = resolveEditablePath({ explicit: args.config, env });
  const clients = parseClients(args.client);
  const via = parseVia(args["client-transport"]);
  const options: SetupScanOptions = {
    env,
    configPath,
    projectDir: resolve(args.project ?? "."),
    clients,
    gateway: gatewayTarget(configPath),
    onProgress: progress(),
  };
  const scan = scanSetup(options);
  clearProgress();
  print(scanLines(scan));
  await offerSkills(resolve(args.project ?? "."), configPath);
  if (scan.plan.backends.length === 0) {
    logger.info(`no MCP servers to import (looked at ${scan.files.length} client files)`);
    if (args.json) printJson(resultJson(scan, undefined, undefined, false));
    return;
  }

  const backends = await pickBackends(scan, args);
  if (backends.length === 0) {
    logger.info("nothing chosen; nothing written");
    return;
  }
  const rewrite = args["configure-client"] ? await pickClients(backends, args) : [];
  const result = buildSetup(scan, { backends, rewrite, via }, options);
  if (args["dry-run"]) {
    if (!args.json) {
      for (const change of result.changes) {
        process.stdout.write(diffChange(change, result.plan.secrets));
      }
    }
    print(resultLines(result, options, undefined, true));
    if (args.json) printJson(resultJson(scan, result, undefined, true));
    return;
  }
  const backup =
    result.changes.length > 0 ? writeWithBackup(result.changes, env, "setup") : undefined;
  print(resultLines(result, options, backup?.id, false));
  if (args.json) printJson(resultJson(scan, result, backup?.id, false));
}

/** Claude Code skills the gateway does not serve yet: the command that imports them. */
async function offerSkills(projectDir: string, configPath: string): Promise<void> {
  const [{ claudeSkillFolders }, { skillsDir }, { loadConfig }] = await Promise.all([
    import("../../skills/discover.ts"),
    import("../../skills/dir.ts"),
    import("../../config/load.ts"),
  ]);
  let stored: string;
  try {
    const path = existsSync(configPath) ? configPath : undefined;
    stored = skillsDir(loadConfig({ path, env: process.env }));
  } catch {
    return;
  }
  for (const { dir, fresh } of claudeSkillFolders(process.env, projectDir, stored)) {
    const some = fresh.slice(0, 5).join(", ") + (fresh.length > 5 ? ", …" : "");
    logger.info(
      `${dir} has ${fresh.length} skill(s) the gateway does not serve yet (${some}); serve them to every client with: mcp-gateway skills import ${dir}`,
    );
  }
}

/** How the original gateway names the copy of a client file it makes before writing it. */
const ORIGINAL_BACKUP = ".mcp-gateway.bak.";

/**
 * The original's `setup export --rollback FILE`: its backup `<file>.mcp-gateway.bak.<n>` put back
 * over `<file>`, which is backed up first like every file setup writes (setup restore undoes it).
 */
function rollbackClientFile(backup: string, dryRun: boolean): void {
  const path = resolve(backup);
  const at = basename(path).lastIndexOf(ORIGINAL_BACKUP);
  if (at <= 0) {
    throw new Error(
      `setup export --rollback: ${path} is not a backup the original gateway wrote (named FILE${ORIGINAL_BACKUP}N); this gateway's backups are put back with mcp-gateway setup restore`,
    );
  }
  if (!existsSync(path)) throw new Error(`setup export --rollback: ${path}: no such file`);
  const target = join(dirname(path), basename(path).slice(0, at));
  const change: FileChange = {
    path: target,
    before: existsSync(target) ? readFileSync(target, "utf8") : undefined,
    after: readFileSync(path, "utf8"),
  };
  if (dryRun) {
    process.stdout.write(diffChange(change));
    logger.info(`${target} would be put back from ${path}; nothing written`);
    return;
  }
  const set = writeWithBackup([change], process.env, "setup export --rollback");
  logger.success(`${target} put back from ${path}`);
  logger.info(`undo with \`mcp-gateway setup restore --id ${set.id}\``);
}

type ExportArgs = {
  target?: string;
  "dry-run"?: boolean;
  watch?: boolean;
  rollback?: string;
  name?: string;
  "client-transport"?: string;
  project?: string;
  config?: string;
  "log-level"?: string;
  "log-format"?: string;
};

async function runExport(args: ExportArgs): Promise<void> {
  applyLogArgs(args);
  if (args.rollback) return rollbackClientFile(args.rollback, !!args["dry-run"]);
  if (!args.target) {
    throw new Error(
      `setup export: pass --target all, or --target CLIENT,... (${Object.keys(CLIENTS).join(", ")})`,
    );
  }
  if (args.watch && args["dry-run"])
    throw new Error("setup export: --watch writes; drop --dry-run");
  const env = process.env;
  const configPath = resolveEditablePath({ explicit: args.config, env });
  const gateway = gatewayTarget(configPath);
  if (!existsSync(configPath)) {
    if (args.config || env.MCP_GATEWAY_CONFIG) {
      logger.warn(
        `${configPath} does not exist yet: a client that starts the gateway fails until it does (mcp-gateway init --config ${configPath} writes one)`,
      );
    } else {
      // `--config` naming a file that does not exist would make `serve --stdio` refuse to start;
      // without it the gateway reads the config it finds when it starts (the built-in default
      // until init, add or setup writes one).
      gateway.args = ["serve", "--stdio"];
    }
  }
  if (args.target === "generic") {
    // The original's generic target: the entry on stdout, for a client not listed.
    const via = parseVia(args["client-transport"]) ?? "http";
    const entry =
      via === "http" ? { url: gateway.url } : { command: gateway.command, args: gateway.args };
    const name = entryName(args.name) ?? GATEWAY_ENTRY;
    process.stdout.write(`${JSON.stringify({ mcpServers: { [name]: entry } }, null, 2)}\n`);
    return;
  }
  const options: ExportOptions = {
    env,
    targets:
      args.target === "all"
        ? undefined
        : parseClients(args.target.replaceAll("vs-code-copilot", "vscode"), "--target"),
    projectDir: resolve(args.project ?? "."),
    gateway,
    via: parseVia(args["client-transport"]),
    entryName: entryName(args.name),
  };
  const plan = planExport(options);
  for (const problem of plan.problems) logger.warn(`left alone: ${problem.error}`);
  if (plan.files.length === 0) logger.info("no client files found to point at the gateway");
  if (args["dry-run"]) {
    for (const change of plan.changes) process.stdout.write(diffChange(change));
    logger.info(`${plan.changes.length} client files would point at the gateway; nothing written`);
    return;
  }
  const apply = (changes: typeof plan.changes) => {
    if (changes.length === 0) return;
    const backup = writeWithBackup(changes, env, "setup export");
    for (const change of changes) logger.success(`${change.path} points at the gateway`);
    if (options.via !== "stdio" && options.gateway.auth) logger.warn(keyNeeded(configPath));
    logger.info(`undo with \`mcp-gateway setup restore --id ${backup.id}\``);
  };
  apply(plan.changes);
  if (plan.changes.length === 0 && plan.files.length > 0) {
    logger.info(`${plan.files.length} client files already point at the gateway`);
  }
  if (!args.watch) return;
  logger.info(`watching ${plan.files.length} client files (Ctrl-C stops)`);
  const stop = watchClientFiles(plan.files, (file) => {
    const again = planExport(options, [file]);
    for (const problem of again.problems) logger.warn(`left alone: ${problem.error}`);
    apply(again.changes);
  });
  await new Promise<void>((done) => {
    const quit = () => {
      stop();
      done();
    };
    process.once("SIGINT", quit);
    process.once("SIGTERM", quit);
  });
}

function parseClients(value: string | undefined, flag = "--client"): ClientId[] | undefined {
  if (!value) return undefined;
  const ids = value
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!(id in CLIENTS)) {
      throw new Error(`${flag}: unknown client ${id}; one of ${Object.keys(CLIENTS).join(", ")}`);
    }
  }
  return ids as ClientId[];
}

function parseVia(value: string | undefined): ClientTransport | undefined {
  if (value === undefined) return undefined;
  if (value !== "http" && value !== "stdio") {
    throw new Error(`--client-transport must be http or stdio, got ${value}`);
  }
  return value;
}

/** Where rewritten clients find the gateway: its HTTP URL, and the command to run it over stdio. */
function gatewayTarget(configPath: string): GatewayTarget {
  let host = "127.0.0.1";
  let port = 39400;
  let auth = false;
  if (existsSync(configPath)) {
    const config = new ConfigEditor(configPath).validate(process.env);
    const { server } = config;
    host = ["0.0.0.0", "::", "[::]"].includes(server.host) ? "127.0.0.1" : server.host;
    port = server.port;
    auth = config.auth.enabled;
  }
  const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  // A compiled binary is its own command; from source, the installed `mcp-gateway` is used.
  const compiled = !/^bun(?:\.exe)?$/.test(basename(process.execPath));
  const command = compiled ? process.execPath : (Bun.which("mcp-gateway") ?? "mcp-gateway");
  return {
    url: `http://${shown}:${port}/mcp`,
    command,
    args: ["serve", "--stdio", "--config", configPath],
    auth,
  };
}

let progressShown = false;

/** A progress line on a terminal; nothing otherwise (the per-file lines follow the scan). */
function progress(): SetupScanOptions["onProgress"] {
  if (!process.stderr.isTTY) return undefined;
  return (file, index, total) => {
    progressShown = true;
    process.stderr.write(
      `\r\x1b[2Kscanning ${CLIENTS[file.client].label} (${index + 1}/${total})…`,
    );
  };
}

function clearProgress(): void {
  if (progressShown) process.stderr.write("\r\x1b[2K");
  progressShown = false;
}

async function pickBackends(scan: SetupScan, args: SetupArgs): Promise<PlannedBackend[]> {
  const all = scan.plan.backends;
  if (args.only) {
    const wanted = args.only
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean);
    const picked = all.filter(
      (backend) =>
        wanted.includes(backend.name) || backend.sources.some((s) => wanted.includes(s.name)),
    );
    const unknown = wanted.filter(
      (name) => !picked.some((b) => b.name === name || b.sources.some((s) => s.name === name)),
    );
    if (unknown.length > 0) {
      throw new Error(
        `--only: not found: ${unknown.join(", ")}; found: ${all.map((b) => b.name).join(", ")}`,
      );
    }
    return picked;
  }
  if (args.yes) return all;
  if (!process.stdin.isTTY || !process.stdout.isTTY || args.json) {
    for (const backend of all) logger.info(`found ${backend.name} (${origins(backend)})`);
    throw new Error(
      `not asking without a terminal: pass --yes to import all ${all.length} servers found, or --only NAME,...`,
    );
  }
  const chosen = await logger.prompt("Import which servers into the gateway?", {
    type: "multiselect",
    required: false,
    cancel: "reject",
    options: all.map((backend) => ({
      label: backend.name,
      value: backend.name,
      hint: backend.present ? `${origins(backend)}; already in the config` : origins(backend),
    })),
    initial: all.map((backend) => backend.name),
  });
  const names = new Set(chosen.map((item) => (typeof item === "string" ? item : item.value)));
  return all.filter((backend) => names.has(backend.name));
}

async function pickClients(backends: PlannedBackend[], args: SetupArgs): Promise<string[]> {
  const files = [
    ...new Set(
      backends.flatMap((b) => b.sources.filter((s) => !isReadOnly(s.file)).map((s) => s.file.path)),
    ),
  ];
  if (args.yes || args.only || !process.stdin.isTTY || !process.stdout.isTTY || args.json) {
    return files;
  }
  const chosen = await logger.prompt("Point which client files at the gateway?", {
    type: "multiselect",
    required: false,
    cancel: "reject",
    options: files.map((path) => ({ label: path, value: path })),
    initial: files,
  });
  return chosen.map((item) => (typeof item === "string" ? item : item.value));
}

function print(lines: ReportLine[]): void {
  for (const line of lines) logger[line.level](line.text);
}

function printJson(json: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

/** `setup export --name`: the clients' entry for the gateway (the original's flag). */
function entryName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(
      `setup export --name: ${JSON.stringify(name)} is not an entry name: letters, digits, ".", "-" and "_", starting with a letter or digit (default mcp-gateway)`,
    );
  }
  return name;
}
