import type { ArgsDef } from "citty";
import { CLIENT_IDS } from "../setup/client-ids.ts";
import { VERSION } from "../version.ts";

/**
 * The command tree as data: each command's name, description and flags, and nothing it runs.
 * `--help`, the flag check and `completions` read only this module (it imports no command), so
 * they answer without loading any command; each command file spreads its entry into its
 * `defineCommand`, so help and parsing cannot drift apart.
 */
export interface CommandSpec {
  meta: { name: string; description: string; hidden?: boolean; version?: string };
  args?: ArgsDef;
  subCommands?: Record<string, CommandSpec>;
  /** The sub-command run when none is named. */
  default?: string;
}

/** Flags every command takes. */
export const globalArgs = {
  "log-level": {
    type: "string",
    description: "silent, error, warn, info, debug or trace (default info)",
  },
  "log-format": { type: "string", description: "text or json (default text)" },
} as const satisfies ArgsDef;

export const configArg = {
  config: {
    type: "string",
    alias: "c",
    description:
      "Config file (default: $MCP_GATEWAY_CONFIG, ./gateway.yaml, ./config.yaml, ~/.config/mcp-gateway/gateway.yaml, /etc/mcp-gateway/gateway.yaml)",
  },
} as const satisfies ArgsDef;

/** The ids `setup --client` takes. */
export { CLIENT_IDS };

const jsonArg = (description = "Print JSON on stdout") =>
  ({ json: { type: "boolean", description } }) as const;

export const serveSpec = {
  meta: {
    name: "serve",
    description: "Run the gateway (HTTP on /mcp, or MCP over stdio with --stdio)",
  },
  args: {
    ...configArg,
    ...globalArgs,
    host: { type: "string", description: "Address to bind (default 127.0.0.1)" },
    port: { type: "string", alias: "p", description: "Port (default 39400)" },
    stdio: { type: "boolean", description: "Serve MCP over stdin/stdout instead of HTTP" },
    profile: {
      type: "string",
      description: "With --stdio: the session's routing profile (else default_routing_profile)",
    },
    watch: {
      type: "boolean",
      default: true,
      description: "Reload when the config file changes (--no-watch to turn off)",
    },
    "allow-unauthenticated": {
      type: "boolean",
      description: "Allow binding beyond loopback without auth",
    },
    "meta-mcp": {
      type: "boolean",
      default: true,
      description:
        "--no-meta-mcp: flat mode, every tool listed directly (the original's flag; meta_mcp.enabled: false)",
    },
  },
} satisfies CommandSpec;

