import { join } from "node:path";
import type { ResolvedConfig } from "../config/load.ts";
import { defaultStateDir } from "../state/store.ts";

/** The skills folder: `skills.dir`, else `skills` in the state folder. */
export function skillsDir(
  config: Pick<ResolvedConfig, "skills" | "state_dir">,
  env: Record<string, string | undefined> = process.env,
): string {
  return config.skills.dir ?? join(config.state_dir ?? defaultStateDir(env), "skills");
}
