/**
 * Regenerates bench/corpus/registry-tools.json: the tools of the setup registry's npm servers
 * (src/registry/servers.ts) that the benchmark's corpus lacks, listed for the search's hints only.
 * Same approach as build.ts, over servers installed in EXTRA_DIR (see README.md). It runs itself
 * in a network namespace of its own (`unshare -rn`), so no server reaches beyond loopback.
 *
 *   EXTRA_DIR=/tmp/extra-servers bun bench/corpus/build-extra.ts [server...]
 */
import { resolve } from "node:path";
import { buildCorpus, DUMMY, rerunOffline, type Source } from "./build.ts";

const EXTRA_DIR = process.env.EXTRA_DIR ?? "/tmp/extra-servers";
const OUT = resolve(import.meta.dir, "registry-tools.json");

/** Server name in the registry → how to start it, with the registry's args and fixed env. */
const SOURCES: Record<string, Source> = {
  dbhub: {
    pkg: "@bytebase/dbhub",
    // It connects at start, so a refused loopback DSN stops it: an in-memory SQLite database.
    args: ["--transport", "stdio", "--dsn", "sqlite:///:memory:"],
    runtime: "bun",
  },
  mongodb: {
    pkg: "mongodb-mcp-server",
    env: { MDB_MCP_CONNECTION_STRING: "mongodb://127.0.0.1:1/none" },
  },
  supabase: {
    pkg: "@supabase/mcp-server-supabase",
    // The default features but `docs`, whose tool fetches its schema from supabase.com.
    args: ["--features=account,database,debugging,development,functions,branching"],
    env: { SUPABASE_ACCESS_TOKEN: DUMMY },
  },
  perplexity: { pkg: "@perplexity-ai/mcp-server", env: { PERPLEXITY_API_KEY: DUMMY } },
  // stripe (@stripe/mcp) is left out: it relays every request to https://mcp.stripe.com.
  "azure-devops": { pkg: "@azure-devops/mcp", args: ["dummy-org"], folder: "azure-devops-mcp" },
  azure: { pkg: "@azure/mcp", args: ["server", "start"] },
  figma: { pkg: "figma-developer-mcp", args: ["--stdio"], env: { FIGMA_API_KEY: DUMMY } },
  apify: {
    pkg: "@apify/actors-mcp-server",
    // The default tool categories without the two default Actors, whose tools come from Apify's API.
    args: ["--tools=actors,docs"],
    env: { APIFY_TOKEN: DUMMY },
    runtime: "bun",
  },
  n8n: {
    pkg: "n8n-mcp",
    // With the registry's optional API variables set, it adds its workflow tools to the docs ones.
    env: {
      MCP_MODE: "stdio",
      LOG_LEVEL: "error",
      DISABLE_CONSOLE_OUTPUT: "true",
      N8N_API_URL: "http://127.0.0.1:1",
      N8N_API_KEY: DUMMY,
    },
  },
  eslint: { pkg: "@eslint/mcp" },
};

rerunOffline("BUILD_EXTRA_OFFLINE");
await buildCorpus(EXTRA_DIR, OUT, SOURCES, process.argv.slice(2));
