/**
 * Regenerates bench/corpus/heldout5-tools.json: the tools of published MCP servers that none of
 * tools.json, registry-tools.json, heldout3-tools.json and heldout4-tools.json has, for the
 * search's blind set of round 5 (issue #21, bench/search/heldout5.ts). Same approach as
 * build-heldout4.ts: each server installed in a folder of its own under HELDOUT5_DIR/solo (see
 * README.md), listed in a network namespace of its own (`unshare -rn`), so no server reaches
 * beyond loopback while it lists its tools.
 *
 *   HELDOUT5_DIR=/tmp/corpus5 bun bench/corpus/build-heldout5.ts [server...]
 */
import { resolve } from "node:path";
import { buildCorpus, DUMMY, rerunOffline, type Source } from "./build.ts";

const HELDOUT5_DIR = process.env.HELDOUT5_DIR ?? "/tmp/corpus5";
const OUT = resolve(import.meta.dir, "heldout5-tools.json");
/** Where a server wants a base URL: a refused loopback port. */
const REFUSED = "http://127.0.0.1:1";

/** Server name → how to start it, with dummy credentials where a server insists. */
const SOURCES: Record<string, Source> = {
  plane: {
    pkg: "@makeplane/plane-mcp-server",
    env: { PLANE_API_KEY: DUMMY, PLANE_WORKSPACE_SLUG: "dummy", PLANE_API_HOST_URL: REFUSED },
    folder: "makeplane-plane-mcp-server",
  },
  miro: {
    pkg: "@k-jarzyna/mcp-miro",
    env: { MIRO_ACCESS_TOKEN: DUMMY },
    folder: "k-jarzyna-mcp-miro",
  },
  backlog: {
    pkg: "backlog-mcp-server",
    env: { BACKLOG_DOMAIN: "dummy.backlog.com", BACKLOG_API_KEY: DUMMY },
    runtime: "bun",
    folder: "backlog-mcp-server",
  },
  lark: {
    pkg: "@larksuiteoapi/lark-mcp",
    args: ["mcp", "-a", "cli_dummy", "-s", DUMMY],
    folder: "larksuiteoapi-lark-mcp",
  },
  contentful: {
    pkg: "@ivotoby/contentful-management-mcp-server",
    env: { CONTENTFUL_MANAGEMENT_ACCESS_TOKEN: DUMMY },
    folder: "ivotoby-contentful-management-mcp-server",
  },
  replicate: {
    pkg: "replicate-mcp",
    env: { REPLICATE_API_TOKEN: DUMMY },
    folder: "replicate-mcp",
  },
  browserstack: {
    pkg: "@browserstack/mcp-server",
    env: { BROWSERSTACK_USERNAME: "dummy", BROWSERSTACK_ACCESS_KEY: DUMMY },
    folder: "browserstack-mcp-server",
  },
  erpnext: {
    pkg: "@casys/mcp-erpnext",
    env: { ERPNEXT_URL: REFUSED, ERPNEXT_API_KEY: "dummy", ERPNEXT_API_SECRET: DUMMY },
    folder: "casys-mcp-erpnext",
  },
  hotelzero: { pkg: "hotelzero", folder: "hotelzero" },
  "gcp-observability": {
    pkg: "@google-cloud/observability-mcp",
    folder: "google-cloud-observability-mcp",
  },
  xcodebuild: { pkg: "xcodebuildmcp", args: ["mcp"], folder: "xcodebuildmcp" },
  attio: { pkg: "attio-mcp", env: { ATTIO_API_KEY: DUMMY }, folder: "attio-mcp" },
  airbnb: { pkg: "@openbnb/mcp-server-airbnb", folder: "openbnb-mcp-server-airbnb" },
  postman: {
    pkg: "@postman/postman-mcp-server",
    env: { POSTMAN_API_KEY: DUMMY },
    folder: "postman-postman-mcp-server",
  },
};

rerunOffline("BUILD_HELDOUT5_OFFLINE");
await buildCorpus(HELDOUT5_DIR, OUT, SOURCES, process.argv.slice(2));
