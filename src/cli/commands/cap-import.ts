import { resolve } from "node:path";
import { defineCommand } from "citty";
import { importOpenApi, writeImport } from "../../capabilities/openapi/import.ts";
import { globalArgs, runAction } from "../_args.ts";

export default defineCommand({
  meta: {
    name: "import",
    description:
      "Turn an OpenAPI 3.x or Swagger 2.0 document (file or URL, JSON or YAML) into one capability file per operation",
  },
  args: {
    spec: {
      type: "positional",
      required: true,
      description: "OpenAPI document: a path or an http(s) URL",
    },
    output: {
      type: "string",
      alias: "o",
      required: true,
      description: "Folder to write into (created if missing)",
    },
    prefix: { type: "string", alias: "p", description: "Put before every tool name, e.g. github_" },
    "base-url": {
      type: "string",
      description: "Base URL of the API, when the spec has none or a relative one",
    },
    "allow-file-refs": {
      type: "boolean",
      description:
        "Let the spec's $refs read local files other than the spec itself (off: a spec could copy any file into a tool description)",
    },
    json: { type: "boolean", description: "Print a JSON report on stdout" },
    ...globalArgs,
  },
  async run({ args }) {
    await runAction(async () => {
      const output = resolve(args.output);
      const result = await importOpenApi(args.spec, {
        prefix: args.prefix,
        baseUrl: args["base-url"],
        allowFileRefs: args["allow-file-refs"],
      });
      if (result.capabilities.length === 0) {
        const reasons = [...new Set(result.skipped.map((skip) => skip.reason))].slice(0, 3);
        throw new Error(
          `${args.spec}: no operation could be turned into a capability (${result.skipped.length} skipped${reasons.length ? `: ${reasons.join("; ")}` : ""})`,
        );
      }
      const files = writeImport(result, output);
      if (args.json) {
        const report = {
          title: result.title,
          version: result.version,
          output,
          generated: result.capabilities.map((c, i) => ({
            name: c.name,
            operation: c.operation,
            file: files[i],
          })),
          skipped: result.skipped,
          env: result.env,
          notes: result.capabilities.flatMap((c) =>
            c.notes.map((note) => ({ name: c.name, note })),
          ),
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      const lines = [
        `${result.title} ${result.version}: wrote ${files.length} capability files to ${output}`,
      ];
      if (result.skipped.length) {
        lines.push(`skipped ${result.skipped.length} operations:`);
        for (const skip of result.skipped) lines.push(`  ${skip.operation}: ${skip.reason}`);
      }
      const noted = result.capabilities.filter((c) => c.notes.length);
      if (noted.length) {
        lines.push(`notes on ${noted.length} descriptions (kept):`);
        for (const c of noted) lines.push(`  ${c.name}: ${c.notes.join("; ")}`);
      }
      if (result.env.length) {
        lines.push(`secrets are read from: ${result.env.join(", ")} (set them before serving)`);
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    }, args);
  },
});
