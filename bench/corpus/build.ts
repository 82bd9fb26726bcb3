/**
 * Regenerates bench/corpus/tools.json: installs nothing itself, but lists the tools of the
 * published MCP servers installed in CORPUS_DIR (see README.md) with the SDK's real client over
 * stdio, and writes `{ server: Tool[] }` as data.
 *
 *   CORPUS_DIR=/tmp/corpus-servers bun bench/corpus/build.ts
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const CORPUS_DIR = process.env.CORPUS_DIR ?? "/tmp/corpus-servers";
const OUT = resolve(import.meta.dir, "tools.json");
export const DUMMY = "dummy-token-for-listing-only";
/** Google Calendar's server insists on an OAuth client file before it lists its tools. */
const GOOGLE_OAUTH = join(tmpdir(), "corpus-gcp-oauth.keys.json");

export interface Source {
  /** npm package, exact version pinned in README.md. */
  pkg: string;
  args?: string[];
  env?: Record<string, string>;
  /** Some servers need a newer Node than the machine's; Bun runs them. */
  runtime?: "node" | "bun";
  /** Installed on its own (under <dir>/solo/<folder>) when its dependencies clash. */
  folder?: string;
}

/** Server name in the corpus → how to start it. Dummy credentials where a server insists. */
const SOURCES: Record<string, Source> = {
  github: {
    pkg: "@modelcontextprotocol/server-github",
    env: { GITHUB_PERSONAL_ACCESS_TOKEN: DUMMY },
  },
  slack: {
    pkg: "@modelcontextprotocol/server-slack",
    env: { SLACK_BOT_TOKEN: "xoxb-dummy", SLACK_TEAM_ID: "T000" },
  },
  "google-maps": {
    pkg: "@modelcontextprotocol/server-google-maps",
    env: { GOOGLE_MAPS_API_KEY: DUMMY },
  },
  "brave-search": {
    pkg: "@modelcontextprotocol/server-brave-search",
    env: { BRAVE_API_KEY: DUMMY },
  },
  puppeteer: { pkg: "@modelcontextprotocol/server-puppeteer" },
  postgres: {
    pkg: "@modelcontextprotocol/server-postgres",
    args: ["postgresql://127.0.0.1:1/none"],
  },
  "sequential-thinking": { pkg: "@modelcontextprotocol/server-sequential-thinking" },
  everything: { pkg: "@modelcontextprotocol/server-everything", args: ["stdio"] },
  filesystem: { pkg: "@modelcontextprotocol/server-filesystem", args: ["/tmp"] },
  memory: { pkg: "@modelcontextprotocol/server-memory" },
  notion: { pkg: "@notionhq/notion-mcp-server", env: { NOTION_TOKEN: DUMMY } },
  playwright: { pkg: "@playwright/mcp" },
  "chrome-devtools": { pkg: "chrome-devtools-mcp" },
  gitlab: {
    pkg: "@zereight/mcp-gitlab",
    env: { GITLAB_PERSONAL_ACCESS_TOKEN: DUMMY, GITLAB_API_URL: "http://127.0.0.1:1/api/v4" },
  },
  "desktop-commander": { pkg: "@wonderwhy-er/desktop-commander" },
  circleci: { pkg: "@circleci/mcp-server-circleci", env: { CIRCLECI_TOKEN: DUMMY } },
  chart: { pkg: "@antv/mcp-server-chart" },
  hubspot: { pkg: "@hubspot/mcp-server", env: { PRIVATE_APP_ACCESS_TOKEN: DUMMY } },
  sentry: { pkg: "@sentry/mcp-server", args: [`--access-token=${DUMMY}`], runtime: "bun" },
  airtable: { pkg: "airtable-mcp-server", env: { AIRTABLE_API_KEY: DUMMY } },
  asana: { pkg: "@roychri/mcp-server-asana", env: { ASANA_ACCESS_TOKEN: DUMMY } },
  linear: { pkg: "@tacticlaunch/mcp-linear", env: { LINEAR_API_TOKEN: DUMMY } },
  "google-calendar": {
    pkg: "@cocal/google-calendar-mcp",
    env: { GOOGLE_OAUTH_CREDENTIALS: GOOGLE_OAUTH },
  },
  kubernetes: { pkg: "mcp-server-kubernetes" },
  git: { pkg: "@cyanheads/git-mcp-server" },
  trello: {
    pkg: "@delorenj/mcp-server-trello",
    env: { TRELLO_API_KEY: DUMMY, TRELLO_TOKEN: DUMMY },
  },
  discord: { pkg: "mcp-discord", env: { DISCORD_TOKEN: DUMMY } },
  elasticsearch: {
    pkg: "@elastic/mcp-server-elasticsearch",
    env: { ES_URL: "http://127.0.0.1:1", ES_API_KEY: DUMMY },
  },
  jira: {
    pkg: "@aashari/mcp-server-atlassian-jira",
    env: {
      ATLASSIAN_SITE_NAME: "dummy",
      ATLASSIAN_USER_EMAIL: "a@b.c",
      ATLASSIAN_API_TOKEN: DUMMY,
    },
  },
  firecrawl: { pkg: "firecrawl-mcp", env: { FIRECRAWL_API_KEY: DUMMY }, runtime: "bun" },
  tavily: { pkg: "tavily-mcp", env: { TAVILY_API_KEY: DUMMY } },
  exa: { pkg: "exa-mcp-server", env: { EXA_API_KEY: DUMMY } },
  shortcut: { pkg: "@shortcut/mcp", env: { SHORTCUT_API_TOKEN: DUMMY } },
  datadog: {
    pkg: "@winor30/mcp-server-datadog",
    env: { DATADOG_API_KEY: DUMMY, DATADOG_APP_KEY: DUMMY },
  },
  context7: { pkg: "@upstash/context7-mcp" },
  launchdarkly: { pkg: "@launchdarkly/mcp-server", args: ["start", "--api-key", DUMMY] },
  grafana: {
    pkg: "@leval/mcp-grafana",
    env: { GRAFANA_URL: "http://127.0.0.1:1", GRAFANA_SERVICE_ACCOUNT_TOKEN: DUMMY },
    folder: "leval-mcp-grafana",
  },
  digitalocean: {
    pkg: "@digitalocean/mcp",
    env: { DIGITALOCEAN_API_TOKEN: DUMMY },
    folder: "digitalocean-mcp",
  },
};

