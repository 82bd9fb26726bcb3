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
} from "./clients.ts";
import { type FoundServer, type ScannedFile, scanClients } from "./discover.ts";
import { type ImportPlan, type PlannedBackend, planImport } from "./plan.ts";
import { rewriteClientText } from "./rewrite.ts";
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
  }).filter((file) => !options.clients || options.clients.includes(file.file.client));
  const servers = files.flatMap((file) => file.servers);
  return { files, servers, editor, plan: planImport(servers, { existing, reserved }) };
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
  const plan = planImport(chosen, { existing: editor.backends(), reserved });
  for (const backend of plan.backends) {
    if (!backend.present) editor.setBackend(backend.name, backend.entry);
  }
  const changes: FileChange[] = [];
  const notes: string[] = [];
  if (plan.backends.some((backend) => !backend.present)) {
    editor.validate(options.env);
    changes.push({
      path: editor.file,
      before: editor.existed ? editor.original : undefined,
      after: editor.text,
    });
  }

  const rewritten: SetupResult["rewritten"] = [];
  for (const path of choice.rewrite) {
    const scanned = scan.files.find((file) => file.file.path === path);
    if (!scanned) continue;
    const client = CLIENTS[scanned.file.client];
    const removals = chosen.filter((server) => server.file.path === path).map((s) => s.keyPath);
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
  return { plan, changes, rewritten, notes };
}

/** A unified diff of one change, headed by its path. */
export function diffChange(change: FileChange): string {
  return createTwoFilesPatch(
    change.path,
    change.path,
    change.before ?? "",
    change.after,
    change.before === undefined ? "(new file)" : "",
    "",
  );
}
