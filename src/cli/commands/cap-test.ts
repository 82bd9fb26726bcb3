import { existsSync, statSync } from "node:fs";
import { defineCommand } from "citty";
import { executeCapability } from "../../capabilities/execute.ts";
import { loadCapabilityFile } from "../../capabilities/load.ts";
import { CapabilityRegistry, missingEnv } from "../../capabilities/registry.ts";
import type { Capability } from "../../capabilities/resolve.ts";
import { envWithFiles } from "../../config/env-files.ts";
import { loadConfig } from "../../config/load.ts";
import { closeMatches } from "../../gateway/suggest.ts";
import { runAction } from "../_args.ts";
import { capTestSpec } from "../_tree.ts";

export default defineCommand({
  ...capTestSpec,
  async run({ args }) {
    await runAction(async () => {
      const config = loadConfig({ path: args.config });
      const env = envWithFiles(config, process.env).env;
      const registry = new CapabilityRegistry({
        builtin: config.capabilities.builtin,
        directories: config.capabilities.directories,
      });
      registry.load();
      const capability = registry.get(args.name) ?? fromFile(args.name);
      if (!capability) {
        const near = closeMatches(
          args.name,
          registry.list().map((c) => c.name),
        );
        throw new Error(
          `no capability named ${args.name}${near.length ? `; did you mean ${near.join(", ")}?` : ""} (cap list shows them)`,
        );
      }
      const missing = missingEnv(capability, env);
      if (missing.length)
        throw new Error(`${capability.name} needs the environment variable ${missing.join(", ")}`);
      let callArgs: Record<string, unknown> = {};
      if (args.args) {
        try {
          callArgs = JSON.parse(args.args);
        } catch {
          throw new Error("--args must be a JSON object, e.g. '{\"id\": 1}'");
        }
        if (!callArgs || typeof callArgs !== "object" || Array.isArray(callArgs)) {
          throw new Error("--args must be a JSON object");
        }
      }
      const result = await executeCapability(capability, callArgs, {
        env,
        allowPrivateNetworks: config.capabilities.allow_private_networks,
        maxResponseBytes: config.capabilities.max_response_bytes,
      });
      if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        for (const block of result.content) {
          if (block.type === "text") process.stdout.write(`${block.text}\n`);
        }
      }
      if (result.isError) process.exitCode = 1;
    }, args);
  },
});

/** `cap test path/to/file.yaml`, as the original gateway takes it: the file, loaded and checked. */
function fromFile(path: string): Capability | undefined {
  if (!/\.ya?ml$/i.test(path) || !existsSync(path) || !statSync(path).isFile()) return undefined;
  const result = loadCapabilityFile(path);
  if (!result.ok) throw new Error(`${path}: ${result.errors.join("; ")}`);
  return result.capability;
}
