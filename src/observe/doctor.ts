import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
} from "node:fs";
import { createServer } from "node:net";
import { dirname } from "node:path";
import { type BackendPool, standalonePool } from "../backends/pool.ts";
import { stderrTail } from "../backends/stderr-tail.ts";
import { formatDuration } from "../config/duration.ts";
import { type Env, parseDotenv } from "../config/env.ts";
import { envWithFiles } from "../config/env-files.ts";
import { envFilePaths, loadConfig, parseConfigText, type ResolvedConfig } from "../config/load.ts";
import { errorMessage } from "../errors.ts";
import { Catalog } from "../gateway/catalog.ts";
import { LOOPBACK_HOSTS } from "../http/loopback.ts";
import type { Tool } from "../mcp/sdk.ts";
import { redactTree } from "../setup/secrets.ts";
import { defaultStateDir } from "../state/store.ts";
import { clusterCheck } from "./doctor-cluster.ts";
import { firewallChecks } from "./doctor-firewall.ts";
import { backendHint, isGateway, portHint } from "./doctor-hints.ts";
import { playbookChecks } from "./doctor-playbooks.ts";
import { skillChecks } from "./doctor-skills.ts";
import {
  capabilityChecks,
  lockChecks,
  poisoningChecks,
  scopeChecks,
  surfacedChecks,
} from "./doctor-tools.ts";

/** `fail` makes `doctor` exit non-zero; `warn` and `note` do not. */
export type CheckStatus = "ok" | "note" | "warn" | "fail";

export interface Check {
  /** What was checked: `config`, `port`, `backend:github`, `capabilities`, `lock`, ... */
  name: string;
  status: CheckStatus;
  message: string;
  /** What to do about it. */
  hint?: string;
  /** What `--fix` changed. */
  fixed?: string;
}

export interface DoctorReport {
  ok: boolean;
  config: string | null;
  checks: Check[];
}

export interface DoctorOptions {
  path?: string;
  env?: Record<string, string | undefined>;
  /** How long each backend gets to connect and list its tools. */
  timeoutMs: number;
  /** Repair what is safe to repair: missing folders, a config readable by others. */
  fix?: boolean;
  /** Called as slow work advances (backends answering), for a progress line. */
  onProgress?: (text: string) => void;
}

/** Checks a config and everything it points at; never throws for what it finds. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const checks: Check[] = [];
  let config: ResolvedConfig;
  try {
    config = loadConfig({ path: options.path, env });
  } catch (error) {
    checks.push({ name: "config", status: "fail", message: errorMessage(error) });
    return { ok: false, config: options.path ?? null, checks };
  }
  checks.push({
    name: "config",
    status: "ok",
    message: config.file
      ? `${config.file} is valid`
      : "no config file found: using the built-in default (mcp-gateway init writes one)",
  });
  for (const warning of config.warnings) {
    checks.push({ name: "config", status: "warn", message: warning });
  }
  if (config.file) {
    checks.push(...filePermissions(config.file, options.fix));
    checks.push(...envFilePermissions(config.file, env, options.fix));
  }
  checks.push(await portCheck(config));
  checks.push(stateCheck(config, env, options.fix));
  checks.push(...(await clusterCheck(config)));

  const listed = await backendChecks(config, env, options);
  checks.push(...listed.checks);
  // Capability keys are also read from the env_files, as serve reads them.
  const capabilities = capabilityChecks(config, envWithFiles(config, env).env, options.fix);
  checks.push(...capabilities.checks);
  checks.push(...poisoningChecks(config, { ...listed.tools, ...capabilities.tools }));
  checks.push(...lockChecks(config, listed.tools, listed.failed));
  checks.push(...scopeChecks(config, { ...listed.tools, ...capabilities.tools }));
  checks.push(...surfacedChecks(config, { ...listed.tools, ...capabilities.tools }));
  checks.push(...skillChecks(config, env));
  checks.push(...playbookChecks(config));
  checks.push(...(await firewallChecks(config, { ...listed.tools, ...capabilities.tools })));
  return { ok: !checks.some((c) => c.status === "fail"), config: config.file ?? null, checks };
}

/** A config holding literal secrets should not be readable by other users. */
function filePermissions(file: string, fix?: boolean): Check[] {
  if (process.platform === "win32") return [];
  const mode = statSync(file).mode & 0o777;
  if (!(mode & 0o077)) return [];
  const tree = parseConfigText(readFileSync(file, "utf8"), file);
  if (JSON.stringify(redactTree(tree)) === JSON.stringify(tree)) return [];
  const check: Check = {
    name: "config",
    status: "warn",
    message: `${file} holds secrets written in it and other users can read it (mode ${mode.toString(8)})`,
    hint: `chmod 600 ${file}, or move the secrets to \${VARIABLES}`,
  };
  if (fix) {
    chmodSync(file, 0o600);
    return [{ ...check, status: "ok", fixed: `chmod 600 ${file}` }];
  }
  return [check];
}

