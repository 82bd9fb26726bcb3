/**
 * The dashboard's tool actions (admins only; `ui-actions.ts` routes here): a tool's detail with
 * its quarantine and lock state, "try it" through the same path as `gateway_invoke`, approving a
 * drifted definition into gateway.lock, and trusting a quarantined tool.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createTwoFilesPatch } from "diff";
import type { CallerChannel, JsonObject } from "../backends/types.ts";
import { announceLock } from "../cluster/join.ts";
import { ConfigEditor } from "../config/edit.ts";
import { errorMessage, GatewayError } from "../errors.ts";
import type { Caller } from "../gateway/caller.ts";
import { identityOf } from "../gateway/channel.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { recordAdminAction } from "../hooks.ts";
import type { Tool } from "../mcp/sdk.ts";
import { invoke } from "../meta/invoke.ts";
import { readBodyLimited } from "../security/body.ts";
import { saveSnapshots, snapshotDir, toolPatch } from "../security/lock.ts";
import {
  canonicalJson,
  lockedView,
  lockPathFor,
  readLock,
  sha256,
  toolDigest,
  writeLock,
} from "../security/pins.ts";
import { compilePattern, matches } from "../security/scopes.ts";
import { addTrustedTool } from "../security/trust-edit.ts";
import { json, refusal, toolView } from "./_ui-reply.ts";

/** The largest "try it" body accepted. */
const MAX_BODY_BYTES = 1024 * 1024;
/** How long a confirmation the dashboard asked for stays good, and how many may wait. */
const CONFIRM_TTL_MS = 120_000;
const MAX_PENDING = 100;
/** How long an approval waits for the gateway to re-read gateway.lock. */
const LOCK_APPLY_MS = 3000;

export interface ToolActions {
  fetch(
    request: Request,
    server: string,
    tool: string,
    action: string | undefined,
    caller: Caller,
  ): Promise<Response>;
}

