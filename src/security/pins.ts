import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseDocument, stringify } from "yaml";
import type { ResolvedConfig } from "../config/load.ts";
import { GatewayError } from "../errors.ts";
import { writeFileAtomic } from "../state/store.ts";

/**
 * gateway.lock: sha256 digests of every tool definition per backend and of every capability
 * file, written by `mcp-gateway lock`. It lives beside the config, never inside what it
 * protects, so a server or a capability file that changes cannot re-pin itself.
 */
export interface LockFile {
  version: 1;
  backends: Record<string, Record<string, string>>;
  /** Capability file (relative to the lock's folder) -> digest of its bytes. */
  capabilities: Record<string, string>;
  /** Per backend: prompt name -> digest of its listed entry. */
  prompts?: Record<string, Record<string, string>>;
  /** Per backend: resource URI -> digest of its listed entry. */
  resources?: Record<string, Record<string, string>>;
  /** Per backend: URI template -> digest of its listed entry. */
  templates?: Record<string, Record<string, string>>;
  /**
   * Per backend: an MCP App's `ui://` URI (named by a tool's `_meta.ui.resourceUri`) -> digest
   * of the contents its `resources/read` answers: the page the client runs.
   */
  apps?: Record<string, Record<string, string>>;
}

/** The sections of a lock that map backend -> name -> digest, besides `backends`. */
const PER_BACKEND_SECTIONS = ["prompts", "resources", "templates", "apps"] as const;

/**
 * The digest of a `resources/read` answer's contents (text or blob, MIME type, `_meta` such as
 * an app's CSP), each entry without its `uri` (the gateway may expose it under another).
 */
export function contentsDigest(contents: unknown): string {
  const entries = Array.isArray(contents) ? contents : [];
  return sha256(
    canonicalJson(
      entries.map((entry) => {
        if (!entry || typeof entry !== "object") return entry;
        const { uri: _exposed, ...rest } = entry as Record<string, unknown>;
        return rest;
      }),
    ),
  );
}

/**
 * What a backend lists besides tools, pinned as tools are: each entry by its name (a prompt's
 * name, a resource's URI, a template's URI template), under the lock's section of its kind.
 */
export type ListedKind = "prompt" | "resource" | "template";
export const LISTED_KINDS: Record<
  ListedKind,
  { section: "prompts" | "resources" | "templates"; key: string; method: string; list: string }
> = {
  prompt: { section: "prompts", key: "name", method: "prompts/list", list: "prompts" },
  resource: { section: "resources", key: "uri", method: "resources/list", list: "resources" },
  template: {
    section: "templates",
    key: "uriTemplate",
    method: "resources/templates/list",
    list: "resourceTemplates",
  },
};

/** A listed entry's name in its kind (a prompt's name, a resource's URI, a template's). */
export function listedKey(kind: ListedKind, entry: Record<string, unknown>): string {
  return String(entry[LISTED_KINDS[kind].key] ?? "");
}

/**
 * The locked view of a prompt, resource or template: the whole entry, as for a tool, but for
 * what a resource says of its contents and changes with them (`size`, `annotations.lastModified`):
 * a file that grew is no rug pull.
 */
export function listedView(kind: ListedKind, entry: Record<string, unknown>): LockableTool {
  const view: Record<string, unknown> = { ...entry };
  if (kind === "resource") {
    delete view.size;
    const annotations = view.annotations as Record<string, unknown> | undefined;
    if (annotations && typeof annotations === "object" && "lastModified" in annotations) {
      const { lastModified: _changes, ...rest } = annotations;
      view.annotations = Object.keys(rest).length ? rest : undefined;
    }
  }
  return { ...view, name: String(view.name ?? "") };
}

/** A listed entry's digest, the same way as a tool's over its locked view. */
export function listedDigest(kind: ListedKind, entry: Record<string, unknown>): string {
  return toolDigest(listedView(kind, entry));
}

/**
 * A tool definition as a lock reads it: every field counts, named or not (`icons`, `execution`
 * and whatever a later protocol adds reach the client as the backend sent them).
 */
export interface LockableTool {
  name: string;
  [field: string]: unknown;
}

/**
 * The fields a lock's digests covered before they covered every field. A pin that matches a
 * tool over these alone is from that time (see `repinned`).
 */
const LEGACY_FIELDS = [
  "name",
  "title",
  "description",
  "inputSchema",
  "outputSchema",
  "annotations",
  "_meta",
] as const;

/**
 * RFC 8785 (JCS) canonical JSON: keys sorted by UTF-16 code units, no whitespace, numbers and
 * strings as ECMAScript serialises them (which is what JCS specifies).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new TypeError("canonical JSON has no representation for NaN or Infinity");
    }
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, child]) => child !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(",")}}`;
}

/**
 * The locked view of a tool: the whole definition, every field the client or its model may read
 * (absent keys drop out, so a tool with only the fields locked before keeps its digest).
 */
export function lockedView(tool: LockableTool): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tool).filter(([, value]) => value !== undefined));
}

export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** A tool's digest over the canonical JSON of its locked view. */
export function toolDigest(tool: LockableTool): string {
  return sha256(canonicalJson(lockedView(tool)));
}

/** A tool's digest as a lock written before every field was covered has it. */
function legacyDigest(tool: LockableTool): string {
  return sha256(canonicalJson(Object.fromEntries(LEGACY_FIELDS.map((key) => [key, tool[key]]))));
}

/**
 * The tools whose pin is the older digest of what they serve now (it covered seven fields, not
 * `icons` or `execution`), with the digest to pin instead. Only such pins are carried over: the
 * definition matched what was approved on every field the approval saw.
 */
