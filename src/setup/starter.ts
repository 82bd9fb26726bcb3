/** The starter gateway.yaml that `init` writes; `setup` starts from it when there is none. */
export function starterConfig(options: { withExamples?: boolean } = {}): string {
  const backends = options.withExamples ? EXAMPLE_BACKENDS : EMPTY_BACKENDS;
  return `# mcp-gateway configuration. Every key is optional; this file loads as it is.
# AI clients connect to http://127.0.0.1:39400/mcp, or run \`mcp-gateway serve --stdio\`.
# \${VAR} and \${VAR:-default} are read from the environment (and from env_files).

server:
  host: 127.0.0.1 # loopback only: binding wider needs auth or --allow-unauthenticated
  port: 39400

meta_mcp:
  enabled: true
  # Tools shown to clients directly, next to the gateway's meta tools ("server:tool").
  surfaced_tools: []

# MCP servers behind the gateway. Add one with \`mcp-gateway add NAME -- COMMAND ARGS...\` or
# \`mcp-gateway add --url URL NAME\`; import your AI clients' servers with \`mcp-gateway setup\`.
${backends}
# REST APIs described as YAML capabilities; the built-in set is on unless builtin: false.
capabilities:
  enabled: true
  directories: []

# Files of KEY=value lines read before \${VAR} expansion (relative to this file).
env_files: []
`;
}

// `backends:` with nothing under it loads as no backends; the examples sit under it at the
// indentation they need, so deleting the "# " of each line of one is all it takes.
const EMPTY_BACKENDS = `backends:
  # Examples: to use one, delete the "# " at the start of each of its lines.
  # example-files:
  #   command: npx
  #   args: ["-y", "@modelcontextprotocol/server-filesystem", "/path/to/share"]
  # example-remote:
  #   url: https://example.com/mcp
  #   headers: { Authorization: "Bearer \${REMOTE_TOKEN}" }
`;

const EXAMPLE_BACKENDS = `backends:
  # A knowledge-graph memory (no keys needed; npx fetches it on first start).
  memory:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-memory"]
    idle_stop: 10m # stop the process after 10 idle minutes; it restarts on the next call

  # Step-by-step thinking tool (no keys needed).
  sequential-thinking:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-sequential-thinking"]

  # GitHub: set GITHUB_PERSONAL_ACCESS_TOKEN, then uncomment.
  # github:
  #   command: npx
  #   args: ["-y", "@modelcontextprotocol/server-github"]
  #   env: { GITHUB_PERSONAL_ACCESS_TOKEN: "\${GITHUB_PERSONAL_ACCESS_TOKEN}" }

  # Web pages as markdown (needs uv installed, for uvx).
  # fetch:
  #   command: uvx
  #   args: ["mcp-server-fetch"]

  # A remote server over Streamable HTTP (falls back to legacy SSE).
  # example-remote:
  #   url: https://example.com/mcp
  #   headers: { Authorization: "Bearer \${REMOTE_TOKEN}" }
  #   timeout: 2m
`;