export const initSpec = {
  meta: { name: "init", description: "Write a commented starter gateway.yaml that works as it is" },
  args: {
    "with-examples": {
      type: "boolean",
      description: "Include example backends (memory, sequential-thinking) and commented ones",
    },
    profile: {
      type: "string",
      description:
        "minimal (no backends, the default) or local (the examples that run locally without keys)",
    },
    force: { type: "boolean", description: "Overwrite an existing config (a backup is kept)" },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

const setupArgs = {
  yes: { type: "boolean", alias: "y", description: "Import every server found, without asking" },
  only: { type: "string", description: "Import only these servers (comma-separated names)" },
  client: {
    type: "string",
    description: `Only these clients (comma-separated): ${CLIENT_IDS.join(", ")}`,
  },
  "configure-client": {
    type: "boolean",
    description: "Also point the clients at the gateway, replacing the imported servers",
  },
  "client-transport": {
    type: "string",
    description: "How rewritten clients reach the gateway: http or stdio (default: per client)",
  },
  project: {
    type: "string",
    description:
      "Project folder whose client files are read (.mcp.json, .cursor/, .vscode/, .codex/, .continue/; default .)",
  },
  "dry-run": { type: "boolean", description: "Write nothing; print the changes as a diff" },
  ...jsonArg("Print a JSON summary on stdout"),
  ...configArg,
  ...globalArgs,
} as const satisfies ArgsDef;

export const setupImportSpec = {
  meta: { name: "setup", hidden: true, description: "Import MCP servers from your AI clients" },
  args: setupArgs,
} satisfies CommandSpec;

/** `setup wizard`: the same import, under the name people look for. */
export const setupWizardSpec = {
  meta: { name: "wizard", description: "The same as `setup` (import, asking what to take)" },
  args: setupArgs,
} satisfies CommandSpec;

export const setupExportSpec = {
  meta: {
    name: "export",
    description:
      "Point AI clients at the gateway, keeping their other servers (--watch keeps it so)",
  },
  args: {
    target: {
      type: "string",
      description: `all (every client file that exists) or clients (comma-separated): ${CLIENT_IDS.join(", ")}`,
    },
    "dry-run": { type: "boolean", description: "Write nothing; print the changes as a diff" },
    watch: {
      type: "boolean",
      alias: "w",
      description: "Keep running: when a client file changes, point it at the gateway again",
    },
    rollback: {
      type: "string",
      description:
        "Put a client file back from a backup the original gateway wrote beside it (FILE.mcp-gateway.bak.N)",
    },
    name: {
      type: "string",
      alias: "n",
      description: "The name of the gateway's entry in the clients' files (default mcp-gateway)",
    },
    "client-transport": setupArgs["client-transport"],
    project: setupArgs.project,
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const setupRestoreSpec = {
  meta: { name: "restore", description: "Put back the files a setup (or init --force) changed" },
  args: {
    id: { type: "string", description: "The backup to restore (default: the newest not restored)" },
    list: { type: "boolean", description: "List the backups" },
    force: { type: "boolean", description: "Restore even files edited since they were written" },
    "dry-run": { type: "boolean", description: "Only say what would be restored" },
    ...jsonArg(),
    ...globalArgs,
  },
} satisfies CommandSpec;

export const setupSpec = {
  meta: {
    name: "setup",
    description:
      "Import the MCP servers of Claude, Cursor, VS Code, Windsurf, Zed, Cline, Codex and Continue into the gateway",
  },
  args: setupArgs,
  subCommands: {
    import: setupImportSpec,
    wizard: setupWizardSpec,
    export: setupExportSpec,
    restore: setupRestoreSpec,
  },
  default: "import",
} satisfies CommandSpec;

export const addSpec = {
  meta: {
    name: "add",
    description:
      "Add a backend: add NAME -- COMMAND ARGS..., add --url URL NAME, or add NAME for a known server (--list)",
  },
  args: {
    name: { type: "positional", required: false, description: "Backend name" },
    url: { type: "string", description: "URL of a remote MCP server (Streamable HTTP or SSE)" },
    env: {
      type: "string",
      alias: "e",
      description: "KEY=VALUE for the server's environment (repeatable)",
    },
    header: { type: "string", alias: "H", description: '"Name: value" HTTP header (repeatable)' },
    description: { type: "string", alias: "d", description: "A description of the backend" },
    transport: {
      type: "string",
      description: "With --url: streamable-http, sse or auto (default)",
    },
    timeout: { type: "string", description: "Per-call timeout, e.g. 30s or 5m (default 60s)" },
    registry: {
      type: "string",
      description: "Use this known server's settings under another name",
    },
    force: { type: "boolean", description: "Replace a backend of the same name" },
    list: { type: "boolean", description: "List the known servers `add NAME` can fill in" },
    ...jsonArg("With --list: print JSON"),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const removeSpec = {
  meta: { name: "remove", description: "Remove a backend from the config (comments are kept)" },
  args: {
    name: { type: "positional", required: true, description: "Backend name" },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const listSpec = {
  meta: { name: "list", description: "List the configured backends" },
  args: {
    ...jsonArg(),
    quiet: { type: "boolean", alias: "q", description: "Print only the names, one a line" },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const auditSpec = {
  meta: {
    name: "audit",
    description:
      "Show the audit log (calls, refusals, admin actions) from the state database, newest first",
  },
  args: {
    since: {
      type: "string",
      description: "Only rows this recent: 24h, 7d, or a date (default 24h)",
    },
    caller: { type: "string", description: "Only this caller (key name, OAuth subject, local)" },
    tool: { type: "string", description: "Only this tool (a name, or server:tool)" },
    limit: { type: "string", description: "At most this many rows (default 100)" },
    ...jsonArg("Print the rows as JSON Lines (one object a line), for export"),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const configExportSpec = {
  meta: {
    name: "export",
    description:
      "Print the effective config (defaults filled in, variables expanded, secrets redacted)",
  },
  args: {
    format: {
      type: "enum",
      options: ["yaml", "json"],
      description: "Output format (default yaml)",
    },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const configSpec = {
  meta: { name: "config", description: "Work with the gateway config: config export" },
  subCommands: { export: configExportSpec },
} satisfies CommandSpec;

export const completionsSpec = {
  meta: {
    name: "completions",
    description: "Print a shell completion script: source <(mcp-gateway completions bash)",
  },
  args: {
    shell: { type: "positional", description: "bash, zsh or fish" },
    ...globalArgs,
  },
} satisfies CommandSpec;

export const keysCreateSpec = {
  meta: {
    name: "create",
    description:
      "Create an API key: prints it once, stores only its sha256 hash in auth.api_keys (comments are kept)",
  },
  args: {
    name: { type: "positional", required: true, description: "A name for the key (a client)" },
    admin: { type: "boolean", description: "Admin key (reload and operator tools)" },
    allow: {
      type: "string",
      description: "Allow only these server or server:tool globs (repeatable; default everything)",
    },
    deny: { type: "string", description: "Deny these server or server:tool globs (repeatable)" },
    "rate-limit": { type: "string", description: "Requests per minute (default: no limit)" },
    description: { type: "string", description: "What the key is for" },
    "enable-auth": {
      type: "boolean",
      description: "Also turn auth.enabled on (asked on a terminal when it is off)",
    },
    ...jsonArg("Print JSON (name and key)"),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const keysListSpec = {
  meta: { name: "list", description: "List API keys (names, scopes and limits; never the keys)" },
  args: { ...jsonArg("Print JSON"), ...configArg, ...globalArgs },
} satisfies CommandSpec;

export const keysRevokeSpec = {
  meta: {
    name: "revoke",
    description: "Remove an API key; a running gateway stops accepting it within a second",
  },
  args: {
    name: { type: "positional", required: true, description: "The key's name" },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const keysEnableSpec = {
  meta: {
    name: "enable",
    description: "Turn auth.enabled on: clients must then send one of the keys (comments are kept)",
  },
  args: { ...configArg, ...globalArgs },
} satisfies CommandSpec;

export const keysSpec = {
  meta: { name: "keys", description: "Manage API keys: keys create|list|revoke|enable" },
  subCommands: {
    create: keysCreateSpec,
    list: keysListSpec,
    revoke: keysRevokeSpec,
    enable: keysEnableSpec,
  },
} satisfies CommandSpec;

export const authLoginSpec = {
  meta: {
    name: "login",
    description:
      "Log in to an OAuth backend: prints the authorization URL (and opens a browser when there is one), then waits for the redirect",
  },
  args: {
    name: { type: "positional", required: true, description: "The backend's name" },
    "no-browser": { type: "boolean", description: "Only print the URL" },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const authStatusSpec = {
  meta: { name: "status", description: "Which HTTP backends are logged in, and until when" },
  args: { ...jsonArg("Print JSON"), ...configArg, ...globalArgs },
} satisfies CommandSpec;

export const authLogoutSpec = {
  meta: { name: "logout", description: "Forget a backend's OAuth tokens and registered client" },
  args: {
    name: { type: "positional", required: true, description: "The backend's name" },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const authSpec = {
  meta: { name: "auth", description: "OAuth logins to remote backends: auth login|status|logout" },
  subCommands: { login: authLoginSpec, status: authStatusSpec, logout: authLogoutSpec },
} satisfies CommandSpec;

const lockArgs = { ...configArg, ...globalArgs, ...jsonArg("Print JSON") } as const;

export const lockDiffSpec = {
  meta: { name: "diff", description: "Show how served tools differ from gateway.lock" },
  args: lockArgs,
} satisfies CommandSpec;

export const lockUpdateSpec = {
  meta: {
    name: "update",
    description:
      "Approve changed tools: rewrite gateway.lock (asks first on a terminal; never when stdin is not one)",
  },
  args: {
    targets: {
      type: "positional",
      required: false,
      description: "Backends or server:tool to approve (default: everything)",
    },
    yes: { type: "boolean", alias: "y", description: "Do not ask" },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const lockSpec = {
  meta: {
    name: "lock",
    description:
      "Write gateway.lock beside the config: digests of every backend tool and capability file",
  },
  args: lockArgs,
  subCommands: { diff: lockDiffSpec, update: lockUpdateSpec },
} satisfies CommandSpec;

export const capImportSpec = {
  meta: {
    name: "import",
    description:
      "Turn an OpenAPI 3.x or Swagger 2.0 document (file or URL, JSON or YAML) into one capability file per operation",
  },
  args: {
    spec: {
      type: "positional",
      required: true,
      description: "OpenAPI document: a path or an http(s) URL",
    },
    output: {
      type: "string",
      alias: "o",
      description:
        "Folder to write into (created if missing); default: the first of capabilities.directories",
    },
    prefix: { type: "string", alias: "p", description: "Put before every tool name, e.g. github_" },
    "base-url": {
      type: "string",
      description: "Base URL of the API, when the spec has none or a relative one",
    },
    "allow-file-refs": {
      type: "boolean",
      description:
        "Let the spec's $refs read local files other than the spec itself (off: a spec could copy any file into a tool description)",
    },
    "auth-key": {
      type: "string",
      description:
        "env:NAME: the variable every generated file reads its key from (default: named after --prefix or the spec's title)",
    },
    ...configArg,
    ...jsonArg("Print a JSON report on stdout"),
    ...globalArgs,
  },
} satisfies CommandSpec;

export const capValidateSpec = {
  meta: {
    name: "validate",
    description:
      "Check capability files (files or folders, walked recursively); exit 1 naming each bad file and field",
  },
  args: {
    paths: { type: "positional", required: true, description: "Files or folders" },
    ...jsonArg("Print a JSON report on stdout"),
    ...globalArgs,
  },
} satisfies CommandSpec;

export const capPinSpec = {
  meta: {
    name: "pin",
    description:
      "Write (or replace) the first-line sha256: pin of capability files, as the original gateway's cap pin does; the loader refuses a pinned file that changed",
  },
  args: {
    files: { type: "positional", required: true, description: "Capability files" },
    ...globalArgs,
  },
} satisfies CommandSpec;

export const capListSpec = {
  meta: {
    name: "list",
    description: "List every loaded capability, built-in and configured, with the keys it needs",
  },
  args: {
    directory: {
      type: "positional",
      required: false,
      description: "List only the capability files under this folder (the original's form)",
    },
    ...jsonArg(),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const capTestSpec = {
  meta: { name: "test", description: "Run one capability and print its result" },
  args: {
    name: {
      type: "positional",
      required: true,
      description: "Capability name, or the path of a capability file",
    },
    args: {
      type: "string",
      alias: "a",
      description: "Arguments as a JSON object, e.g. '{\"id\": 1}'",
    },
    ...jsonArg("Print the whole tool result as JSON"),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const capSearchSpec = {
  meta: {
    name: "search",
    description:
      "Search the built-in catalog (embedded, no network): name, title, key needed, built-in or installed",
  },
  args: {
    query: { type: "positional", required: true, description: "What you want to do" },
    limit: { type: "string", alias: "n", description: "How many matches (1-50, default 10)" },
    ...jsonArg(),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const capInstallSpec = {
  meta: {
    name: "install",
    description:
      "Copy a built-in capability's file into your capabilities folder, to edit it (your copy replaces the built-in)",
  },
  args: {
    name: { type: "positional", required: true, description: "Built-in capability name" },
    dir: {
      type: "string",
      alias: "d",
      description: "Folder to write into (default: the first of capabilities.directories)",
    },
    force: { type: "boolean", alias: "f", description: "Overwrite a file that exists" },
    ...jsonArg(),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const capSpec = {
  meta: {
    name: "cap",
    description:
      "Capabilities (REST APIs as tools): search and install built-ins, import an OpenAPI spec, validate, pin, list, test",
  },
  subCommands: {
    search: capSearchSpec,
    install: capInstallSpec,
    import: capImportSpec,
    validate: capValidateSpec,
    pin: capPinSpec,
    list: capListSpec,
    test: capTestSpec,
  },
} satisfies CommandSpec;

export const doctorSpec = {
  meta: {
    name: "doctor",
    description:
      "Check the config, the port, every backend, capability keys, poisoned tools and lock drift",
  },
  args: {
    fix: {
      type: "boolean",
      description:
        "Repair what is safe to: create missing folders, chmod 600 a config with secrets",
    },
    ...jsonArg("Print the report as JSON on stdout"),
    timeout: {
      type: "string",
      description: "How long each backend gets to start and list its tools (default 30s)",
    },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

const connectArgs = {
  url: {
    type: "string",
    description:
      "The running gateway's MCP endpoint (default: server.host and server.port of the config, http://127.0.0.1:39400/mcp)",
  },
  key: {
    type: "string",
    description: "API key for a gateway with auth on (or MCP_GATEWAY_KEY, then MCP_GATEWAY_TOKEN)",
  },
  ...jsonArg(),
  ...configArg,
  ...globalArgs,
} as const satisfies ArgsDef;

export const toolsSearchSpec = {
  meta: { name: "search", description: "Search the gateway's tools, as gateway_search_tools does" },
  args: {
    query: { type: "positional", required: true, description: "What you want to do" },
    server: { type: "string", alias: "s", description: "Only search this backend" },
    limit: { type: "string", alias: "n", description: "How many matches (1-25, default 5)" },
    ...connectArgs,
  },
} satisfies CommandSpec;

export const toolsCallSpec = {
  meta: { name: "call", description: "Call a tool through the gateway, as gateway_invoke does" },
  args: {
    server: { type: "positional", required: true, description: "Backend name" },
    tool: { type: "positional", required: true, description: "Tool name on that backend" },
    args: {
      type: "string",
      alias: "a",
      description: "The tool's arguments as a JSON object ('-' reads it from stdin)",
    },
    ...connectArgs,
  },
} satisfies CommandSpec;

export const toolsEvalSpec = {
  meta: {
    name: "eval",
    description: "Replay recorded searches and the tools called after them; print hit@1, hit@5",
  },
  args: {
    caller: { type: "string", description: "Only this caller's searches (key:NAME, local)" },
    misses: { type: "string", description: "How many misses to list (default 10)" },
    ...jsonArg(),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const toolsSpec = {
  meta: {
    name: "tools",
    description:
      "Use the gateway from a shell: tools search QUERY, tools call SERVER TOOL, tools eval",
  },
  subCommands: { search: toolsSearchSpec, call: toolsCallSpec, eval: toolsEvalSpec },
} satisfies CommandSpec;

export const skillsImportSpec = {
  meta: {
    name: "import",
    description:
      "Import Agent Skills into the skills folder: a skill folder, a folder of them (~/.claude/skills), a SKILL.md, a .zip, or an http(s) URL of either",
  },
  args: {
    source: {
      type: "positional",
      required: true,
      description:
        "A folder with SKILL.md, a folder of skill folders, a SKILL.md, a .zip, or a URL",
    },
    ...jsonArg("Print what was imported as JSON"),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const skillsListSpec = {
  meta: { name: "list", description: "List stored skills: served, withheld as poisoned, broken" },
  args: { ...jsonArg(), ...configArg, ...globalArgs },
} satisfies CommandSpec;

export const skillsSearchSpec = {
  meta: {
    name: "search",
    description: "Search stored skills, ranked as gateway_search_tools ranks",
  },
  args: {
    query: { type: "positional", required: true, description: "What you want to do" },
    limit: { type: "string", alias: "n", description: "How many matches (1-25, default 5)" },
    ...jsonArg(),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const skillsShowSpec = {
  meta: { name: "show", description: "Print a skill's SKILL.md and list its files" },
  args: {
    name: { type: "positional", required: true, description: "The skill's name" },
    ...jsonArg(),
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const skillsRemoveSpec = {
  meta: { name: "remove", description: "Delete a stored skill (a running gateway drops it)" },
  args: {
    name: { type: "positional", required: true, description: "The skill's name" },
    ...configArg,
    ...globalArgs,
  },
} satisfies CommandSpec;

export const skillsSpec = {
  meta: {
    name: "skills",
    description:
      "Agent Skills (SKILL.md) served over MCP as resources, prompts and search hits: import, list, search, show, remove",
  },
  subCommands: {
    import: skillsImportSpec,
    list: skillsListSpec,
    search: skillsSearchSpec,
    show: skillsShowSpec,
    remove: skillsRemoveSpec,
  },
} satisfies CommandSpec;

/** The whole tree, in the order `--help` lists it. */
export const tree: CommandSpec = {
  meta: {
    name: "mcp-gateway",
    version: VERSION,
    description: "One MCP endpoint in front of many MCP servers and REST APIs",
  },
  subCommands: {
    serve: serveSpec,
    init: initSpec,
    setup: setupSpec,
    add: addSpec,
    remove: removeSpec,
    list: listSpec,
    config: configSpec,
    completions: completionsSpec,
    keys: keysSpec,
    auth: authSpec,
    lock: lockSpec,
    cap: capSpec,
    doctor: doctorSpec,
    tools: toolsSpec,
    skills: skillsSpec,
    audit: auditSpec,
  },
};
