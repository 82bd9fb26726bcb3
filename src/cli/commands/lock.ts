import { readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { defineCommand } from "citty";
import { type BackendPool, standalonePool } from "../../backends/pool.ts";
import { loadConfig, type ResolvedConfig } from "../../config/load.ts";
import { errorMessage } from "../../errors.ts";
import { logger } from "../../logger.ts";
import type { Tool } from "../../mcp/sdk.ts";
import { uiResourceOf } from "../../meta/apps.ts";
import { capabilityFiles } from "../../security/guard.ts";
import {
  diffLock,
  isEmptyDiff,
  type Listed,
  type LockDiff,
  lockOf,
  type Observed,
  saveSnapshots,
  snapshotDir,
  toolPatch,
} from "../../security/lock.ts";
import {
  capabilityDigests,
  contentsDigest,
  LISTED_KINDS,
  type ListedKind,
  type LockFile,
  listedKey,
  listedView,
  lockPathFor,
  readLock,
  repinned,
  writeLock,
} from "../../security/pins.ts";
import { runAction } from "../_args.ts";
import { lockDiffSpec, lockSpec, lockUpdateSpec } from "../_tree.ts";

function setup(args: { config?: string }): { config: ResolvedConfig; lockPath: string } {
  const config = loadConfig({ path: args.config });
  const lockPath = lockPathFor(config);
  if (!lockPath) {
    throw new Error(
      config.security.lock_file === false
        ? "security.lock_file is false in the config: locking is turned off"
        : "no config file: a lock is kept beside the config; create one with `mcp-gateway init`",
    );
  }
  return { config, lockPath };
}

/**
 * Connects to every enabled backend itself (no gateway needs to be running), lists its tools,
 * and digests every capability file. Stdio backends are started and stopped again. It lives
 * here, not in security/: the command talks to backends, security only compares.
 */
async function observe(
  config: ResolvedConfig,
  lockPath: string,
  env: Record<string, string | undefined> = process.env,
): Promise<Observed> {
  const pool = standalonePool(config, env);
  const observed: Observed = { tools: {}, capabilities: {}, failed: {} };
  try {
    await Promise.all(
      config.backends
        .filter((backend) => backend.enabled)
        .map(async (backend) => {
          if (backend.configError) {
            observed.failed[backend.name] = backend.configError;
            return;
          }
          try {
            observed.tools[backend.name] = await pool.refresh(backend.name);
            const listed = await listEverything(pool, backend.name);
            const pages = await readApps(pool, backend.name, observed.tools[backend.name] ?? []);
            if (Object.keys(pages).length) {
              observed.apps ??= {};
              observed.apps[backend.name] = pages;
            }
            if (Object.keys(listed).length) {
              observed.listed ??= {};
              observed.listed[backend.name] = listed;
            }
          } catch (error) {
            observed.failed[backend.name] = errorMessage(error);
          }
        }),
    );
  } finally {
    await pool.close();
  }
  observed.capabilities = capabilityDigests(capabilityFiles(config), lockPath);
  return observed;
}

const METHOD_NOT_FOUND = -32601;

/** The prompts, resources and templates of a backend that declares them, every page. */
async function listEverything(pool: BackendPool, server: string): Promise<Listed> {
  const connection = await pool.open(server);
  const listed: Listed = {};
  for (const [kind, { method, list }] of Object.entries(LISTED_KINDS) as [
    ListedKind,
    (typeof LISTED_KINDS)[ListedKind],
  ][]) {
    if (!connection.capabilities[kind === "prompt" ? "prompts" : "resources"]) continue;
    const entries: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    try {
      for (let pages = 0; pages < 1000; pages++) {
        const page = await pool.request(server, method, cursor ? { cursor } : undefined, {});
        entries.push(...((page[list] as Record<string, unknown>[] | undefined) ?? []));
        cursor = page.nextCursor as string | undefined;
        if (!cursor) break;
      }
    } catch (error) {
      // Declaring `resources` without templates (or the other way) is common: nothing to pin.
      if ((error as { code?: unknown }).code === METHOD_NOT_FOUND) continue;
      throw error;
    }
    listed[kind] = entries;
  }
  return listed;
}

/** The contents digest of each MCP App page (`ui://`) a backend's tools name. */
async function readApps(
  pool: BackendPool,
  server: string,
  tools: Tool[],
): Promise<Record<string, string>> {
  const pages: Record<string, string> = {};
  for (const uri of new Set(tools.flatMap((tool) => uiResourceOf(tool) ?? []))) {
    const answer = await pool.request(server, "resources/read", { uri }, {});
    pages[uri] = contentsDigest(answer.contents);
  }
  return pages;
}

/** Fails when a backend could not be listed: a lock without it would silently not protect it. */
function requireAll(observed: Observed, only?: Set<string>): void {
  const failed = Object.entries(observed.failed).filter(([name]) => !only || only.has(name));
  if (!failed.length) return;
  const list = failed.map(([name, why]) => `${name} (${why})`).join("; ");
  throw new Error(
    `cannot list the tools of ${list}; fix or disable ${failed.length > 1 ? "them" : "it"}, or name the backends to lock`,
  );
}

const diffCommand = defineCommand({
  ...lockDiffSpec,
  async run({ args }) {
    await runAction(async () => {
      const { config, lockPath } = setup(args);
      const lock = readLock(lockPath);
      if (!lock) throw new Error(`${lockPath} does not exist; run \`mcp-gateway lock\` first`);
      const observed = await observe(config, lockPath);
      const diff = diffLock(lock, observed);
      if (args.json) {
        process.stdout.write(
          `${JSON.stringify({ file: lockPath, ...diff, failed: observed.failed }, null, 2)}\n`,
        );
        return;
      }
      for (const [name, why] of Object.entries(observed.failed)) {
        logger.warn(`${name}: not checked (${why})`);
      }
      if (isEmptyDiff(diff)) {
        logger.success(`every tool matches ${lockPath}`);
        return;
      }
      process.stdout.write(renderDiff(diff, lock, observed, config));
    }, args);
  },
});

const updateCommand = defineCommand({
  ...lockUpdateSpec,
  async run({ args, rawArgs }) {
    await runAction(async () => {
      const { config, lockPath } = setup(args);
      const targets = positionals(rawArgs);
      const servers = new Set(targets.map((target) => target.split(":")[0]!));
      const old = readLock(lockPath) ?? { version: 1, backends: {}, capabilities: {} };
      const observed = await observe(config, lockPath);
      requireAll(observed, targets.length ? servers : undefined);
      for (const server of servers) {
        if (!(server in observed.tools))
          throw new Error(`no backend named ${server} in the config`);
      }
      const diff = diffLock(old, observed);
      const next = targets.length ? merge(old, observed, targets) : lockOf(observed);
      if (isEmptyDiff(diff)) {
        // Pins of the older digest that still match are carried over to the full one.
        const carried = structuredClone(old);
        let count = 0;
        for (const [server, tools] of Object.entries(observed.tools)) {
          const pins = repinned(old.backends[server], tools);
          count += Object.keys(pins).length;
          Object.assign(carried.backends[server] ?? {}, pins);
        }
        if (count) {
          writeLock(lockPath, carried);
          logger.success(
            `${lockPath} is up to date; ${count} pins now cover every field of their tool`,
          );
        } else logger.success(`${lockPath} is up to date`);
        return;
      }
      if (process.stdin.isTTY && !args.yes) {
        process.stdout.write(renderDiff(diff, old, observed, config));
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`Approve and rewrite ${lockPath}? [y/N] `);
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim()))
          throw new Error("not approved; the lock is unchanged");
      }
      saveSnapshots(snapshotDir(config), observed);
      writeLock(lockPath, next);
      logger.success(`${lockPath} updated; a running gateway picks it up by itself`);
      const { announceLock } = await import("../../cluster/join.ts");
      if (await announceLock(config, readFileSync(lockPath, "utf8"))) {
        logger.success("sent to every instance of the cluster");
      }
    }, args);
  },
});

