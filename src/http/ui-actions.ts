/**
 * What an operator does from the dashboard, beside reading it: restart, disable, enable (revive)
 * and log in a backend, read its stderr tail, and the tool actions of `ui-tool-actions.ts`.
 * Every route is for admins only and every action is recorded in the audit log with the caller.
 * Cross-site requests never get here: `routes.ts` refuses a foreign `Origin` on every POST (as it
 * does for `POST /api/reload`), and the login cookie is `SameSite=Strict`.
 */
import { errorMessage } from "../errors.ts";
import type { Caller } from "../gateway/caller.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { recordAdminAction } from "../hooks.ts";
import { redactText } from "../security/redact.ts";
import { json } from "./_ui-reply.ts";
import { startBackendLogin } from "./backend-login.ts";
import { createToolActions } from "./ui-tool-actions.ts";

export interface UiActions {
  /** Answers `request` when `path` (`/ui` prefix removed) is an action's route, else undefined. */
  fetch(request: Request, path: string, caller: Caller): Promise<Response | undefined>;
}

const BACKEND_ROUTE = /^\/api\/backends\/([^/]+)\/(restart|disable|enable|revive|login|stderr)$/;
const TOOL_ROUTE = /^\/api\/tools\/([^/]+)\/([^/]+)(?:\/(invoke|approve|trust))?$/;
/**
 * The same tool routes with the names in the query (`/api/tool/invoke?server=S&tool=T`): a tool
 * named `.` or `..` cannot be a path segment, since browsers and fetch remove dot segments
 * (`%2E` too) before the request is sent. The dashboard always uses this form.
 */
const TOOL_QUERY_ROUTE = /^\/api\/tool(?:\/(invoke|approve|trust))?$/;

export function createUiActions(gateway: Gateway): UiActions {
  const tools = createToolActions(gateway);
  return {
    async fetch(request, path, caller) {
      const backend = BACKEND_ROUTE.exec(path);
      const tool = backend ? undefined : TOOL_ROUTE.exec(path);
      const queried = backend || tool ? undefined : TOOL_QUERY_ROUTE.exec(path);
      if (!backend && !tool && !queried) return undefined;
      const method = backend
        ? backend[2] === "stderr"
          ? "GET"
          : "POST"
        : (tool ?? queried)![tool ? 3 : 1]
          ? "POST"
          : "GET";
      if (request.method !== method) {
        return json({ error: `use ${method} ${path}` }, 405, { Allow: method });
      }
      if (!caller.admin) {
        return json(
          {
            error:
              "this needs an admin key: log in with a key that has admin: true (mcp-gateway keys create NAME --admin)",
          },
          403,
        );
      }
      if (queried) {
        const query = new URL(request.url).searchParams;
        const server = query.get("server");
        const name = query.get("tool");
        if (!server || name === null || name === "") {
          return json(
            { error: `name the tool: ${path}?server=SERVER&tool=TOOL (each percent-encoded)` },
            400,
          );
        }
        return tools.fetch(request, server, name, queried[1], caller);
      }
      const parts = decode((backend ?? tool)!.slice(1, 3) as string[]);
      if (!parts) return json({ error: `malformed percent-encoding in ${path}` }, 400);
      if (tool) return tools.fetch(request, parts[0]!, parts[1]!, tool[3], caller);
      return backendAction(gateway, parts[0]!, backend![2]!, caller);
    },
  };
}

async function backendAction(
  gateway: Gateway,
  named: string,
  action: string,
  caller: Caller,
): Promise<Response> {
  const name = gateway.pool.canonical(named);
  if (!gateway.pool.has(name)) {
    return json(
      { error: `no backend named ${named}; the backends are ${gateway.pool.names().join(", ")}` },
      404,
    );
  }
  const audit = (outcome: "ok" | "failed", detail?: string) =>
    recordAdminAction(gateway.hooks, {
      action: `server.${action}`,
      caller: caller.id,
      target: name,
      outcome,
      detail,
    });
  switch (action) {
    case "stderr": {
      audit("ok");
      return json({ server: name, lines: stderrLines(gateway, name) });
    }
    case "login": {
      const response = await startBackendLogin(gateway, name);
      audit(response.ok ? "ok" : "failed");
      return response;
    }
    case "disable":
      await gateway.pool.kill(name, `disabled from the dashboard by ${caller.id}`);
      audit("ok");
      return json({ server: name, disabled: true, state: gateway.pool.status(name)?.state });
  }
  // restart, and enable / revive: the kill switch off, the crash history forgotten, started.
  const revived = action === "restart" ? undefined : gateway.pool.revive(name);
  try {
    const tools = await gateway.pool.restart(name);
    audit("ok");
    return json({
      server: name,
      ...(revived === undefined ? {} : { revived }),
      state: gateway.pool.status(name)?.state,
      tools: tools.length,
    });
  } catch (error) {
    audit("failed", errorMessage(error));
    // Disabled before or while it started (another operator, the error budget): that is why,
    // not anything its stderr or `doctor` would show.
    const disabled = gateway.pool.killSwitch.get(name);
    if (disabled) {
      return json(
        {
          error: `${name} is disabled (${disabled.detail}): enable it first (POST /api/backends/${name}/enable)`,
          state: gateway.pool.status(name)?.state,
        },
        409,
      );
    }
    const status = gateway.pool.status(name);
    return json(
      {
        error: `${name} did not start: ${errorMessage(error)}; its stderr tail (GET /api/backends/${name}/stderr) and \`mcp-gateway doctor\` tell why`,
        ...(revived === undefined ? {} : { revived }),
        state: status?.state,
      },
      502,
    );
  }
}

/**
 * The backend's last stderr lines (the supervisor keeps 20, from its latest start), with
 * credential shapes and the values of its own `env` and `headers` hidden: a server that prints
 * its token must not show it here.
 */
function stderrLines(gateway: Gateway, name: string): string[] {
  const config = gateway.config.backends.find((backend) => backend.name === name);
  const secrets = [...Object.values(config?.env ?? {}), ...Object.values(config?.headers ?? {})]
    .filter((value) => value.length >= 6)
    .sort((a, b) => b.length - a.length);
  return gateway.pool.stderrTail(name).map((line) => {
    let out = line;
    for (const secret of secrets) out = out.split(secret).join("[REDACTED]");
    return redactText(out);
  });
}

function decode(parts: string[]): string[] | undefined {
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
}