export function createToolActions(gateway: Gateway): ToolActions {
  const confirmations = new Confirmations();

  /**
   * "Try it": `gateway_invoke`'s own handler with the dashboard's caller, so scopes, quarantine,
   * argument checks, sandbox, firewall, confirmation, breakers, budgets and the audit log all
   * apply. A tool that needs confirmation is refused with [CONFIRMATION_REQUIRED] and a one-time
   * token bound to this caller, tool and arguments; sent back (`confirm`) once the operator ticked
   * the box, it answers the gateway's question with "accept". A request cannot confirm by itself.
   */
  async function tryIt(request: Request, server: string, tool: string, caller: Caller) {
    const body = await readBody(request);
    if (body instanceof Response) return body;
    const args = toArguments(body.arguments);
    if (args instanceof Response) return args;
    const key = sha256(`${caller.id}\n${server}\n${tool}\n${canonicalJson(args)}`);
    let asked: { token: string; message: string } | undefined;
    const definition = gateway.index.get(server, tool);
    let confirming = !!definition && !!confirmationRule(gateway, server, definition);
    const channel: CallerChannel = {
      sessionId: "",
      identity: identityOf(caller),
      declares: (capability) => capability === "elicitation",
      async request(method, params) {
        // The gateway asks before it sends the call; anything later is the backend's own.
        const question = method === "elicitation/create" && confirming;
        confirming = false;
        if (!question) {
          throw new Error(
            `the dashboard cannot answer ${method}; call the tool from an MCP client that can`,
          );
        }
        if (confirmations.take(body.confirm, key)) return { action: "accept" };
        asked = { token: confirmations.issue(key), message: String(params?.message ?? "") };
        throw new Error("the dashboard asks the operator first: tick Confirm and run it again");
      },
      async notify() {},
    };
    try {
      const result = await invoke.handle(
        { server, tool, arguments: args },
        { gateway, caller, client: "dashboard", signal: request.signal, channel },
      );
      return json({ result });
    } catch (error) {
      return refusal(error, asked ? { confirm: asked } : {});
    }
  }

  /**
   * Approves the tool's current definition into gateway.lock, this tool only. `digest` (the
   * dashboard sends the one its diff showed) must still be the definition's: a backend that
   * changed the tool again between the look and the click is not approved unseen.
   */
  async function approve(
    request: Request,
    server: string,
    tool: Tool,
    caller: Caller,
  ): Promise<Response> {
    const body = await seenBody(request, server, tool, "its diff was shown", "approve that");
    if (body instanceof Response) return body;
    const config = gateway.config;
    if (server === config.capabilities.name) {
      return json(
        {
          error:
            "capability tools are locked by file, not by tool: approve them with `mcp-gateway lock update`",
        },
        422,
      );
    }
    const lockPath = lockPathFor(config);
    if (!lockPath) {
      return json(
        {
          error:
            config.security.lock_file === false
              ? "security.lock_file is false in the config: locking is turned off"
              : "the gateway runs without a config file, so there is no gateway.lock",
        },
        409,
      );
    }
    const lock = readLock(lockPath);
    if (!lock) {
      return json({ error: `${lockPath} does not exist; \`mcp-gateway lock\` writes one` }, 409);
    }
    const digest = toolDigest(tool);
    const entry = `${server}:${tool.name}`;
    if (lock.backends[server]?.[tool.name] === digest) {
      return json({ approved: false, file: lockPath, note: `${entry} already matches the lock` });
    }
    const next = structuredClone(lock);
    next.backends[server] = { ...next.backends[server], [tool.name]: digest };
    saveSnapshots(snapshotDir(config), {
      tools: { [server]: [tool] },
      capabilities: {},
      failed: {},
    });
    writeLock(lockPath, next);
    // In a cluster every instance writes it over its own lock, as after `mcp-gateway lock update`.
    void announceLock(config, readFileSync(lockPath, "utf8"));
    recordAdminAction(gateway.hooks, {
      action: "lock.update",
      caller: caller.id,
      target: entry,
      detail: digest,
    });
    // The gateway's lock watcher re-reads the file; wait (briefly) so the answer says it did.
    const held = () =>
      !!gateway.security.report().lock?.changes[server]?.changed.includes(tool.name);
    const deadline = Date.now() + LOCK_APPLY_MS;
    while (held() && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    return json({
      approved: true,
      file: lockPath,
      digest,
      released: !gateway.security.isQuarantined(server, tool.name),
    });
  }

  /**
   * Releases a tool quarantined for poisoning: `server:tool@<digest>` is added to
   * `security.trusted_tools` in the config file (comments kept) and the config is reloaded. The
   * release holds for the definition reviewed alone: another one the backend serves under the
   * name later is quarantined again. `digest` (the dashboard sends the one its detail showed)
   * must still be the definition's, as for an approval.
   */
  async function trust(
    request: Request,
    server: string,
    tool: Tool,
    caller: Caller,
  ): Promise<Response> {
    const body = await seenBody(request, server, tool, "it was shown", "release that");
    if (body instanceof Response) return body;
    const digest = toolDigest(tool);
    const name = `${server}:${tool.name}`;
    const entry = `${name}@${digest}`;
    const reason = gateway.security.quarantined(server, tool.name);
    const finding = gateway.security
      .report()
      .poisoning.findings.find((f) => f.server === server && f.tool === tool.name && f.quarantined);
    if (!reason || !finding) {
      return json(
        {
          error: reason
            ? `${name} is held by gateway.lock, not for poisoning: approve its new definition instead (POST /api/tool/approve?${new URLSearchParams({ server, tool: tool.name })})`
            : `${name} is not quarantined`,
        },
        409,
      );
    }
    if (tool.name.includes("*")) {
      return json(
        {
          error: `"${name}" would be read as a glob; add a pattern to security.trusted_tools by hand`,
        },
        422,
      );
    }
    const file = gateway.config.file;
    const reload = gateway.operator.reloadConfig;
    if (!file || !reload) {
      return json(
        {
          error: "the gateway runs without a config file: add it to security.trusted_tools in one",
        },
        409,
      );
    }
    try {
      const text = addTrustedTool(readFileSync(file, "utf8"), file, entry);
      if (text !== undefined) {
        // What is written must load: a config the next start would refuse is never saved.
        new ConfigEditor(file, text).validate(gateway.env);
        writeFileSync(file, text);
      }
      await reload(caller.id);
    } catch (error) {
      recordAdminAction(gateway.hooks, {
        action: "tool.trust",
        caller: caller.id,
        target: name,
        outcome: "failed",
        detail: errorMessage(error),
      });
      return refusal(error);
    }
    recordAdminAction(gateway.hooks, {
      action: "tool.trust",
      caller: caller.id,
      target: name,
      detail: reason,
    });
    return json({
      trusted: entry,
      file,
      reason,
      released: !gateway.security.isQuarantined(server, tool.name),
    });
  }

  return {
    async fetch(request, named, toolName, action, caller) {
      const server = gateway.pool.canonical(named);
      if (!gateway.pool.has(server)) {
        return json({ error: `no backend named ${named}; GET /api/status lists them` }, 404);
      }
      if (action === "invoke") return tryIt(request, server, toolName, caller);
      const tool = gateway.index.get(server, toolName);
      if (!tool) {
        return json(
          {
            error: `${server} has no tool named ${toolName} (or it has not listed its tools yet); GET /api/tools?server=${server} lists them`,
          },
          404,
        );
      }
      if (action === "approve") return approve(request, server, tool, caller);
      if (action === "trust") return trust(request, server, tool, caller);
      return json(detail(gateway, server, tool));
    },
  };
}

/** Everything the detail view shows of one tool. */
function detail(gateway: Gateway, server: string, tool: Tool) {
  const { security } = gateway;
  const report = security.report();
  const findings = report.poisoning.findings.filter(
    (f) => f.server === server && f.tool === tool.name,
  );
  const view = toolView(gateway, server, tool);
  const confirmation = confirmationRule(gateway, server, tool);
  const timeout = timeoutOf(gateway, server, tool);
  return {
    ...view,
    /** The definition shown: what a release (and an approval) is bound to. */
    digest: toolDigest(tool),
    ...(timeout ? { timeout } : {}),
    ...(view.quarantined
      ? { quarantine: findings.some((f) => f.quarantined) ? "poisoning" : "lock" }
      : {}),
    findings,
    ...(confirmation ? { confirmation } : {}),
    lock: lockState(gateway, server, tool, report.lock),
  };
}

/**
 * How long a call of this tool may wait for its answer (progress restarts the wait) and the
 * setting that says so: the try-it panel shows it before and while the call runs.
 */
function timeoutOf(gateway: Gateway, server: string, tool: Tool) {
  const config = gateway.config.backends.find((backend) => backend.name === server);
  if (!config) return undefined;
  const own = gateway.pool.ownToolName(server, tool.name);
  const named = [tool.name, own].find((name) => config.tool_timeouts[name]);
  if (named === undefined) return { ms: config.timeout, setting: `backends.${server}.timeout` };
  const key = /^[\w-]+$/.test(named) ? named : JSON.stringify(named);
  return { ms: config.tool_timeouts[named]!, setting: `backends.${server}.tool_timeouts.${key}` };
}

/** The setting that makes the gateway ask before calling this tool, if one does (call-guard.ts). */
function confirmationRule(gateway: Gateway, server: string, tool: Tool): string | undefined {
  const { require_confirmation, confirm_destructive } = gateway.config.security;
  const own = gateway.pool.ownToolName(server, tool.name);
  const named = (glob: string) =>
    matches(compilePattern(glob), server, tool.name) || matches(compilePattern(glob), server, own);
  if (require_confirmation.some(named)) {
    return "security.require_confirmation";
  }
  if (confirm_destructive && tool.annotations?.destructiveHint === true) {
    return "security.confirm_destructive";
  }
  return undefined;
}

type LockReport = ReturnType<Gateway["security"]["report"]>["lock"];

/**
 * The tool against gateway.lock: `locked` (matches), `changed` (quarantined until approved, with
 * a unified diff when the locked definition's snapshot is on this machine), `new`, or `none`.
 */
function lockState(gateway: Gateway, server: string, tool: Tool, report: LockReport) {
  if (!report) return { state: "none" as const };
  const changes = report.changes[server];
  const pretty = (value: unknown) =>
    `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`;
  const entry = `${server}:${tool.name}`;
  if (changes?.added.includes(tool.name)) {
    const patch = createTwoFilesPatch(
      `${entry} (not locked)`,
      `${entry} (now)`,
      "",
      pretty(lockedView(tool)),
      "",
      "",
    );
    return {
      state: "new" as const,
      file: report.file,
      digest: toolDigest(tool),
      patch: patch.replace(/^=+\n/m, ""),
    };
  }
  if (!changes?.changed.includes(tool.name)) return { state: "locked" as const, file: report.file };
  const locked = readLockSafely(report.file)?.backends[server]?.[tool.name];
  const patch = locked && toolPatch(snapshotDir(gateway.config), server, locked, tool);
  return {
    state: "changed" as const,
    file: report.file,
    // What Approve sends back: the definition this diff shows.
    digest: toolDigest(tool),
    ...(patch
      ? { patch: patch.replace(/^=+\n/m, "") }
      : {
          note: "the locked definition is not on this machine (lock-snapshots in state_dir), so only the definition now is shown",
          now: pretty(lockedView(tool)),
        }),
  };
}

function readLockSafely(file: string) {
  try {
    return readLock(file);
  } catch {
    return undefined;
  }
}

interface TryBody {
  arguments?: unknown;
  confirm?: string;
  /** approve, trust: the digest of the definition the operator was shown. */
  digest?: unknown;
}

async function readBody(request: Request): Promise<TryBody | Response> {
  const text = await readBodyLimited(request, MAX_BODY_BYTES);
  if (text === undefined) {
    return json({ error: `the body is larger than ${MAX_BODY_BYTES} bytes` }, 413);
  }
  if (!text.trim()) return {};
  try {
    const body = JSON.parse(text);
    if (body && typeof body === "object" && !Array.isArray(body)) return body as TryBody;
  } catch {}
  return json({ error: 'send a JSON object: {"arguments": {...}, "confirm": "<token>"}' }, 400);
}

/** `arguments`: an object, a JSON string of one, or absent (as `gateway_invoke` takes it). */
function toArguments(value: unknown): JsonObject | Response {
  if (value === undefined || value === null || value === "") return {};
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as JsonObject;
  return refusal(new GatewayError("INVALID_ARGUMENTS", '"arguments" must be a JSON object'));
}

/** One-time answers to the gateway's confirmation question, bound to caller, tool and arguments. */
class Confirmations {
  private readonly pending = new Map<string, { key: string; until: number }>();

  issue(key: string): string {
    const now = Date.now();
    for (const [token, entry] of this.pending) if (entry.until <= now) this.pending.delete(token);
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    const token = crypto.randomUUID();
    this.pending.set(token, { key, until: now + CONFIRM_TTL_MS });
    return token;
  }

  /** Spends `token`; true only when it was issued for `key` and has not expired. */
  take(token: unknown, key: string): boolean {
    if (typeof token !== "string") return false;
    const entry = this.pending.get(token);
    if (!entry) return false;
    this.pending.delete(token);
    return entry.key === key && entry.until > Date.now();
  }
}

/**
 * The body of an approval or a release, or a 409 when the definition it was shown (`digest`,
 * sent back) has changed since: nothing is approved or released that nobody looked at.
 */
async function seenBody(
  request: Request,
  server: string,
  tool: Tool,
  shown: string,
  then: string,
): Promise<TryBody | Response> {
  const body = await readBody(request);
  if (body instanceof Response) return body;
  const now = toolDigest(tool);
  if (body.digest === undefined || body.digest === now) return body;
  return json(
    {
      error: `${server}:${tool.name} changed since ${shown} (${String(body.digest)} then, ${now} now): open it again, read what changed, and ${then}`,
    },
    409,
  );
}