export function repinned(
  locked: Record<string, string> | undefined,
  tools: LockableTool[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tool of tools) {
    const pinned = locked?.[tool.name];
    if (pinned === undefined) continue;
    const digest = toolDigest(tool);
    if (pinned !== digest && pinned === legacyDigest(tool)) out[tool.name] = digest;
  }
  return out;
}

/** Where the lock of a config lives (`security.lock_file`, else `gateway.lock` beside it). */
export function lockPathFor(config: ResolvedConfig): string | undefined {
  const setting = config.security.lock_file;
  if (setting === false) return undefined;
  const base = config.file ? dirname(config.file) : undefined;
  if (setting) return resolve(base ?? process.cwd(), setting);
  return base ? join(base, "gateway.lock") : undefined;
}

/** Reads a lock file; undefined when there is none. A malformed lock is an error, not ignored. */
export function readLock(path: string): LockFile | undefined {
  if (!existsSync(path)) return undefined;
  const doc = parseDocument(readFileSync(path, "utf8"));
  const fail = (why: string) =>
    new GatewayError(
      "CONFIG_INVALID",
      `${path}: ${why}; rewrite it with \`mcp-gateway lock\` or delete it`,
    );
  if (doc.errors.length) throw fail(`cannot parse: ${doc.errors[0]!.message.split("\n")[0]}`);
  const raw = doc.toJS() as Partial<LockFile> | null;
  if (!raw || typeof raw !== "object") throw fail("expected a mapping");
  if (raw.version !== 1) throw fail(`version ${String(raw.version)} is not supported (expected 1)`);
  const digest = /^sha256:[0-9a-f]{64}$/;
  const backends: LockFile["backends"] = {};
  for (const [server, tools] of Object.entries(raw.backends ?? {})) {
    backends[server] = {};
    for (const [tool, value] of Object.entries(tools ?? {})) {
      if (typeof value !== "string" || !digest.test(value)) {
        throw fail(`backends.${server}.${tool}: expected "sha256:<64 hex digits>"`);
      }
      backends[server][tool] = value;
    }
  }
  const capabilities: LockFile["capabilities"] = {};
  for (const [file, value] of Object.entries(raw.capabilities ?? {})) {
    if (typeof value !== "string" || !digest.test(value)) {
      throw fail(`capabilities.${file}: expected "sha256:<64 hex digits>"`);
    }
    capabilities[file] = value;
  }
  const lock: LockFile = { version: 1, backends, capabilities };
  for (const section of PER_BACKEND_SECTIONS) {
    const listed = raw[section];
    if (listed === undefined || listed === null) continue;
    if (typeof listed !== "object") throw fail(`${section}: expected a mapping of backends`);
    const out: Record<string, Record<string, string>> = {};
    for (const [server, entries] of Object.entries(listed)) {
      out[server] = {};
      for (const [key, value] of Object.entries(entries ?? {})) {
        if (typeof value !== "string" || !digest.test(value)) {
          throw fail(`${section}.${server}.${key}: expected "sha256:<64 hex digits>"`);
        }
        out[server][key] = value;
      }
    }
    lock[section] = out;
  }
  return lock;
}

/** Writes a lock, keys sorted so that a re-lock of the same tools changes nothing. */
export function writeLock(path: string, lock: LockFile): void {
  const sortKeys = <T>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const body = {
    version: 1,
    backends: sortKeys(
      Object.fromEntries(Object.entries(lock.backends).map(([s, tools]) => [s, sortKeys(tools)])),
    ),
    capabilities: sortKeys(lock.capabilities),
  } as Record<string, unknown>;
  // Written only when something is pinned: a lock of tools alone reads as before.
  for (const section of PER_BACKEND_SECTIONS) {
    const listed = Object.entries(lock[section] ?? {}).filter(([, e]) => Object.keys(e).length);
    if (listed.length) {
      body[section] = sortKeys(Object.fromEntries(listed.map(([s, e]) => [s, sortKeys(e)])));
    }
  }
  const header =
    "# gateway.lock: digests of every tool definition, prompt, resource, resource template and\n" +
    "# MCP App page, and of every capability file, written by `mcp-gateway lock`. One that differs is held\n" +
    "# back until approved: review with `mcp-gateway lock diff`, approve with `mcp-gateway lock update`.\n";
  // 0600 when created: the lock maps every backend and tool this user runs. An existing lock keeps
  // the mode its owner gave it (it may be committed and shared on purpose). Renamed over, so a
  // gateway reading it meanwhile never sees it empty or half written.
  writeFileAtomic(path, header + stringify(body, { lineWidth: 0 }), { keepMode: true });
}

/** The digests of capability files, keyed by path relative to the lock's folder. */
export function capabilityDigests(files: string[], lockPath: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of files) {
    out[relative(dirname(lockPath), file)] = sha256(readFileSync(file));
  }
  return out;
}

export interface ToolChanges {
  changed: string[];
  added: string[];
  removed: string[];
}

/**
 * How one backend's tools differ from its locked digests. A pin of the older digest that still
 * matches is no change (`repinned` lists it, for the gateway to pin the full digest).
 */
export function compareTools(
  locked: Record<string, string> | undefined,
  tools: LockableTool[],
): ToolChanges {
  const changes: ToolChanges = { changed: [], added: [], removed: [] };
  const seen = new Set<string>();
  for (const tool of tools) {
    seen.add(tool.name);
    const pinned = locked?.[tool.name];
    if (pinned === undefined) changes.added.push(tool.name);
    else if (pinned !== toolDigest(tool) && pinned !== legacyDigest(tool)) {
      changes.changed.push(tool.name);
    }
  }
  for (const name of Object.keys(locked ?? {})) if (!seen.has(name)) changes.removed.push(name);
  return changes;
}
