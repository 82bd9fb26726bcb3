/**
 * Regenerates bench/corpus/heldout6-tools.json: the tools of published MCP servers that none of
 * tools.json, registry-tools.json and heldout3/4/5-tools.json has, for the search's blind set of
 * round 6 (issue #21, bench/search/heldout6.ts). Same approach as build-heldout5.ts: each server
 * installed in a folder of its own under HELDOUT6_DIR/solo (see README.md), listed in a network
 * namespace of its own (`unshare -rn`), so no server reaches beyond loopback while it lists its
 * tools.
 *
 *   HELDOUT6_DIR=/tmp/corpus6 bun bench/corpus/build-heldout6.ts [server...]
 */
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildCorpus, DUMMY, rerunOffline, type Source } from "./build.ts";

const HELDOUT6_DIR = process.env.HELDOUT6_DIR ?? "/tmp/corpus6";
const OUT = resolve(import.meta.dir, "heldout6-tools.json");
/** Where a server wants a base URL: a refused loopback port. */
const REFUSED = "http://127.0.0.1:1";
/** Firebase's server reads a service account file (a made-up key) before it lists its tools. */
const SERVICE_ACCOUNT = join(HELDOUT6_DIR, "firebase-service-account.json");

/** Server name → how to start it, with dummy credentials where a server insists. */
const SOURCES: Record<string, Source> = {
  "alibaba-devops": {
    pkg: "alibabacloud-devops-mcp-server",
    env: { YUNXIAO_ACCESS_TOKEN: DUMMY },
    folder: "alibabacloud-devops-mcp-server",
  },
  "github-projects": {
    pkg: "mcp-github-project-manager",
    env: { GITHUB_TOKEN: DUMMY, GITHUB_OWNER: "dummy", GITHUB_REPO: "dummy" },
    folder: "mcp-github-project-manager",
  },
  railway: {
    pkg: "@jasontanswe/railway-mcp",
    env: { RAILWAY_API_TOKEN: DUMMY },
    folder: "jasontanswe-railway-mcp",
  },
  render: {
    pkg: "@niyogi/render-mcp",
    args: ["start"],
    env: { RENDER_API_KEY: DUMMY },
    folder: "niyogi-render-mcp",
  },
  firebase: {
    pkg: "@gannonh/firebase-mcp",
    env: { SERVICE_ACCOUNT_KEY_PATH: SERVICE_ACCOUNT, FIREBASE_STORAGE_BUCKET: "dummy" },
    folder: "gannonh-firebase-mcp",
  },
  cosmosdb: {
    pkg: "mcpcosmosdb",
    env: {
      COSMOS_CONNECTION_STRING: `AccountEndpoint=${REFUSED}/;AccountKey=ZHVtbXk=;`,
      COSMOS_DATABASE_ID: "dummy",
    },
    folder: "mcpcosmosdb",
  },
  "postgres-mcp": {
    pkg: "@henkey/postgres-mcp-server",
    env: { POSTGRES_CONNECTION_STRING: "postgresql://127.0.0.1:1/none" },
    folder: "henkey-postgres-mcp-server",
  },
  teams: { pkg: "@floriscornel/teams-mcp", folder: "floriscornel-teams-mcp" },
  email: {
    pkg: "@codefuturist/email-mcp",
    env: {
      MCP_EMAIL_ADDRESS: "dummy@example.com",
      MCP_EMAIL_PASSWORD: DUMMY,
      MCP_EMAIL_IMAP_HOST: "127.0.0.1",
      MCP_EMAIL_SMTP_HOST: "127.0.0.1",
    },
    folder: "codefuturist-email-mcp",
  },
  jenkins: {
    pkg: "@mister-good-deal/host-mcp-jenkins",
    env: { JENKINS_URL: REFUSED, JENKINS_USER: "dummy", JENKINS_API_TOKEN: DUMMY },
    folder: "mister-good-deal-host-mcp-jenkins",
  },
  codacy: {
    pkg: "@codacy/codacy-mcp",
    env: { CODACY_ACCOUNT_TOKEN: DUMMY },
    folder: "codacy-codacy-mcp",
  },
  woocommerce: {
    pkg: "@lockon0927/woocommerce-mcp",
    env: {
      WORDPRESS_SITE_URL: REFUSED,
      WOOCOMMERCE_CONSUMER_KEY: "ck_dummy",
      WOOCOMMERCE_CONSUMER_SECRET: "cs_dummy",
    },
    folder: "lockon0927-woocommerce-mcp",
  },
  wordpress: {
    pkg: "@respira/wordpress-mcp-server",
    env: {
      WORDPRESS_URL: REFUSED,
      WORDPRESS_API_KEY: DUMMY,
      RESPIRA_MCP_DISABLE_UPDATE_CHECK: "1",
      RESPIRA_USAGE_OPT_OUT: "1",
    },
    folder: "respira-wordpress-mcp-server",
  },
  gcp: { pkg: "gcp-mcp", folder: "gcp-mcp" },
};

rerunOffline("BUILD_HELDOUT6_OFFLINE");
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
writeFileSync(
  SERVICE_ACCOUNT,
  JSON.stringify({
    type: "service_account",
    project_id: "dummy",
    private_key_id: "dummy",
    private_key: privateKey,
    client_email: "dummy@dummy.iam.gserviceaccount.com",
    client_id: "1",
    token_uri: `${REFUSED}/token`,
  }),
);
await buildCorpus(HELDOUT6_DIR, OUT, SOURCES, process.argv.slice(2));
