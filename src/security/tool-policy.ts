import type { ToolPolicyConfig } from "./schema.ts";
import { compilePattern, eitherName, matches, restricts } from "./scopes.ts";

/**
 * The original gateway's built-in deny list (`use_default_deny`): tool names that write, delete
 * or execute. It applies only when a config has a `security.tool_policy` section.
 */
export const DEFAULT_DENY: readonly string[] = [
  "write_file",
  "delete_file",
  "move_file",
  "create_directory",
  "run_command",
  "execute_command",
  "shell_exec",
  "run_script",
  "eval",
  "drop_table",
  "drop_database",
  "truncate_table",
  "kill_process",
  "shutdown",
  "reboot",
];

/**
 * Returns why the policy refuses `server:tool` (the rule), or undefined when it allows it. `own`
 * is the backend's own name of a tool exposed under another (`namespace`, `rename`): a pattern
 * matches either name, so `write_file` (and the default list) still covers `fs_write_file`.
 */
export type ToolPolicy = (server: string, tool: string, own?: string) => string | undefined;

/**
 * Compiles `security.tool_policy` for every caller, admins included: an `allow` entry wins over
 * `deny` and the default list; with `default_action: deny` only `allow` passes. Patterns are
 * `tool`, `prefix*` or `server:tool`, as in `denied_tools`.
 */
export function createToolPolicy(config: ToolPolicyConfig | undefined): ToolPolicy | undefined {
  if (!config?.enabled) return undefined;
  const allow = config.allow.map(compilePattern);
  const deny = [...config.deny, ...(config.use_default_deny ? DEFAULT_DENY : [])].map(
    compilePattern,
  );
  if (!deny.length && config.default_action === "allow") return undefined;
  return (server, tool, own = tool) => {
    if (tool === "*") return undefined;
    if (allow.some((pattern) => eitherName(matches, pattern, server, tool, own))) return undefined;
    const denied = deny.find((pattern) => eitherName(restricts, pattern, server, tool, own));
    if (denied) {
      const where = config.deny.includes(denied.source) ? "deny" : "default deny list";
      return `security.tool_policy ${where} "${denied.source}"`;
    }
    if (config.default_action === "deny") return "security.tool_policy default_action deny";
    return undefined;
  };
}
