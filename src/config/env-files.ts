import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseDotenv } from "./env.ts";
import { envFilePaths, type ResolvedConfig } from "./load.ts";

type Env = Record<string, string | undefined>;

/**
 * `env` with the values of the config's `env_files` beneath it (the environment wins), for what
 * reads variables at call time (capability keys): the original gateway loads those files into
 * its environment, so a key kept in one works there. `refresh` re-reads the files of a config.
 */
export function envWithFiles(
  config: ResolvedConfig,
  env: Env,
): { env: Env; refresh(next: ResolvedConfig): void } {
  let values = readEnvFiles(config, env);
  const merged = new Proxy(env, {
    get: (target, key) => (typeof key === "string" ? (target[key] ?? values[key]) : undefined),
    has: (target, key) => key in target || (typeof key === "string" && key in values),
  });
  return {
    env: merged,
    refresh(next) {
      values = readEnvFiles(next, env);
    },
  };
}

function readEnvFiles(config: ResolvedConfig, env: Env): Record<string, string> {
  const base = config.file ? dirname(config.file) : process.cwd();
  const values: Record<string, string> = {};
  for (const path of envFilePaths({ env_files: config.env_files }, base, env)) {
    if (existsSync(path)) Object.assign(values, parseDotenv(readFileSync(path, "utf8")));
  }
  return values;
}
