import { existsSync, mkdirSync } from "node:fs";
import { backendToolName } from "../backends/expose.ts";
import { CapabilityRegistry, missingEnv } from "../capabilities/registry.ts";
import { toTool } from "../capabilities/resolve.ts";
import type { ResolvedConfig } from "../config/load.ts";
import { errorMessage } from "../errors.ts";
import type { Tool } from "../mcp/sdk.ts";
import { capabilityFiles } from "../security/guard.ts";
import { diffLock, type Observed } from "../security/lock.ts";
import { capabilityDigests, lockPathFor, readLock, toolDigest } from "../security/pins.ts";
import { scanTool } from "../security/poisoning.ts";
import { unmatchedScopes } from "../security/scope-lint.ts";
import { compileTrust, trusts } from "../security/scopes.ts";
import { skillsDir } from "../skills/dir.ts";
import { SKILLS_SERVER } from "../skills/scan.ts";
import { loadSkills } from "../skills/store.ts";
import type { Check } from "./doctor.ts";

// doctor's checks of what the gateway would serve: capability files and keys, poisoned tools,
// drift from gateway.lock, and scope patterns that match nothing.

/** Capability files that do not load, and capabilities hidden until their keys are set. */
export function capabilityChecks(
  config: ResolvedConfig,
  env: Record<string, string | undefined>,
  fix?: boolean,
): { checks: Check[]; tools: Record<string, Tool[]> } {
  const { capabilities } = config;
  if (!capabilities.enabled) return { checks: [], tools: {} };
  const checks: Check[] = [];
  for (const dir of capabilities.directories) {
    if (existsSync(dir) || !fix) continue;
    mkdirSync(dir, { recursive: true });
    checks.push({
      name: "capabilities",
      status: "ok",
      message: `${dir} created`,
      fixed: `mkdir -p ${dir}`,
    });
  }
  const registry = new CapabilityRegistry({
    builtin: capabilities.builtin,
    directories: capabilities.directories,
  });
  const { problems } = registry.load();
  for (const problem of problems) {
    checks.push({
      name: "capabilities",
      status: "fail",
      message: `${problem.source}: ${problem.errors.join("; ")}`,
      hint:
        capabilities.directories.includes(problem.source) && !existsSync(problem.source)
          ? "mcp-gateway doctor --fix creates the folder; or remove it from capabilities.directories"
          : "fix the file (mcp-gateway cap validate PATH explains each error) or remove it",
    });
  }
  const hiddenBuiltin: string[] = [];
  const user: Tool[] = [];
  let unavailable = 0;
  for (const capability of registry.list()) {
    const missing = missingEnv(capability, env);
    const builtin = capability.source.startsWith("builtin:");
    if (!builtin) user.push(toTool(capability));
    if (capability.unavailable) {
      unavailable++;
      checks.push({
        name: `capability:${capability.name}`,
        status: "warn",
        message: `cannot run here, hidden from clients: ${capability.unavailable}`,
      });
      continue;
    }
    if (!missing.length) continue;
    if (builtin) hiddenBuiltin.push(capability.name);
    else {
      checks.push({
        name: `capability:${capability.name}`,
        status: "warn",
        message: `needs ${missing.join(", ")}: hidden from clients until set`,
        hint: `set ${missing.join(", ")} in the gateway's environment`,
      });
    }
  }
  const served = registry.list().length - hiddenBuiltin.length - unavailable;
  checks.push({
    name: "capabilities",
    status: "ok",
    message: `${served} capabilities served${problems.length ? " (some files skipped)" : ""}`,
  });
  if (hiddenBuiltin.length) {
    checks.push({
      name: "capabilities",
      status: "note",
      message: `${hiddenBuiltin.length} built-in capabilities are hidden until their keys are set: ${hiddenBuiltin.join(", ")}`,
      hint: "mcp-gateway cap list shows which variable each needs",
    });
  }
  return { checks, tools: user.length ? { [capabilities.name]: user } : {} };
}

/** Tool descriptions that try to instruct the model; HIGH findings are quarantined. */
export function poisoningChecks(config: ResolvedConfig, tools: Record<string, Tool[]>): Check[] {
  const mode = config.security.poisoning;
  const trusted = config.security.trusted_tools.map(compileTrust);
  const checks: Check[] = [];
  for (const [server, list] of Object.entries(tools)) {
    for (const tool of list) {
      const findings = scanTool(server, tool);
      if (!findings.length) continue;
      const high = findings.filter((finding) => finding.severity === "high");
      const isTrusted = trusts(trusted, server, tool.name, () => toolDigest(tool));
      const first = high[0] ?? findings[0]!;
      const what = `${first.rule} in its ${first.where} ("${first.excerpt}")`;
      if (!high.length) {
        checks.push({ name: `tool:${server}:${tool.name}`, status: "note", message: what });
      } else if (mode === "quarantine" && !isTrusted) {
        checks.push({
          name: `tool:${server}:${tool.name}`,
          status: "fail",
          message: `looks poisoned, quarantined: ${what}`,
          hint: `remove the backend, or if you trust this definition add "${server}:${tool.name}@${toolDigest(tool)}" to security.trusted_tools`,
        });
      } else {
        checks.push({
          name: `tool:${server}:${tool.name}`,
          status: "warn",
          message: `looks poisoned, served anyway (${isTrusted ? "trusted" : "poisoning: warn"}): ${what}`,
        });
      }
    }
  }
  return checks;
}

