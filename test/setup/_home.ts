import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "../helpers.ts";

/** Tokens planted in the client files; none may ever reach gateway.yaml or stdout. */
export const SECRETS = {
  github: "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
  sentry: "sntrys_abcdefghijklmnopqrstuvwxyz012345",
  postgres: "s3cret-pw",
  context7: "ctx7sk-1234567890abcdef",
  brave: "BSA1234567890abcdef",
  codex: "tok_1234567890abcdefgh",
};

/** The files of each AI client in a fresh HOME, shaped as the clients write them. */
export function clientFileTexts(home: string, project: string): Record<string, string> {
  return {
    [join(home, ".config/Claude/claude_desktop_config.json")]: `{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/Documents"]
    },
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "${SECRETS.github}" }
    }
  },
  "globalShortcut": "Ctrl+Space"
}
`,
    [join(home, ".claude.json")]: `{
  "numStartups": 42,
  "theme": "dark",
  "mcpServers": {
    "sentry": {
      "type": "http",
      "url": "https://mcp.sentry.dev/mcp",
      "headers": { "Authorization": "Bearer ${SECRETS.sentry}" }
    }
  },
  "projects": {
    "/home/me/app": {
      "allowedTools": [],
      "mcpServers": {
        "postgres": {
          "type": "stdio",
          "command": "npx",
          "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://app:${SECRETS.postgres}@localhost/app"],
          "env": {}
        }
      }
    }
  }
}
`,
    [join(project, ".mcp.json")]:
      `{"mcpServers": {"memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {"MEMORY_FILE_PATH": "\${MEMORY_FILE:-/tmp/memory.json}"}}}}
`,
    [join(home, ".cursor/mcp.json")]: `{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "${SECRETS.github}" }
    },
    "filesystem": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "\${userHome}/code"] },
    "linear": { "url": "https://mcp.linear.app/sse" }
  }
}
`,
    [join(home, ".config/Code/User/mcp.json")]: `{
  // My servers
  "servers": {
    "perplexity": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@perplexity-ai/mcp-server"],
      "env": { "PERPLEXITY_API_KEY": "\${input:perplexity-key}" }
    },
    "Remote Docs": { "type": "http", "url": "https://docs.example.com/mcp" },
  },
  "inputs": [
    { "type": "promptString", "id": "perplexity-key", "description": "Perplexity API Key", "password": true }
  ]
}
`,
    [join(home, ".codeium/windsurf/mcp_config.json")]:
      `{"mcpServers": {"context7": {"serverUrl": "https://mcp.context7.com/mcp", "headers": {"CONTEXT7_API_KEY": "${SECRETS.context7}"}}}}
`,
    [join(home, ".config/zed/settings.json")]: `// Zed settings
{
  "theme": "One Dark",
  "context_servers": {
    "time": { "source": "custom", "command": "uvx", "args": ["mcp-server-time"], "env": {} },
    "old-style": { "command": { "path": "node", "args": ["/opt/server.js"], "env": { "DEBUG": "1" } }, "settings": {} },
    "mcp-server-github": { "source": "extension", "settings": {} }
  },
  "vim_mode": true
}
`,
    [join(
      home,
      ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
    )]:
      `{"mcpServers": {"fetch": {"command": "uvx", "args": ["mcp-server-fetch"], "disabled": false, "autoApprove": ["fetch"], "timeout": 120}, "brave": {"command": "npx", "args": ["-y", "@brave/brave-search-mcp-server"], "env": {"BRAVE_API_KEY": "${SECRETS.brave}"}, "disabled": true}}}
`,
    [join(home, ".codex/config.toml")]: `model = "gpt-5"
# MCP servers
[mcp_servers.docs]
command = "npx"
args = ["-y", "mcp-remote", "https://docs.example.com/sse"]

[mcp_servers.docs.env]
API_TOKEN = "${SECRETS.codex}"

[mcp_servers.notion]
url = "https://mcp.notion.com/mcp"
bearer_token_env_var = "NOTION_TOKEN"

[profiles.fast]
model = "gpt-5-mini"
`,
  };
}

export interface ClientHome {
  home: string;
  project: string;
  /** path → the exact text written there. */
  files: Record<string, string>;
  /** The environment to run commands in: this HOME, no XDG overrides. */
  env: Record<string, string>;
  /** Where setup writes the gateway config by default. */
  config: string;
}

/** A temporary HOME holding every client's file, and a project folder with a `.mcp.json`. */
export function clientHome(): ClientHome {
  const home = tempDir("mcpgw-home-");
  const project = join(home, "work", "app");
  mkdirSync(project, { recursive: true });
  const files = clientFileTexts(home, project);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    NO_COLOR: "1",
  };
  return { home, project, files, env, config: join(home, ".config/mcp-gateway/gateway.yaml") };
}

export const read = (path: string) => readFileSync(path, "utf8");
