/**
 * The operator meta tools (the original gateway's names), listed only when
 * `meta_mcp.operator_tools` names them or says `all`. Kept apart so the config schema can check
 * names without loading the tools.
 */
export const OPERATOR_TOOL_NAMES = [
  "gateway_get_stats",
  "gateway_reload_config",
  "gateway_kill_server",
  "gateway_revive_server",
  "gateway_list_disabled_capabilities",
  "gateway_set_profile",
  "gateway_get_profile",
  "gateway_list_profiles",
  "gateway_run_playbook",
  "gateway_cost_report",
  "gateway_webhook_status",
] as const;

/** The original gateway's meta tools that have no counterpart here, and what to use instead. */
const NOT_PROVIDED: Record<string, string> = {
  gateway_reload_capabilities:
    "capability folders are watched, and gateway_reload_config (an operator tool) re-reads them",
  gateway_set_state: "tools are not shown or hidden by a session state here",
};

/**
 * Why a tool named like one of the gateway's own is not there: an operator tool that
 * `meta_mcp.operator_tools` leaves off, or one of the original's that this gateway lacks.
 */
export function missingMetaToolHint(
  name: string,
  configFile: string | undefined,
): string | undefined {
  const file = configFile ?? "gateway.yaml";
  if ((OPERATOR_TOOL_NAMES as readonly string[]).includes(name)) {
    return `${name} is an operator tool, off here: list it under meta_mcp.operator_tools in ${file} (or write operator_tools: all)`;
  }
  const instead = NOT_PROVIDED[name];
  return instead ? `${name} is not provided by this gateway: ${instead}` : undefined;
}
