import type { BackendEntry } from "../config/edit.ts";

/** A variable a registry server needs: an env key it reads, or a value placed in its args. */
export interface RegistryVariable {
  name: string;
  description: string;
  /** False for variables the server works without. */
  required?: boolean;
}

/** A well-known MCP server that `mcp-gateway add NAME` can fill in. */
export interface RegistryEntry {
  name: string;
  description: string;
  /** The npm or PyPI package the command runs. */
  package: string;
  command: "npx" | "uvx";
  args: string[];
  /** Variables passed to the server as its environment (`env: { X: "${X}" }`). */
  env?: RegistryVariable[];
  /** Variables used inside `args` (a path, a connection string). */
  argVars?: RegistryVariable[];
  /** Fixed environment the server needs (not secrets). */
  fixedEnv?: Record<string, string>;
}

const npx = (pkg: string, ...rest: string[]) => ({
  package: pkg,
  command: "npx" as const,
  args: ["-y", pkg, ...rest],
});
const uvx = (pkg: string, ...rest: string[]) => ({
  package: pkg,
  command: "uvx" as const,
  args: [pkg, ...rest],
});
const v = (name: string, description: string, required = true): RegistryVariable => ({
  name,
  description,
  required,
});

/**
 * Well-known MCP servers. Every package name was checked against the npm registry (or PyPI for
 * `uvx` servers); variable names follow each server's own documentation.
 */
