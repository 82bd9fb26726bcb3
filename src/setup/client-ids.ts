/**
 * The clients setup knows, by id: a module of its own so that shell completion can list them
 * without loading the clients' file locations and readers.
 */
export const CLIENT_IDS = [
  "claude-desktop",
  "claude-code",
  "cursor",
  "vscode",
  "windsurf",
  "zed",
  "cline",
  "codex",
  "continue",
  "process",
] as const;
