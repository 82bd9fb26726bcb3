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
