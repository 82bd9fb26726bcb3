import type { Gateway } from "../gateway/gateway.ts";
import { auditHistory, createCallSeries } from "../observe/timeseries.ts";
import type { UiHandler, UiOptions } from "./ui.ts";

/** Whether the dashboard answers `path`: its page, `/api/*` (but the reload) and `/metrics`. */
export function isUiPath(path: string): boolean {
  if (path === "/api/reload" || path === "/ui/api/reload") return false;
  return (
    path === "/ui" ||
    path === "/dashboard" ||
    path.startsWith("/ui/") ||
    path.startsWith("/api/") ||
    path === "/metrics"
  );
}

/**
 * The dashboard, loaded on its first request (page, API or `/metrics`): a gateway nobody opens
 * it on never loads its page and scripts, actions, live feed and usage answers (issue #20:
 * memory). The call series starts with the gateway, so the charts count every call.
 */
export function createLazyUiHandler(gateway: Gateway, options: UiOptions = {}): UiHandler {
  const series = createCallSeries({
    hooks: gateway.hooks,
    history: options.audit ? auditHistory(options.audit.query) : undefined,
  });
  let handler: Promise<UiHandler> | undefined;
  return {
    handles: isUiPath,
    async fetch(request, caller, address) {
      handler ??= import("./ui.ts").then((ui) =>
        ui.createUiHandler(gateway, { ...options, series }),
      );
      return (await handler).fetch(request, caller, address);
    },
    close() {
      series.close();
      void handler?.then((ui) => ui.close());
    },
  };
}