export const REGISTRY: readonly RegistryEntry[] = [
  {
    name: "filesystem",
    description: "Read, write and search files under the folders you allow",
    ...npx("@modelcontextprotocol/server-filesystem", "${FILESYSTEM_ROOT}"),
    argVars: [v("FILESYSTEM_ROOT", "the folder the server may access")],
  },
  {
    name: "memory",
    description: "A persistent knowledge graph the model can read and extend",
    ...npx("@modelcontextprotocol/server-memory"),
  },
  {
    name: "everything",
    description: "The MCP reference server exercising every protocol feature (for testing)",
    ...npx("@modelcontextprotocol/server-everything"),
  },
  {
    name: "sequential-thinking",
    description: "Structured step-by-step problem solving",
    ...npx("@modelcontextprotocol/server-sequential-thinking"),
  },
  {
    name: "github",
    description: "GitHub repositories, issues, pull requests and code search",
    ...npx("@modelcontextprotocol/server-github"),
    env: [v("GITHUB_PERSONAL_ACCESS_TOKEN", "a GitHub personal access token")],
  },
  {
    name: "gitlab",
    description: "GitLab projects, merge requests, issues and pipelines",
    ...npx("@zereight/mcp-gitlab"),
    env: [
      v("GITLAB_PERSONAL_ACCESS_TOKEN", "a GitLab personal access token"),
      v("GITLAB_API_URL", "the API URL, e.g. https://gitlab.com/api/v4", false),
    ],
  },
  {
    name: "slack",
    description: "Slack channels, messages and users",
    ...npx("@modelcontextprotocol/server-slack"),
    env: [
      v("SLACK_BOT_TOKEN", "a Slack bot token (xoxb-...)"),
      v("SLACK_TEAM_ID", "the Slack workspace (team) ID"),
    ],
  },
  {
    name: "postgres",
    description: "Read-only SQL against a PostgreSQL database",
    ...npx("@modelcontextprotocol/server-postgres", "${POSTGRES_URL}"),
    argVars: [v("POSTGRES_URL", "a connection URL, postgresql://user:password@host/db")],
  },
  {
    name: "dbhub",
    description: "SQL for PostgreSQL, MySQL, MariaDB, SQL Server, Oracle and SQLite",
    ...npx("@bytebase/dbhub", "--transport", "stdio", "--dsn", "${DBHUB_DSN}"),
    argVars: [v("DBHUB_DSN", "a database DSN, e.g. postgres://user:password@host:5432/db")],
  },
  {
    name: "mongodb",
    description: "MongoDB databases and Atlas clusters",
    ...npx("mongodb-mcp-server"),
    env: [v("MDB_MCP_CONNECTION_STRING", "a MongoDB connection string")],
  },
  {
    name: "supabase",
    description: "Supabase projects: tables, SQL, edge functions, logs",
    ...npx("@supabase/mcp-server-supabase", "--read-only"),
    env: [v("SUPABASE_ACCESS_TOKEN", "a Supabase personal access token")],
  },
  {
    name: "brave-search",
    description: "Web, news, image and video search through the Brave Search API",
    ...npx("@brave/brave-search-mcp-server"),
    env: [v("BRAVE_API_KEY", "a Brave Search API key")],
  },
  {
    name: "tavily",
    description: "Web search and extraction through Tavily",
    ...npx("tavily-mcp"),
    env: [v("TAVILY_API_KEY", "a Tavily API key")],
  },
  {
    name: "exa",
    description: "Web search, content fetching and research through Exa",
    ...npx("exa-mcp-server"),
    env: [v("EXA_API_KEY", "an Exa API key")],
  },
  {
    name: "perplexity",
    description: "Real-time web search and reasoning through Perplexity",
    ...npx("@perplexity-ai/mcp-server"),
    env: [v("PERPLEXITY_API_KEY", "a Perplexity API key")],
  },
  {
    name: "firecrawl",
    description: "Scrape, crawl and search the web through Firecrawl",
    ...npx("firecrawl-mcp"),
    env: [v("FIRECRAWL_API_KEY", "a Firecrawl API key")],
  },
  {
    name: "context7",
    description: "Up-to-date library documentation and code examples",
    ...npx("@upstash/context7-mcp"),
    env: [v("CONTEXT7_API_KEY", "a Context7 API key (for higher rate limits)", false)],
  },
  {
    name: "google-maps",
    description: "Geocoding, places, directions and distances",
    ...npx("@modelcontextprotocol/server-google-maps"),
    env: [v("GOOGLE_MAPS_API_KEY", "a Google Maps Platform API key")],
  },
  {
    name: "playwright",
    description: "Drive a browser through Playwright's accessibility snapshots",
    ...npx("@playwright/mcp"),
  },
  {
    name: "puppeteer",
    description: "Browser automation with Puppeteer",
    ...npx("@modelcontextprotocol/server-puppeteer"),
  },
  {
    name: "chrome-devtools",
    description: "Inspect and drive Chrome through the DevTools protocol",
    ...npx("chrome-devtools-mcp"),
  },
  {
    name: "notion",
    description: "Notion pages, databases and comments",
    ...npx("@notionhq/notion-mcp-server"),
    env: [v("NOTION_TOKEN", "a Notion integration token (ntn_...)")],
  },
  {
    name: "sentry",
    description: "Sentry issues, events and releases",
    ...npx("@sentry/mcp-server"),
    env: [
      v("SENTRY_ACCESS_TOKEN", "a Sentry user auth token"),
      v("SENTRY_HOST", "your Sentry host when self-hosted", false),
    ],
  },
  {
    name: "stripe",
    description: "Stripe customers, payments, products and invoices",
    ...npx("@stripe/mcp", "--tools=all"),
    env: [v("STRIPE_SECRET_KEY", "a Stripe secret or restricted key")],
  },
  {
    name: "circleci",
    description: "CircleCI pipelines, failed builds and flaky tests",
    ...npx("@circleci/mcp-server-circleci"),
    env: [
      v("CIRCLECI_TOKEN", "a CircleCI personal API token"),
      v("CIRCLECI_BASE_URL", "your CircleCI URL when self-hosted", false),
    ],
  },
  {
    name: "datadog",
    description: "Datadog monitors, logs, metrics, traces and incidents",
    ...npx("@winor30/mcp-server-datadog"),
    env: [
      v("DATADOG_API_KEY", "a Datadog API key"),
      v("DATADOG_APP_KEY", "a Datadog application key"),
      v("DATADOG_SITE", "your Datadog site, e.g. datadoghq.eu", false),
    ],
  },
  {
    name: "azure-devops",
    description: "Azure DevOps work items, repos, pipelines and wikis",
    ...npx("@azure-devops/mcp", "${AZURE_DEVOPS_ORG}"),
    argVars: [v("AZURE_DEVOPS_ORG", "your Azure DevOps organisation name")],
  },
  {
    name: "azure",
    description: "Azure resources through the Azure MCP server",
    ...npx("@azure/mcp", "server", "start"),
  },
  {
    name: "figma",
    description: "Figma files and frames as layout data for implementing designs",
    ...npx("figma-developer-mcp", "--stdio"),
    env: [v("FIGMA_API_KEY", "a Figma personal access token")],
  },
  {
    name: "jira",
    description: "Jira projects, issues, comments and worklogs",
    ...npx("@aashari/mcp-server-atlassian-jira"),
    env: [
      v("ATLASSIAN_SITE_NAME", "your site, the NAME in NAME.atlassian.net"),
      v("ATLASSIAN_USER_EMAIL", "the e-mail of the Atlassian account"),
      v("ATLASSIAN_API_TOKEN", "an Atlassian API token"),
    ],
  },
  {
    name: "shortcut",
    description: "Shortcut stories, epics and iterations",
    ...npx("@shortcut/mcp"),
    env: [v("SHORTCUT_API_TOKEN", "a Shortcut API token")],
  },
  {
    name: "apify",
    description: "Run Apify actors for scraping and automation",
    ...npx("@apify/actors-mcp-server"),
    env: [v("APIFY_TOKEN", "an Apify API token")],
  },
  {
    name: "n8n",
    description: "n8n node documentation, and workflows when an API key is set",
    ...npx("n8n-mcp"),
    fixedEnv: { MCP_MODE: "stdio", LOG_LEVEL: "error", DISABLE_CONSOLE_OUTPUT: "true" },
    env: [
      v("N8N_API_URL", "your n8n instance URL", false),
      v("N8N_API_KEY", "an n8n API key", false),
    ],
  },
  {
    name: "desktop-commander",
    description: "Terminal commands and file editing on this machine",
    ...npx("@wonderwhy-er/desktop-commander"),
  },
  {
    name: "eslint",
    description: "Lint JavaScript and TypeScript files with the project's ESLint setup",
    ...npx("@eslint/mcp"),
  },
  {
    name: "fetch",
    description: "Fetch web pages as markdown",
    ...uvx("mcp-server-fetch"),
  },
  {
    name: "git",
    description: "Read, search and change a local Git repository",
    ...uvx("mcp-server-git", "--repository", "${GIT_REPOSITORY}"),
    argVars: [v("GIT_REPOSITORY", "the path of the repository")],
  },
  {
    name: "time",
    description: "Current time and time-zone conversion",
    ...uvx("mcp-server-time"),
  },
  {
    name: "sqlite",
    description: "Query and change a SQLite database",
    ...uvx("mcp-server-sqlite", "--db-path", "${SQLITE_DB_PATH}"),
    argVars: [v("SQLITE_DB_PATH", "the path of the database file")],
  },
];

/** The registry entry called `name`, if any. */
export function findRegistryEntry(name: string): RegistryEntry | undefined {
  return REGISTRY.find((entry) => entry.name === name);
}

/** The backend a registry entry becomes: its command and args, env variables as references. */
export function registryBackend(entry: RegistryEntry): BackendEntry {
  const backend: BackendEntry = {
    description: entry.description,
    command: entry.command,
    args: [...entry.args],
  };
  const env: Record<string, string> = { ...entry.fixedEnv };
  // Optional variables stay out: an empty value is not the same as an unset one to every server.
  for (const variable of entry.env ?? []) {
    if (variable.required !== false) env[variable.name] = `\${${variable.name}}`;
  }
  if (Object.keys(env).length > 0) backend.env = env;
  return backend;
}

/** Every variable a registry entry reads, required ones first. */
export function registryVariables(entry: RegistryEntry): RegistryVariable[] {
  const all = [...(entry.argVars ?? []), ...(entry.env ?? [])];
  return [...all.filter((x) => x.required !== false), ...all.filter((x) => x.required === false)];
}
