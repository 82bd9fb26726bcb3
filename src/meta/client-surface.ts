import type { Config } from "../config/schema.ts";
import type { Tool } from "../mcp/sdk.ts";
import { wildcardMatch } from "../search/wildcard.ts";

export type ClientRule = Config["meta_mcp"]["clients"][number];
export type Surface = "meta" | "flat";

/** `auto` without a budget: flat while the definitions fit this many tokens. */
export const DEFAULT_TOKEN_BUDGET = 10_000;

/**
 * Built-in rules for clients whose limits are known, used after the configured ones. Cursor
 * refuses more than 40 tools and VS Code more than 128 per request; past that they get the meta
 * tools. Claude Code defers large tool sets itself (its tool search), so it gets them flat.
 */
export const KNOWN_CLIENTS: ClientRule[] = [
  { match: "cursor*", surface: "auto", max_tools: 40 },
  { match: "Visual Studio Code*", surface: "auto", max_tools: 128 },
  { match: "claude-code", surface: "flat" },
];

/** The first rule (configured, then built-in) whose glob matches the client's name. */
export function ruleFor(
  name: string | undefined,
  configured: ClientRule[],
): ClientRule | undefined {
  if (!name) return undefined;
  return [...configured, ...KNOWN_CLIENTS].find((rule) => globMatch(rule.match, name));
}

/**
 * What a session gets: `meta` or `flat` as the rule says; `auto` lists tools flat while their
 * definitions fit the budget (and the tool cap), the meta tools past it.
 */
export function chooseSurface(rule: ClientRule, flatTools: Tool[]): Surface {
  if (rule.surface !== "auto") return rule.surface;
  if (rule.max_tools !== undefined && flatTools.length > rule.max_tools) return "meta";
  return estimateTokens(flatTools) <= (rule.token_budget ?? DEFAULT_TOKEN_BUDGET) ? "flat" : "meta";
}

/**
 * Tokens of a tool list as DESIGN.md counts them (compact JSON), estimated at four characters a
 * token: the o200k tokenizer is too large to embed, and bench/tokens/surfaces.ts measures how
 * close this comes.
 */
export function estimateTokens(tools: Tool[]): number {
  return Math.ceil(JSON.stringify(tools).length / 4);
}

/** `*` any run, `?` one character, case-insensitive, over the whole name. */
export function globMatch(glob: string, name: string): boolean {
  return wildcardMatch(glob, name);
}
