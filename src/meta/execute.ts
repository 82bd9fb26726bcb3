import type { JsonObject } from "../backends/types.ts";
import { resultsFor } from "../codemode/results.ts";
import type { SandboxLimits } from "../codemode/sandbox.ts";
import { GatewayError } from "../errors.ts";
import type { CallToolResult } from "../mcp/sdk.ts";
import { withWarnings } from "../security/call-notes.ts";
import { nestedCaller } from "./invoke.ts";
import type { MetaContext, MetaTool } from "./types.ts";
import { errorResult, jsonResult, stringArg } from "./types.ts";

/** Native stack for a script: deep recursion ends with `[CODE_LIMIT] ... code_mode.stack`. */
const STACK_BYTES = 256 * 1024;
/** What a kept result shows of itself, so the model can tell whether to read it. */
const PREVIEW = 500;

export const execute: MetaTool = {
  definition: {
    name: "gateway_execute",
    description:
      "Run a JS/TS script (async body) calling `await tools.server.tool(args)`; return only what matters.",
    inputSchema: {
      type: "object",
      properties: { code: { type: "string" }, timeout_ms: { type: "integer" } },
      required: ["code"],
    },
  },
  async handle(args, context) {
    // The original gateway's forms: one `{tool: "server:tool", arguments}`, or a `chain` of them.
    if (args.code === undefined && (args.tool !== undefined || args.chain !== undefined)) {
      return originalForm(args, context);
    }
    const { gateway, caller } = context;
    const settings = gateway.config.code_mode;
    const code = stringArg(args, "code", true);
    const limits = limitsFor(settings, args.timeout_ms);
    const store = resultsFor(gateway);
    // Loaded on the first script: a gateway that never runs one never loads the sandbox.
    const { runIsolated } = await import("../codemode/runner.ts");
    // The firewall's notes on the results the script read go with what it returns.
    const warnings: string[] = [];
    const nested = nestedCaller(context, warnings);
    const outcome = await runIsolated(
      code,
      limits,
      {
        call: async (server, tool, toolArgs, signal) =>
          toScriptValue(await nested(server, tool, toolArgs, signal)),
        readResult: (uri) => store.read(uri, caller.id),
      },
      context.signal,
    );
    const text = JSON.stringify(outcome.value);
    const logs = outcome.logs.length ? { logs: outcome.logs } : {};
    if (text.length > settings.result_handle_threshold) {
      const uri = store.keep(caller.id, text);
      return withWarnings(
        jsonResult({
          result_handle: uri,
          size: text.length,
          preview: text.slice(0, PREVIEW),
          note: `too large to return; read it with resources/read or readResult("${uri}") in a script`,
          ...logs,
          calls: outcome.calls,
        }),
        warnings,
      );
    }
    return withWarnings(
      jsonResult({ result: outcome.value as never, ...logs, calls: outcome.calls }),
      warnings,
    );
  },
};

/**
 * `gateway_execute` as the original gateway's code mode takes it: `{tool: "server:tool",
 * arguments}` is one gateway_invoke; `{chain: [{tool, arguments}, ...]}` runs them in order and
 * stops at the first that fails (a step cannot read an earlier one's result, as there).
 */
async function originalForm(args: JsonObject, context: MetaContext): Promise<CallToolResult> {
  const warnings: string[] = [];
  // The one-call form is the POST's own message; each step of a chain costs one more.
  const own = nestedCaller(context, warnings, false);
  const charged = nestedCaller(context, warnings);
  const call = async (step: JsonObject, where: string): Promise<CallToolResult> => {
    const ref = step.tool;
    const colon = typeof ref === "string" ? ref.indexOf(":") : -1;
    if (typeof ref !== "string" || colon < 1) {
      throw new GatewayError(
        "INVALID_ARGUMENTS",
        `${where}"tool" must be "server:tool" (the server and tool gateway_search_tools names), or send "code"`,
      );
    }
    try {
      return await (where ? charged : own)(
        ref.slice(0, colon),
        ref.slice(colon + 1),
        step.arguments,
      );
    } catch (error) {
      return errorResult(error);
    }
  };
  if (args.chain === undefined) return withWarnings(await call(args, ""), warnings);
  if (!Array.isArray(args.chain) || !args.chain.length) {
    throw new GatewayError(
      "INVALID_ARGUMENTS",
      `"chain" must be a non-empty list of {tool, arguments}`,
    );
  }
  const results: JsonObject[] = [];
  for (const [index, step] of args.chain.entries()) {
    if (typeof step !== "object" || step === null || Array.isArray(step)) {
      throw new GatewayError("INVALID_ARGUMENTS", `chain step ${index} must be {tool, arguments}`);
    }
    const result = await call(step as JsonObject, `chain step ${index}: `);
    if (result.isError) {
      const text = (result.content ?? [])
        .map((block) => (block.type === "text" ? (block as { text: string }).text : ""))
        .join("\n");
      return {
        content: [
          {
            type: "text",
            text: `chain step ${index} (${String((step as JsonObject).tool)}) failed: ${text}`,
          },
        ],
        isError: true,
      };
    }
    results.push({
      step: index,
      tool: String((step as JsonObject).tool),
      result: (result.structuredContent ?? result.content ?? null) as never,
    });
  }
  return withWarnings(jsonResult({ results }), warnings);
}

function limitsFor(
  settings: {
    timeout: number;
    memory: number;
    max_calls: number;
    max_output: number;
  },
  requested: unknown,
): SandboxLimits {
  let timeoutMs = settings.timeout;
  if (requested !== undefined) {
    if (typeof requested !== "number" || !Number.isInteger(requested) || requested < 1) {
      throw new GatewayError("INVALID_ARGUMENTS", `"timeout_ms" must be a positive integer`);
    }
    timeoutMs = Math.min(requested, settings.timeout);
  }
  return {
    timeoutMs,
    memoryBytes: settings.memory * 1024 * 1024,
    stackBytes: STACK_BYTES,
    maxCalls: settings.max_calls,
    maxOutput: settings.max_output,
  };
}

/**
 * A tool result as a script sees it: its structuredContent, else its text parsed as JSON (or the
 * text itself), else its content blocks. A tool error throws, its text as the message.
 */
export function toScriptValue(result: CallToolResult): unknown {
  const texts = (result.content ?? [])
    .filter((block) => block.type === "text")
    .map((block) => (block as { text: string }).text);
  if (result.isError) {
    throw new GatewayError("BACKEND_ERROR", texts.join("\n") || "the tool returned an error");
  }
  if (result.structuredContent !== undefined) return result.structuredContent;
  if (texts.length === 0) return result.content ?? null;
  const text = texts.join("\n");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
