/**
 * Regenerates bench/corpus/heldout3-tools.json: the tools of published MCP servers that neither
 * the corpus (tools.json) nor the registry list (registry-tools.json) has, for the search's
 * held-out set of round 3 (issue #21, bench/search/heldout3.ts). Same approach as build.ts, over
 * servers installed one folder each under HELDOUT3_DIR/solo (see README.md). Like build-extra.ts
 * it reruns itself in a network namespace of its own (`unshare -rn`), so no server reaches beyond
 * loopback while it lists its tools.
 *
 *   HELDOUT3_DIR=/tmp/corpus3 bun bench/corpus/build-heldout3.ts [server...]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildCorpus, DUMMY, rerunOffline, type Source } from "./build.ts";

const HELDOUT3_DIR = process.env.HELDOUT3_DIR ?? "/tmp/corpus3";
const OUT = resolve(import.meta.dir, "heldout3-tools.json");
/** Google Docs' server lists its tools only once it holds a saved token: a dummy one here. */
const GOOGLE_HOME = join(tmpdir(), "heldout3-xdg");

/** Server name → how to start it, with dummy credentials where a server insists. */
const SOURCES: Record<string, Source> = {
  mysql: {
    pkg: "@berthojoris/mcp-mysql-server",
    // It lists all its tools without connecting: a refused loopback URL.
    args: ["mysql://dummy:dummy@127.0.0.1:1/none"],
    folder: "berthojoris-mcp-mysql-server",
  },
  cloudflare: {
    pkg: "@cloudflare/mcp-server-cloudflare",
    args: ["run", "dummy-account"],
    env: { CLOUDFLARE_API_TOKEN: DUMMY, CLOUDFLARE_ACCOUNT_ID: "dummy-account" },
    folder: "cloudflare-mcp-server-cloudflare",
  },
  "google-docs": {
    pkg: "@a-bonus/google-docs-mcp",
    // A dummy saved token (written below), or it starts an interactive OAuth flow and waits.
    env: { GOOGLE_CLIENT_ID: "dummy", GOOGLE_CLIENT_SECRET: DUMMY, XDG_CONFIG_HOME: GOOGLE_HOME },
    folder: "a-bonus-google-docs-mcp",
  },
  prometheus: {
    pkg: "prometheus-mcp",
    args: ["stdio"],
    env: { PROMETHEUS_URL: "http://127.0.0.1:1" },
    folder: "prometheus-mcp",
  },
  pinecone: {
    pkg: "@pinecone-database/mcp",
    env: { PINECONE_API_KEY: DUMMY },
    folder: "pinecone-database-mcp",
  },
  resend: {
    pkg: "resend-mcp",
    env: { RESEND_API_KEY: DUMMY },
    folder: "resend-mcp",
  },
  netlify: {
    pkg: "@netlify/mcp",
    env: { NETLIFY_PERSONAL_ACCESS_TOKEN: DUMMY },
    folder: "netlify-mcp",
  },
  monday: {
    pkg: "@mondaydotcomorg/monday-api-mcp",
    args: ["-t", DUMMY],
    folder: "mondaydotcomorg-monday-api-mcp",
  },
  line: {
    pkg: "@line/line-bot-mcp-server",
    env: { CHANNEL_ACCESS_TOKEN: DUMMY, DESTINATION_USER_ID: "U0000" },
    folder: "line-line-bot-mcp-server",
  },
  xero: {
    pkg: "@xeroapi/xero-mcp-server",
    env: { XERO_CLIENT_ID: "dummy", XERO_CLIENT_SECRET: DUMMY },
    folder: "xeroapi-xero-mcp-server",
  },
  browserbase: {
    pkg: "@browserbasehq/mcp-server-browserbase",
    env: { BROWSERBASE_API_KEY: DUMMY, BROWSERBASE_PROJECT_ID: "dummy", GEMINI_API_KEY: DUMMY },
    folder: "browserbasehq-mcp-server-browserbase",
  },
  todoist: { pkg: "todoist-mcp", env: { API_KEY: DUMMY }, folder: "todoist-mcp" },
};

rerunOffline("BUILD_HELDOUT3_OFFLINE");
mkdirSync(join(GOOGLE_HOME, "google-docs-mcp"), { recursive: true });
writeFileSync(
  join(GOOGLE_HOME, "google-docs-mcp", "token.json"),
  JSON.stringify({ refresh_token: DUMMY }),
);
await buildCorpus(HELDOUT3_DIR, OUT, SOURCES, process.argv.slice(2));
