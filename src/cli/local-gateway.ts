import type { ResolvedConfig } from "../config/load.ts";
import { createDrivers } from "../gateway/drivers.ts";
import { createGateway, type Gateway } from "../gateway/gateway.ts";
import { skillsDir } from "../skills/dir.ts";
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
  // Skills answer searches here too (read once: a command's gateway does not live long).
  if (config.skills.enabled) {
    const { SkillRegistry } = await import("../skills/registry.ts");
    gateway.operator.skills = new SkillRegistry(skillsDir(config), () => ({
      poisoning: config.security.poisoning,
      trusted: config.security.trusted_tools,
    }));
  }
  return { gateway, store, stateDir };
}
