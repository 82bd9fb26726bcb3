import { readFileSync } from "node:fs";
import { createTwoFilesPatch } from "diff";
import { ConfigEditor } from "../config/edit.ts";
import type { Env } from "../config/env.ts";
import type { FileChange } from "./backup.ts";
import {
  CLIENTS,
  type ClientFile,
  type ClientId,
  type ClientTransport,
  type GatewayTarget,
  isReadOnly,
} from "./clients.ts";
import {
  type FoundServer,
  otherGatewayEntries,
  type ScannedFile,
  scanClients,
} from "./discover.ts";
import { type ImportPlan, type PlannedBackend, planImport } from "./plan.ts";
import { scanProcesses } from "./processes.ts";
import { rewriteClientText } from "./rewrite.ts";
import { type MovedSecret, REDACTED } from "./secrets.ts";
import {
  envFilesEntry,
  readSecretsFile,
  redactSecretsText,
  secretsFileChange,
  secretsFileOf,
} from "./secrets-file.ts";
import { starterConfig } from "./starter.ts";

export interface SetupScanOptions {
  env: Env;
  /** The gateway config to write (see `resolveEditablePath`). */
  configPath: string;
  projectDir?: string;
  /** Only these clients are read. */
  clients?: ClientId[];
  gateway: GatewayTarget;
  onProgress?: (file: ClientFile, index: number, total: number) => void;
  /** Where running processes are read (`/proc`; a test may point elsewhere). */
  procDir?: string;
}

/** What `setup` found: every client file, and the plan for importing all of it. */
export interface SetupScan {
  files: ScannedFile[];
  servers: FoundServer[];
  plan: ImportPlan;
  editor: ConfigEditor;
}

/** Reads the clients and the gateway config, and plans importing everything found. */
export function scanSetup(options: SetupScanOptions): SetupScan {
  const editor = ConfigEditor.open(options.configPath, starterConfig());
  const existing = editor.backends();
  const capabilities = editor.tree().capabilities as { name?: unknown } | undefined;
  const reserved = [
    "gateway",
    typeof capabilities?.name === "string" ? capabilities.name : "capabilities",
  ];
  const files = scanClients({
    env: options.env,
    projectDir: options.projectDir,
    gatewayUrl: options.gateway.url,
    onProgress: options.onProgress,
  })
    // Running processes only when asked for: what else runs on the machine is not the clients'.
    .concat(options.clients?.includes("process") ? scanProcesses(options.env, options.procDir) : [])
    .filter((file) => !options.clients || options.clients.includes(file.file.client));
  const servers = files.flatMap((file) => file.servers);
  const bound = boundVariables(options);
  return { files, servers, editor, plan: planImport(servers, { existing, reserved, bound }) };
}

/** Variables already holding a value where the gateway runs: its secrets file, then the environment. */
function boundVariables(options: SetupScanOptions): Record<string, string | undefined> {
  return { ...readSecretsFile(secretsFileOf(options.env)), ...options.env };
}

export interface SetupChoice {
  /** The planned backends the user picked. */
  backends: PlannedBackend[];
  /** Client files to point at the gateway (empty: touch no client). */
  rewrite: string[];
  /** Overrides each client's usual way of reaching the gateway. */
  via?: ClientTransport;
}

export interface SetupResult {
  plan: ImportPlan;
  changes: FileChange[];
  /** Client files that are rewritten, with how each reaches the gateway. */
  rewritten: { file: ClientFile; via: ClientTransport }[];
  notes: string[];
  /** The secrets file the moved secrets are written to (undefined when none moved). */
  secretsFile?: string;
  /** Moved secrets that cannot be written to it: the user sets these by hand. */
  unwritten: MovedSecret[];
}

/**
 * Computes every file change for a choice: new backends in the gateway config (validated as a
 * whole), and, for the client files named in `rewrite`, the chosen servers replaced by the gateway.
 */
export function buildSetup(
  scan: SetupScan,
  choice: SetupChoice,
  options: SetupScanOptions,
): SetupResult {
  const chosen = choice.backends.flatMap((backend) => backend.sources);
  const editor = ConfigEditor.open(options.configPath, starterConfig());
  const capabilities = editor.tree().capabilities as { name?: unknown } | undefined;
  const reserved = [
    "gateway",
    typeof capabilities?.name === "string" ? capabilities.name : "capabilities",
  ];
  const plan = planImport(chosen, {
    existing: editor.backends(),
    reserved,
    bound: boundVariables(options),
  });
  for (const backend of plan.backends) {
    if (!backend.present) editor.setBackend(backend.name, backend.entry);
  }
  const changes: FileChange[] = [];
  const notes: string[] = [];
  // Moved secrets go where every start of the gateway reads them: its secrets file (0600),
  // listed in env_files. A client's stdio entry carries no env, and the backup is no place.
  const secretsFile = secretsFileOf(options.env);
  const secrets = secretsFileChange(secretsFile, plan.secrets);
  const written = plan.secrets.filter((secret) => !secrets.unwritten.includes(secret));
  if (plan.backends.some((backend) => !backend.present)) {
    editor.validate(options.env);
    if (written.length > 0) {
      editor.addEnvFile(envFilesEntry(secretsFile, options.configPath, options.env), options.env);
    }
    // A client's envFile (VS Code, Cursor) is read where it is, as the client read it.
    for (const backend of plan.backends.filter((b) => !b.present)) {
      for (const file of new Set(backend.sources.flatMap((s) => s.envFile ?? []))) {
        editor.addEnvFile(envFilesEntry(file, options.configPath, options.env), options.env);
      }
    }
    changes.push({
      path: editor.file,
      before: editor.existed ? editor.original : undefined,
      after: editor.text,
    });
  }
  if (secrets.change) changes.push(secrets.change);

  const rewritten: SetupResult["rewritten"] = [];
  for (const path of choice.rewrite) {
    const scanned = scan.files.find((file) => file.file.path === path);
    if (!scanned || isReadOnly(scanned.file)) continue;
    const client = CLIENTS[scanned.file.client];
    // The servers moved into the gateway, and an entry already reaching it (the original's).
    const removals = [
      ...chosen.filter((server) => server.file.path === path).map((s) => s.keyPath),
      ...otherGatewayEntries(scanned),
    ];
    let via = choice.via ?? client.transport;
    if (via === "http" && client.stdioOnly) {
      via = "stdio";
      notes.push(`${client.label} can only start servers itself: it runs the gateway over stdio`);
    }
    const before = readFileSync(path, "utf8");
    const after = rewriteClientText(
      scanned.file,
      before,
      removals,
      client.gatewayEntry(options.gateway, via),
    );
    if (after !== before) changes.push({ path, before, after });
    rewritten.push({ file: scanned.file, via });
  }
  return {
    plan,
    changes,
    rewritten,
    notes,
    secretsFile: written.length > 0 ? secretsFile : undefined,
    unwritten: secrets.unwritten,
  };
}

/**
 * A unified diff of one change, headed by its path. Secrets never show: a secrets file's values,
 * and the moved `secrets` where a client file held them, read `<redacted>`.
 */
export function diffChange(change: FileChange, secrets: MovedSecret[] = []): string {
  const values = [...new Set(secrets.map((secret) => secret.value))]
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
  const shown = (text: string) => {
    if (change.secret) return redactSecretsText(text);
    for (const value of values) text = text.split(value).join(REDACTED);
    return text;
  };
  return createTwoFilesPatch(
    change.path,
    change.path,
    shown(change.before ?? ""),
    shown(change.after),
    change.before === undefined ? "(new file)" : "",
    "",
  );
}
