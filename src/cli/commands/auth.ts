import { spawn } from "node:child_process";
import { defineCommand } from "citty";
import { loginBackend } from "../../backends/oauth/login.ts";
import { oauthFile, readRecord, removeRecord } from "../../backends/oauth/store.ts";
import { usesOAuth } from "../../backends/oauth/transport-auth.ts";
import { loadConfig, type ResolvedBackend, type ResolvedConfig } from "../../config/load.ts";
import { GatewayError } from "../../errors.ts";
import { closeMatches } from "../../gateway/suggest.ts";
import { logger } from "../../logger.ts";
import { defaultStateDir } from "../../state/store.ts";
import { runAction } from "../_args.ts";
import { authLoginSpec, authLogoutSpec, authSpec, authStatusSpec } from "../_tree.ts";

function findBackend(config: ResolvedConfig, name: string): ResolvedBackend {
  const backend = config.backends.find((b) => b.name === name);
  if (backend) return backend;
  const names = config.backends.map((b) => b.name);
  const hint = closeMatches(name, names)[0];
  throw new GatewayError(
    "SERVER_NOT_FOUND",
    `${config.file ?? "config"}: no backend named ${name}${hint ? `; did you mean ${hint}?` : ""}`,
  );
}

/** Opens `url` in a browser when this session has one (a desktop, not SSH or CI). */
function openBrowser(url: string): void {
  const env = process.env;
  const command =
    process.platform === "darwin"
      ? "open"
      : process.platform === "win32"
        ? "explorer"
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? "xdg-open"
          : undefined;
  if (!command || env.SSH_CONNECTION || env.CI) return;
  try {
    spawn(command, [url], { stdio: "ignore", detached: true })
      .on("error", () => {})
      .unref();
  } catch {}
}

const login = defineCommand({
  ...authLoginSpec,
  async run({ args }) {
    await runAction(async () => {
      const config = loadConfig({ path: args.config });
      const backend = findBackend(config, args.name);
      const result = await loginBackend({
        backend,
        onUrl: (url) => {
          // stdout: the URL is the command's output (a script or a test follows it).
          process.stdout.write(`Open this URL to log in to ${backend.name}:\n${url}\n`);
          if (!args["no-browser"]) openBrowser(String(url));
        },
      });
      const until = result.expiresAt
        ? `; the token expires ${new Date(result.expiresAt).toISOString()}`
        : "";
      logger.success(`logged in to ${backend.name}${until}`);
    }, args);
  },
});

const status = defineCommand({
  ...authStatusSpec,
  async run({ args }) {
    await runAction(() => {
      const config = loadConfig({ path: args.config });
      const rows = config.backends.filter(usesOAuth).map((backend) => {
        const stateDir = backend.stateDir ?? defaultStateDir();
        const record = readRecord(stateDir, backend.name, backend.url!);
        const expired = record.expiresAt !== undefined && record.expiresAt <= Date.now();
        const state = !record.tokens
          ? "not logged in"
          : expired && !record.tokens.refresh_token
            ? "expired"
            : "logged in";
        return {
          name: backend.name,
          url: backend.url!,
          state,
          expiresAt: record.expiresAt ? new Date(record.expiresAt).toISOString() : undefined,
          refreshable: Boolean(record.tokens?.refresh_token),
          scope: record.tokens?.scope,
          file: oauthFile(stateDir, backend.name),
        };
      });
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ backends: rows }, null, 2)}\n`);
        return;
      }
      if (!rows.length) logger.info("no HTTP backend uses OAuth");
      for (const row of rows) {
        const until = row.expiresAt ? ` until ${row.expiresAt}` : "";
        const refresh = row.refreshable ? " (refreshable)" : "";
        process.stdout.write(
          `${row.name}\t${row.state}${row.state === "logged in" ? until + refresh : ""}\n`,
        );
      }
    }, args);
  },
});

const logout = defineCommand({
  ...authLogoutSpec,
  async run({ args }) {
    await runAction(() => {
      const config = loadConfig({ path: args.config });
      const backend = findBackend(config, args.name);
      const removed = removeRecord(backend.stateDir ?? defaultStateDir(), backend.name);
      logger.success(
        removed ? `logged out of ${backend.name}` : `${backend.name} was not logged in`,
      );
    }, args);
  },
});

export default defineCommand({
  ...authSpec,
  subCommands: { login, status, logout },
});
