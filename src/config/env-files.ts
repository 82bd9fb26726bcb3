import { dirname } from "node:path";
import { type Env, readDotenvFiles } from "./env.ts";
import { envFilePaths, type ResolvedConfig } from "./load.ts";

/**
 * `env` with the values of the config's `env_files` beneath it (the environment wins), for what
 * reads variables at call time (capability keys): the original gateway loads those files into
 * its environment, so a key kept in one works there. `paths` are the files (to watch);
 * `refresh` re-reads the files of a config, and `paths` becomes its list.
 */
export function envWithFiles(
  config: ResolvedConfig,
  env: Env,
): { env: Env; paths: string[]; refresh(next: ResolvedConfig): void } {
  let paths = envFilesOf(config, env);
  let values = readDotenvFiles(paths);
  const merged = new Proxy(env, {
    get: (target, key) => (typeof key === "string" ? (target[key] ?? values[key]) : undefined),
    has: (target, key) => key in target || (typeof key === "string" && key in values),
  });
  return {
    env: merged,
    get paths() {
      return paths;
    },
    refresh(next) {
      paths = envFilesOf(next, env);
      values = readDotenvFiles(paths);
    },
  };
}

function envFilesOf(config: ResolvedConfig, env: Env): string[] {
  const base = config.file ? dirname(config.file) : process.cwd();
  return envFilePaths({ env_files: config.env_files }, base, env);
}