export default defineCommand({
  ...lockSpec,
  subCommands: { diff: diffCommand, update: updateCommand },
  async run({ args, rawArgs }) {
    // citty runs the parent too when a subcommand ran; act only for a bare `lock`.
    const sub = positionals(rawArgs)[0];
    if (sub === "diff" || sub === "update") return;
    await runAction(async () => {
      const { config, lockPath } = setup(args);
      const observed = await observe(config, lockPath);
      requireAll(observed);
      const lock = lockOf(observed);
      saveSnapshots(snapshotDir(config), observed);
      writeLock(lockPath, lock);
      const tools = Object.values(lock.backends).reduce((n, t) => n + Object.keys(t).length, 0);
      const files = Object.keys(lock.capabilities).length;
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ file: lockPath, ...lock }, null, 2)}\n`);
      }
      const entries = (section: "prompts" | "resources" | "templates") =>
        Object.values(lock[section] ?? {}).reduce((n, e) => n + Object.keys(e).length, 0);
      // Prompts, resources and templates are named when there are any.
      const listed = (["prompts", "resources", "templates"] as const)
        .filter((section) => entries(section))
        .map((section) => `, ${count(entries(section), section.slice(0, -1))}`)
        .join("");
      logger.success(
        `wrote ${lockPath}: ${count(tools, "tool")} of ${count(Object.keys(lock.backends).length, "backend")}${listed}, ${count(files, "capability file")}`,
      );
    }, args);
  },
});

/** Positional arguments (citty keeps only the first). */
function positionals(rawArgs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--config" || arg === "-c" || arg === "--log-level" || arg === "--log-format") {
      i++;
      continue;
    }
    if (!arg.startsWith("-")) out.push(arg);
  }
  return out;
}

/** The old lock with only the named backends or tools taken from what is served now. */
function merge(old: LockFile, observed: Observed, targets: string[]): LockFile {
  const fresh = lockOf(observed);
  const next: LockFile = structuredClone(old);
  for (const target of targets) {
    const [server, tool] = target.split(/:(.*)/s) as [string, string | undefined];
    if (!tool) {
      next.backends[server] = fresh.backends[server] ?? {};
      for (const section of ["prompts", "resources", "templates", "apps"] as const) {
        const pins = fresh[section]?.[server];
        if (!pins) continue;
        next[section] ??= {};
        next[section][server] = pins;
      }
      continue;
    }
    // `server:prompt:<name>`, `server:resource:<uri>`, `server:template:<uriTemplate>`: that
    // entry (a tool of that very name is a tool).
    const [kind, key] = tool.split(/:(.*)/s) as [string, string | undefined];
    const listed = LISTED_KINDS[kind as ListedKind];
    if (listed && key !== undefined && fresh.backends[server]?.[tool] === undefined) {
      const pin = fresh[listed.section]?.[server]?.[key];
      const section = next[listed.section] ?? {};
      next[listed.section] = section;
      const pins = section[server] ?? {};
      section[server] = pins;
      if (pin) pins[key] = pin;
      else if (pins[key]) delete pins[key];
      else throw new Error(`${server} has no ${kind} ${key}`);
      continue;
    }
    const digest = fresh.backends[server]?.[tool];
    next.backends[server] ??= {};
    if (digest) next.backends[server][tool] = digest;
    else if (next.backends[server][tool]) delete next.backends[server][tool];
    else throw new Error(`${server} has no tool named ${tool}`);
  }
  return next;
}

function renderDiff(
  diff: LockDiff,
  lock: LockFile,
  observed: Observed,
  config: ResolvedConfig,
): string {
  const snapshots = snapshotDir(config);
  // A new tool of a locked backend is held back too under `lock_new_tools: quarantine`.
  const held = (server: string) =>
    config.security.lock_new_tools === "quarantine" && lock.backends[server] !== undefined
      ? "  (quarantined until approved: security.lock_new_tools)"
      : "";
  const lines: string[] = [];
  for (const [server, changes] of Object.entries(diff.backends)) {
    for (const name of changes.changed) {
      lines.push(`changed  ${server}:${name}  (quarantined until approved)`);
      const tool = observed.tools[server]!.find((t) => t.name === name)!;
      const patch = toolPatch(snapshots, server, lock.backends[server]![name]!, tool);
      lines.push(patchOrNow(patch, "definition", tool));
    }
    addedAndRemoved(lines, server, changes, held(server));
  }
  for (const [server, changes] of Object.entries(diff.listed)) {
    for (const name of changes.changed) {
      lines.push(`changed  ${server}:${name}  (held back until approved)`);
      const [kind, key] = name.split(/:(.*)/s) as [ListedKind, string];
      const entry = observed.listed?.[server]?.[kind]?.find((e) => listedKey(kind, e) === key);
      const pin = lock[LISTED_KINDS[kind].section]?.[server]?.[key];
      const view = entry && listedView(kind, entry);
      const patch = view && pin && toolPatch(snapshots, server, pin, view, `${server}:${name}`);
      lines.push(patchOrNow(patch, "entry", entry));
    }
    addedAndRemoved(lines, server, changes);
  }
  for (const [server, changes] of Object.entries(diff.apps)) {
    for (const uri of changes.changed) {
      lines.push(`changed  ${server}:app:${uri}  (its page is refused until approved)`);
    }
    for (const uri of changes.added) lines.push(`new      ${server}:app:${uri}`);
    for (const uri of changes.removed) lines.push(`removed  ${server}:app:${uri}`);
  }
  for (const file of diff.capabilities.changed) lines.push(`changed  capability file ${file}`);
  for (const file of diff.capabilities.added) lines.push(`new      capability file ${file}`);
  for (const file of diff.capabilities.removed) lines.push(`removed  capability file ${file}`);
  for (const server of diff.goneBackends) lines.push(`removed  backend ${server}`);
  return `${lines.join("\n")}\n`;
}

/** "1 backend", "9 tools". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** A changed pin's diff against its snapshot, or (no snapshot here) what is served now. */
function patchOrNow(patch: string | undefined | false, what: string, now: unknown): string {
  return patch
    ? patch.replace(/^=+\n/m, "")
    : `  (the locked ${what} is not on this machine; now:)\n${JSON.stringify(now, null, 2)}\n`;
}

/** The `new` and `removed` lines of one backend's changes (`note` after each new one). */
function addedAndRemoved(
  lines: string[],
  server: string,
  changes: { added: string[]; removed: string[] },
  note = "",
): void {
  for (const name of changes.added) lines.push(`new      ${server}:${name}${note}`);
  for (const name of changes.removed) lines.push(`removed  ${server}:${name}`);
}