/** How served tools differ from gateway.lock; changed tools are quarantined. */
export function lockChecks(
  config: ResolvedConfig,
  tools: Record<string, Tool[]>,
  failed: Record<string, string>,
): Check[] {
  const lockPath = lockPathFor(config);
  if (!lockPath) return [];
  let lock: ReturnType<typeof readLock>;
  try {
    lock = readLock(lockPath);
  } catch (error) {
    return [{ name: "lock", status: "fail", message: errorMessage(error) }];
  }
  if (!lock) {
    return [
      {
        name: "lock",
        status: "note",
        message: `no ${lockPath}: tool definitions are not pinned (optional; mcp-gateway lock writes one)`,
      },
    ];
  }
  const observed: Observed = {
    tools,
    capabilities: capabilityDigests(capabilityFiles(config), lockPath),
    failed,
  };
  const diff = diffLock(lock, observed);
  const checks: Check[] = [];
  for (const [server, changes] of Object.entries(diff.backends)) {
    if (changes.changed.length) {
      checks.push({
        name: `lock:${server}`,
        status: "fail",
        message: `changed since locked, quarantined until approved: ${changes.changed.join(", ")}`,
        hint: "review with mcp-gateway lock diff; approve with mcp-gateway lock update",
      });
    }
    if (changes.added.length) {
      // Held back like a changed tool when the lock pins the backend and new tools quarantine.
      const held =
        config.security.lock_new_tools === "quarantine" && lock.backends[server] !== undefined;
      checks.push({
        name: `lock:${server}`,
        status: held ? "fail" : "warn",
        message: `not in the lock yet${held ? ", quarantined until approved (security.lock_new_tools)" : ""}: ${changes.added.join(", ")}`,
        hint: "mcp-gateway lock update approves them",
      });
    }
    if (changes.removed.length) {
      checks.push({
        name: `lock:${server}`,
        status: "note",
        message: `locked but no longer served: ${changes.removed.join(", ")}`,
      });
    }
  }
  const files = diff.capabilities;
  if (files.changed.length) {
    checks.push({
      name: "lock:capabilities",
      status: "fail",
      message: `capability files changed since locked: ${files.changed.join(", ")}`,
      hint: "review with mcp-gateway lock diff; approve with mcp-gateway lock update",
    });
  }
  if (files.added.length) {
    checks.push({
      name: "lock:capabilities",
      status: "warn",
      message: `capability files not in the lock yet: ${files.added.join(", ")}`,
      hint: "mcp-gateway lock update approves them",
    });
  }
  if (!checks.length)
    checks.push({ name: "lock", status: "ok", message: `every tool matches ${lockPath}` });
  return checks;
}

/** Scope patterns of keys and OAuth scopes that match no server or no tool (a fail-open deny). */
export function scopeChecks(config: ResolvedConfig, tools: Record<string, Tool[]>): Check[] {
  const servers = config.backends.map((backend) => backend.name);
  const names: Record<string, string[]> = {};
  if (config.capabilities.enabled) {
    servers.push(config.capabilities.name);
    names[config.capabilities.name] = [];
  }
  for (const [server, list] of Object.entries(tools)) names[server] = list.map((tool) => tool.name);
  if (config.skills.enabled) {
    // Skills are scoped as `skills:NAME`: the stored skills are that server's names.
    servers.push(SKILLS_SERVER);
    names[SKILLS_SERVER] = loadSkills(skillsDir(config)).skills.map((skill) => skill.name);
  }
  const backends = new Map(config.backends.map((backend) => [backend.name, backend]));
  const own = (server: string, tool: string) => {
    const backend = backends.get(server);
    return backend ? backendToolName(backend, tool) : tool;
  };
  return unmatchedScopes(
    config.auth,
    servers,
    names,
    config.routing_profiles,
    config.security,
    own,
  ).map((unmatched) => ({
    name: "scopes",
    status: "warn",
    message: `${unmatched.path}: ${unmatched.message}`,
    hint:
      unmatched.level === "server"
        ? "fix the server name, or remove the pattern; server:* names a whole server"
        : "fix the tool name (gateway_list_tools lists them), or remove the pattern",
  }));
}

/**
 * `meta_mcp.surfaced_tools` entries that pin nothing: a server that is not configured, or a tool
 * its server did not list (a typo is otherwise silent: the tool is just not in `tools/list`).
 * A server whose tools are not all known (failed, disabled, the built-in catalog) is not judged
 * on its tools.
 */
export function surfacedChecks(config: ResolvedConfig, tools: Record<string, Tool[]>): Check[] {
  const capabilities = config.capabilities.enabled ? config.capabilities.name : undefined;
  const servers = new Set(config.backends.map((backend) => backend.name));
  return config.meta_mcp.surfaced_tools.flatMap((entry, index): Check[] => {
    const { server: written, tool } =
      typeof entry === "string"
        ? { server: entry.slice(0, entry.indexOf(":")), tool: entry.slice(entry.indexOf(":") + 1) }
        : entry;
    // The capabilities backend also answers to `gateway`, the original's name.
    const server = capabilities && written === "gateway" ? capabilities : written;
    const path = `meta_mcp.surfaced_tools[${index}]`;
    if (!servers.has(server) && server !== capabilities) {
      return [
        {
          name: "surfaced",
          status: "warn",
          message: `${path}: no backend is named "${written}", so ${written}:${tool} is not listed`,
          hint: `fix the server name (mcp-gateway list shows them), or remove the entry`,
        },
      ];
    }
    // doctor lists only your own capability files: with the catalog on, that is not all of them.
    const partial = server === capabilities && config.capabilities.builtin;
    const listed = partial ? undefined : tools[server];
    if (!listed || listed.some((known) => known.name === tool)) return [];
    return [
      {
        name: "surfaced",
        status: "warn",
        message: `${path}: ${server} lists no tool "${tool}", so it is not listed`,
        hint: "fix the tool name (gateway_list_tools lists them), or remove the entry",
      },
    ];
  });
}
