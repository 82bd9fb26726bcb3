import type { ResolvedConfig } from "../config/load.ts";
import { createDrivers } from "../gateway/drivers.ts";
import { createGateway, type Gateway } from "../gateway/gateway.ts";
import { defaultStateDir, openStateStore, type StateStore } from "../state/store.ts";

/**
 * The config's gateway inside this process (for `tools` commands when none is running), over
 * its state folder: the tool lists cached there spare starting every backend. Not started yet;
 * closing the gateway closes the store.
 */
export async function localGateway(
  config: ResolvedConfig,
): Promise<{ gateway: Gateway; store: StateStore; stateDir: string }> {
  const stateDir = config.state_dir ?? defaultStateDir();
  const store = await openStateStore(stateDir);
  const gateway = createGateway({ config, store, drivers: await createDrivers(config) });
  return { gateway, store, stateDir };
}
