/**
 * Regenerates bench/corpus/heldout4-tools.json: the tools of published MCP servers that none of
 * tools.json, registry-tools.json and heldout3-tools.json has, for the search's blind set of
 * round 4 (issue #21, bench/search/heldout4.ts). Same approach as build-heldout3.ts: each server
 * installed in a folder of its own under HELDOUT4_DIR/solo (see README.md), listed in a network
 * namespace of its own (`unshare -rn`), so no server reaches beyond loopback while it lists its
 * tools.
 *
 *   HELDOUT4_DIR=/tmp/corpus4 bun bench/corpus/build-heldout4.ts [server...]
 */
import { resolve } from "node:path";
import { buildCorpus, DUMMY, rerunOffline, type Source } from "./build.ts";

const HELDOUT4_DIR = process.env.HELDOUT4_DIR ?? "/tmp/corpus4";
const OUT = resolve(import.meta.dir, "heldout4-tools.json");
/** Where a server wants a base URL: a refused loopback port. */
const REFUSED = "http://127.0.0.1:1";

/** Server name → how to start it, with dummy credentials where a server insists. */
const SOURCES: Record<string, Source> = {
  "ms-365": {
    pkg: "@softeria/ms-365-mcp-server",
    folder: "softeria-ms-365-mcp-server",
  },
  bitbucket: {
    pkg: "@nexus2520/bitbucket-mcp-server",
    env: { BITBUCKET_USERNAME: "dummy", BITBUCKET_APP_PASSWORD: DUMMY },
    folder: "nexus2520-bitbucket-mcp-server",
  },
  argocd: {
    pkg: "argocd-mcp",
    args: ["stdio"],
    env: { ARGOCD_BASE_URL: REFUSED, ARGOCD_API_TOKEN: DUMMY },
    folder: "argocd-mcp",
  },
  mapbox: {
    pkg: "@mapbox/mcp-server",
    env: { MAPBOX_ACCESS_TOKEN: DUMMY },
    folder: "mapbox-mcp-server",
  },
  salesforce: {
    pkg: "@tsmztech/mcp-server-salesforce",
    env: {
      SALESFORCE_CONNECTION_TYPE: "User_Password",
      SALESFORCE_USERNAME: "dummy",
      SALESFORCE_PASSWORD: DUMMY,
      SALESFORCE_TOKEN: DUMMY,
      SALESFORCE_INSTANCE_URL: REFUSED,
    },
    folder: "tsmztech-mcp-server-salesforce",
  },
  vercel: {
    pkg: "@mistertk/vercel-mcp",
    env: { VERCEL_API_KEY: DUMMY },
    folder: "mistertk-vercel-mcp",
  },
  shopify: {
    pkg: "shopify-mcp",
    args: ["--accessToken", DUMMY, "--domain", "dummy.myshopify.com"],
    env: { SHOPIFY_ACCESS_TOKEN: DUMMY, MYSHOPIFY_DOMAIN: "dummy.myshopify.com" },
    folder: "shopify-mcp",
  },
  weather: { pkg: "@dangahagan/weather-mcp", folder: "dangahagan-weather-mcp" },
  rollbar: {
    pkg: "@rollbar/mcp-server",
    env: { ROLLBAR_ACCESS_TOKEN: DUMMY },
    folder: "rollbar-mcp-server",
  },
  sonarqube: {
    pkg: "sonarqube-mcp-server",
    env: { SONARQUBE_URL: REFUSED, SONARQUBE_TOKEN: DUMMY },
    folder: "sonarqube-mcp-server",
  },
  paddle: {
    pkg: "@paddle/paddle-mcp",
    args: [`--api-key=${DUMMY}`, "--environment=sandbox"],
    env: { PADDLE_API_KEY: DUMMY, PADDLE_ENVIRONMENT: "sandbox" },
    folder: "paddle-paddle-mcp",
  },
  reddit: { pkg: "reddit-mcp-buddy", folder: "reddit-mcp-buddy" },
  youtube: {
    pkg: "youtube-data-mcp-server",
    env: { YOUTUBE_API_KEY: DUMMY },
    folder: "youtube-data-mcp-server",
  },
  quickbooks: {
    pkg: "quickbooks-mcp",
    env: { QBO_CLIENT_ID: "dummy", QBO_CLIENT_SECRET: DUMMY, QBO_SANDBOX: "true" },
    folder: "quickbooks-mcp",
  },
};

rerunOffline("BUILD_HELDOUT4_OFFLINE");
await buildCorpus(HELDOUT4_DIR, OUT, SOURCES, process.argv.slice(2));
