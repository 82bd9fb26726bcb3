import type { InternalDriver } from "../backends/types.ts";
import type { ResolvedConfig } from "../config/load.ts";

/**
 * The backends served inside the gateway, built from the config. The capabilities executor
 * (REST APIs described in YAML) plugs in here as one more driver.
 */
export async function createDrivers(
  _config: ResolvedConfig,
  _env: Record<string, string | undefined> = process.env,
): Promise<InternalDriver[]> {
  return [];
}
