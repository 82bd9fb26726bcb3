import type { InternalDriver } from "../backends/types.ts";
import type { Fetch, Lookup } from "../capabilities/ssrf.ts";
import type { ResolvedConfig } from "../config/load.ts";

/** How capability requests reach the network: DNS and `fetch` (seams for tests only). */
export interface NetworkSeams {
  lookup?: Lookup;
  fetch?: Fetch;
}

/**
 * The backends served inside the gateway, built from the config: the capabilities executor
 * (REST APIs described in YAML) when `capabilities.enabled`.
 */
export async function createDrivers(
  config: ResolvedConfig,
  env: Record<string, string | undefined> = process.env,
  network: NetworkSeams = {},
): Promise<InternalDriver[]> {
  const { capabilities } = config;
  if (!capabilities.enabled) return [];
  const { createCapabilitiesDriver } = await import("../capabilities/driver.ts");
  return [
    createCapabilitiesDriver({
      name: capabilities.name,
      builtin: capabilities.builtin,
      directories: capabilities.directories,
      allowPrivateNetworks: capabilities.allow_private_networks,
      maxResponseBytes: capabilities.max_response_bytes,
      env,
      ...network,
    }),
  ];
}