/** `env_files` hold secrets by design: none should be readable by other users. */
function envFilePermissions(configFile: string, env: Env, fix?: boolean): Check[] {
  if (process.platform === "win32") return [];
  const tree = parseConfigText(readFileSync(configFile, "utf8"), configFile);
  const checks: Check[] = [];
  for (const file of envFilePaths(tree as Record<string, unknown>, dirname(configFile), env)) {
    if (!existsSync(file)) continue;
    const mode = statSync(file).mode & 0o777;
    if (!(mode & 0o077)) continue;
    const values = Object.values(parseDotenv(readFileSync(file, "utf8"))).filter(Boolean);
    if (values.length === 0) continue;
    const check: Check = {
      name: "config",
      status: "warn",
      message: `env_files: ${file} holds ${values.length} value${values.length > 1 ? "s" : ""} and other users can read it (mode ${mode.toString(8)})`,
      hint: `chmod 600 ${file}`,
    };
    if (fix) {
      chmodSync(file, 0o600);
      checks.push({ ...check, status: "ok", fixed: `chmod 600 ${file}` });
    } else checks.push(check);
  }
  return checks;
}

/** The port `serve` would bind: free, or already serving a gateway. */
async function portCheck(config: ResolvedConfig): Promise<Check> {
  const { host, port } = config.server;
  const where = `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
  if (!LOOPBACK_HOSTS.has(host) && !config.auth.enabled) {
    return {
      name: "port",
      status: "fail",
      message: `server.host is ${host} with auth off: serve refuses to listen there`,
      hint: "bind 127.0.0.1, turn on auth (mcp-gateway keys create NAME), or pass --allow-unauthenticated to serve if a proxy authenticates clients",
    };
  }
  const problem = await tryListen(host, port);
  if (!problem) return { name: "port", status: "ok", message: `${where} is free` };
  if (problem === "EADDRINUSE" && (await isGateway(host, port))) {
    return { name: "port", status: "note", message: `a gateway is already listening on ${where}` };
  }
  return {
    name: "port",
    status: "fail",
    message: `cannot listen on ${where}: ${problem}`,
    hint: portHint(problem, port, config.file),
  };
}

function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    server.listen({ host: host.replace(/^\[|\]$/g, ""), port, exclusive: true }, () => {
      server.close(() => done(undefined));
    });
  });
}

/** Where tool caches and usage live: writable, or the gateway keeps state in memory. */
function stateCheck(
  config: ResolvedConfig,
  env: Record<string, string | undefined>,
  fix?: boolean,
): Check {
  const dir = config.state_dir ?? defaultStateDir(env);
  if (!existsSync(dir) && fix) {
    try {
      // Private, as the gateway makes it: the state holds callers, errors and tool lists.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return { name: "state", status: "ok", message: `${dir} created`, fixed: `mkdir -p ${dir}` };
    } catch {}
  }
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    accessSync(probe, constants.W_OK);
    return { name: "state", status: "ok", message: `state is kept in ${dir}` };
  } catch {
    return {
      name: "state",
      status: "warn",
      message: `${dir} is not writable: the gateway will keep state (tool caches, usage) in memory`,
      hint: "set state_dir in the config to a writable folder",
    };
  }
}

/** Connects to every enabled backend and lists its tools, in parallel, each within the timeout. */
async function backendChecks(
  config: ResolvedConfig,
  env: Record<string, string | undefined>,
  options: DoctorOptions,
): Promise<{ checks: Check[]; tools: Record<string, Tool[]>; failed: Record<string, string> }> {
  const checks: Check[] = [];
  const tools: Record<string, Tool[]> = {};
  const failed: Record<string, string> = {};
  const pool = standalonePool(config, env);
  const enabled = config.backends.filter((backend) => backend.enabled);
  let done = 0;
  const progress = () => {
    if (enabled.length)
      options.onProgress?.(`checking backends: ${done}/${enabled.length} answered`);
  };
  progress();
  try {
    const results = await Promise.all(
      enabled.map(async (backend): Promise<Check> => {
        const name = `backend:${backend.name}`;
        try {
          if (backend.configError) {
            failed[backend.name] = backend.configError;
            return {
              name,
              status: "fail",
              message: backend.configError,
              hint: "set the variable (in the environment or an env_files file), or give it a default: ${VAR:-value}",
            };
          }
          const started = performance.now();
          const listed = await withTimeout(pool.refresh(backend.name), options.timeoutMs);
          tools[backend.name] = listed;
          const took = Math.round(performance.now() - started);
          const transport = pool.status(backend.name)?.transport ?? backend.transport;
          return {
            name,
            status: "ok",
            message: `${listed.length} tools over ${transport} in ${formatDuration(took)}`,
          };
        } catch (error) {
          const message = errorMessage(error);
          failed[backend.name] = message;
          const stderr = stderrTail(pool.stderrTail(backend.name));
          return {
            name,
            status: "fail",
            message:
              stderr && !message.includes(stderr) ? `${message} (stderr: ${stderr})` : message,
            hint: backendHint(backend, message, options.timeoutMs),
          };
        } finally {
          done++;
          progress();
        }
      }),
    );
    checks.push(...results);
    checks.push(...(await resourceClashChecks(pool, options.timeoutMs)));
  } finally {
    // A backend still starting holds close() until its own startup timeout: do not wait for it.
    // Its process group is killed when doctor exits (see stdio-transport.ts).
    const grace = new Promise((done) => setTimeout(done, 1000).unref?.());
    await Promise.race([pool.close(), grace]);
  }
  for (const backend of config.backends.filter((b) => !b.enabled)) {
    checks.push({ name: `backend:${backend.name}`, status: "note", message: "disabled" });
  }
  if (!config.backends.length) {
    checks.push({
      name: "backends",
      status: "note",
      message: "no backends configured (mcp-gateway add NAME, or mcp-gateway setup)",
    });
  }
  return { checks, tools, failed };
}

/**
 * URIs listed by two backends: the gateway keeps the first one's and namespaces the other's,
 * which a client reading the bare URI may not expect (and a hijacking backend would want).
 */
async function resourceClashChecks(pool: BackendPool, timeoutMs: number): Promise<Check[]> {
  const catalog = new Catalog(pool);
  try {
    await withTimeout(catalog.listResources(), timeoutMs);
  } catch {
    return [];
  }
  return catalog.clashes.map((clash) => ({
    name: "resources",
    status: "warn" as const,
    message: `${clash.uri} is listed by ${clash.owner} and ${clash.other}: reads of it go to ${clash.owner}; ${clash.other}'s is gateway://${clash.other}/${clash.uri}`,
    hint: `if ${clash.other} should not offer ${clash.uri}, remove or fix that backend; otherwise read gateway://${clash.other}/${clash.uri}`,
  }));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${formatDuration(ms)}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
