import { defineCommand } from "citty";
import { executeCapability } from "../../capabilities/execute.ts";
import { CapabilityRegistry, missingEnv } from "../../capabilities/registry.ts";
import { loadConfig } from "../../config/load.ts";
import { closeMatches } from "../../gateway/suggest.ts";
import { configArg, globalArgs, runAction } from "../_args.ts";

export default defineCommand({
  meta: { name: "test", description: "Run one capability and print its result" },
  args: {
    name: { type: "positional", required: true, description: "Capability name" },
    args: {
      type: "string",
      alias: "a",
      description: "Arguments as a JSON object, e.g. '{\"id\": 1}'",
    },
    json: { type: "boolean", description: "Print the whole tool result as JSON" },
    ...configArg,
    ...globalArgs,
  },
  async run({ args }) {
    await runAction(async () => {
      const config = loadConfig({ path: args.config });
      const registry = new CapabilityRegistry({
        builtin: config.capabilities.builtin,
        directories: config.capabilities.directories,
      });
      registry.load();
      const capability = registry.get(args.name);
      if (!capability) {
        const near = closeMatches(
          args.name,
          registry.list().map((c) => c.name),
        );
        throw new Error(
          `no capability named ${args.name}${near.length ? `; did you mean ${near.join(", ")}?` : ""} (cap list shows them)`,
        );
      }
      const missing = missingEnv(capability, process.env);
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
        env: process.env,
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