function entryPoint(dir: string, source: Source): string {
  const root = source.folder ? join(dir, "solo", source.folder) : dir;
  const folder = join(root, "node_modules", source.pkg);
  const pkg = source.pkg;
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const bin =
    typeof manifest.bin === "string" ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  if (typeof bin !== "string") throw new Error(`${pkg} has no bin in its package.json`);
  return join(folder, bin);
}

async function listTools(dir: string, name: string, source: Source): Promise<unknown[]> {
  const transport = new StdioClientTransport({
    command: source.runtime === "bun" ? process.execPath : "node",
    args: [entryPoint(dir, source), ...(source.args ?? [])],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...source.env },
    stderr: "ignore",
    cwd: dir,
  });
  const client = new Client({ name: "corpus-builder", version: "1.0.0" }, { capabilities: {} });
  const timer = setTimeout(() => void client.close(), 60_000);
  try {
    await client.connect(transport);
    const tools: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => {});
    console.error(`  ${name}: done`);
  }
}

/**
 * Lists the tools of each source installed under `dir` and writes `{ server: Tool[] }` to `out`,
 * sorted by server. With `only`, relists those servers and keeps the rest of `out`.
 */
export async function buildCorpus(
  dir: string,
  out: string,
  sources: Record<string, Source>,
  only: string[] = [],
): Promise<void> {
  const previous: Record<string, unknown[]> = only.length
    ? JSON.parse(readFileSync(out, "utf8"))
    : {};
  const corpus: Record<string, unknown[]> = { ...previous };
  for (const [name, source] of Object.entries(sources)) {
    if (only.length && !only.includes(name)) continue;
    try {
      corpus[name] = await listTools(dir, name, source);
      console.error(`${name}: ${corpus[name].length} tools`);
    } catch (error) {
      console.error(`${name}: FAILED ${error instanceof Error ? error.message : error}`);
    }
  }
  const sorted = Object.fromEntries(Object.entries(corpus).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(out, `${JSON.stringify(sorted, null, 1)}\n`);
  const total = Object.values(sorted).reduce((sum, tools) => sum + tools.length, 0);
  console.error(`${Object.keys(sorted).length} servers, ${total} tools -> ${out}`);
}

if (import.meta.main) {
  writeFileSync(
    GOOGLE_OAUTH,
    JSON.stringify({
      installed: { client_id: "dummy", client_secret: DUMMY, redirect_uris: ["http://localhost"] },
    }),
  );
  await buildCorpus(CORPUS_DIR, OUT, SOURCES, process.argv.slice(2));
}

/**
 * Runs this script again inside a new network namespace where only loopback is up (`unshare -rn`),
 * so the servers being listed can reach nothing; `flag` marks the inner run. Returns in the inner
 * run only.
 */
export function rerunOffline(flag: string): void {
  if (process.env[flag] === "1") return;
  const rerun = spawnSync(
    "unshare",
    [
      "-rn",
      "sh",
      "-c",
      'ip link set lo up && exec "$0" "$@"',
      process.execPath,
      ...process.argv.slice(1),
    ],
    { stdio: "inherit", env: { ...process.env, [flag]: "1" } },
  );
  process.exit(rerun.status ?? 1);
}
