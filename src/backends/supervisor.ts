import { formatDuration } from "../config/duration.ts";
import type { FailsafeConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import type { GatewayHookable } from "../hooks.ts";
import { logger } from "../logger.ts";
import { redactText } from "../security/redact.ts";
import type { Handle } from "./_handle.ts";
import { describeBackendError, openConnection } from "./connection.ts";
import { isNeedsLogin, needsLoginError } from "./oauth/provider.ts";
import { relayNotification, relayRequest } from "./relay.ts";
import { stderrTail } from "./stderr-tail.ts";
import type { BackendConnection, BackendState, ConnectionEvents, JsonObject } from "./types.ts";

const STDERR_LINES = 20;

export interface SupervisorOptions {
  hooks: GatewayHookable;
  failsafe: FailsafeConfig;
  env?: Record<string, string | undefined>;
  /** Roots answered to `roots/list` when no single client session owns the request. */
  roots?: { uri: string; name?: string }[];
  /** A connected backend announced `tools/list_changed`. */
  onToolsChanged(handle: Handle): void;
  /**
   * Runs on every new connection before anything may use it (discovery: the live tool list
   * passes gateway.lock and the scanner); a rejection fails the start.
   */
  onOpened(handle: Handle, connection: BackendConnection): Promise<void>;
  /**
   * Whether `server` (session `session`'s own connection to it, when given) must keep running
   * with no call in flight: resource subscriptions, tasks still running.
   */
  held?(server: string, session?: string): boolean;
  /** The security layer's scan of a notification's text, as it leaves backend `server`. */
  screen?(server: string, method: string, params: JsonObject | undefined): JsonObject | undefined;
}

/** Connections opened since the gateway started, over every backend (`Handle.generation`). */
let connections = 0;

/**
 * Starts and stops backends: opens connections (spawning stdio processes), restarts after a
 * crash with backoff, parks a crash loop as failed, stops idle processes and closes hung ones.
 * `connect` is the only way to a connection, so every start (a call, a listing, a lazy start, a
 * restart) goes through the same backoff and parking; a start that fails counts as a crash.
 */
export class Supervisor {
  /** Set once the gateway shuts down: nothing starts any more. */
  closing = false;

  constructor(private readonly options: SupervisorOptions) {}

  connect(handle: Handle): Promise<BackendConnection> {
    if (handle.connection) return Promise.resolve(handle.connection);
    if (this.closing) {
      return Promise.reject(
        new GatewayError("BACKEND_UNAVAILABLE", "the gateway is shutting down"),
      );
    }
    if (handle.connecting) return handle.connecting;
    const name = handle.config.name;
    if (handle.retired) {
      // A retry of a call that outlived its backend's removal must not start an untracked process.
      return Promise.reject(
        new GatewayError(
          "BACKEND_UNAVAILABLE",
          `[backend:${name}] was removed or replaced by a config reload`,
        ),
      );
    }
    const log = logger.withTag(`backend:${name}`);
    const parked = this.crashLoop(handle);
    if (parked) return Promise.reject(parked);
    this.setState(handle, "starting");
    handle.stderr = [];
    const events: ConnectionEvents = {
      onToolsChanged: () => this.options.onToolsChanged(handle),
      onNotification: (method, params) =>
        relayNotification(handle, method, this.options.screen?.(name, method, params) ?? params),
      screen: (method, params) => this.options.screen?.(name, method, params) ?? params,
      onRequest: (method, params, signal) =>
        relayRequest(handle, method, params, signal, this.options.roots),
      onClose: () => {
        // Closing before the connection was established is reported by the connect failure.
        if (!connection || handle.connection !== connection) return;
        handle.connection = undefined;
        if (this.closing) return;
        handle.crashes.push(Date.now());
        // A session's own process with subscriptions held starts again at once (its client
        // waits for updates); the shared one's are the gateway's to restart.
        if (handle.session && handle.subscribed?.size) {
          queueMicrotask(() => void this.connect(handle).catch(() => {}));
        }
        const tail = stderrTail(handle.stderr, 1);
        log.warn(
          `connection closed${tail ? ` (last stderr: ${tail})` : ""}; it restarts on next use`,
        );
        this.setState(handle, "idle", tail ? `exited; last stderr: ${tail}` : "connection closed");
      },
      onNeedsLogin: (message) => {
        // Mid-session (a revoked token): the next use reconnects, with a new login by then. The
        // old connection closes a moment later, so that the failing call reports why first.
        const live = handle.connection;
        if (live) {
          handle.connection = undefined;
          setTimeout(() => void live.close(), 100);
        }
        this.setState(handle, "needs_login", message);
      },
      onStderr: (line) => {
        // Its tail goes into errors callers read, /health and the dashboard: redacted as a log
        // line is (a server that prints the token it was given must not hand it to every caller).
        handle.stderr.push(redactText(line));
        if (handle.stderr.length > STDERR_LINES) handle.stderr.shift();
        log.debug(line);
      },
    };
    // `disconnect` during the start (a stop, a reload, a kill) ends it at once, process and all,
    // instead of waiting for a backend hung at start to time out.
    const stop = new AbortController();
    handle.stopStart = () => stop.abort();
    const open = () => {
      if (stop.signal.aborted)
        throw new GatewayError("BACKEND_UNAVAILABLE", "stopped while starting");
      return handle.driver
        ? handle.driver.open(events)
        : openConnection(handle.config, events, this.options.env, stop.signal);
    };
    // After a crash, wait a little longer before each restart (exponential backoff).
    const delay = this.restartDelay(handle);
    const connecting =
      delay > 0 ? new Promise((done) => setTimeout(done, delay)).then(open) : open();
    let connection: BackendConnection | undefined;
    handle.connectingSince = Date.now();
    handle.connecting = connecting
      .then(async (opened) => {
        connection = opened;
        if (this.closing) {
          void opened.close();
          throw new GatewayError("BACKEND_UNAVAILABLE", "the gateway is shutting down");
        }
        try {
          await this.options.onOpened(handle, opened);
        } catch (error) {
          connection = undefined;
          void opened.close();
          throw error;
        }
        if (this.closing) {
          void opened.close();
          throw new GatewayError("BACKEND_UNAVAILABLE", "the gateway is shutting down");
        }
        const again = handle.generation !== undefined;
        handle.connection = opened;
        handle.instructions = opened.instructions;
        handle.generation = ++connections;
        handle.transport = opened.transport;
        this.setState(handle, "ready");
        if (again && handle.subscribed?.size) this.resubscribe(handle, opened);
        log.info(`connected over ${opened.transport}`);
        return opened;
      })
      .catch((error) => {
        // A process that cannot start is restarted with the same backoff, and parked the same
        // way, as one that crashed: otherwise every call would spawn it again (a restart storm).
        if (stop.signal.aborted) {
          this.setState(handle, "idle");
          throw new GatewayError("BACKEND_UNAVAILABLE", `[backend:${name}] stopped while starting`);
        }
        if (!this.closing && handle.config.transport === "stdio") handle.crashes.push(Date.now());
        const failure = describeBackendError(name, error);
        const tail = stderrTail(handle.stderr);
        const message = tail ? `${failure.message} (stderr: ${tail})` : failure.message;
        if (isNeedsLogin(error)) {
          const waiting = needsLoginError(name).message;
          this.setState(handle, "needs_login", waiting);
          log.warn(waiting);
          throw needsLoginError(name);
        }
        this.setState(handle, "failed", message);
        log.warn(`cannot connect: ${message}`);
        throw new GatewayError(failure.code, message, { cause: error });
      })
      .finally(() => {
        handle.connecting = undefined;
        handle.stopStart = undefined;
      });
    return handle.connecting;
  }

  /**
   * A session's own connection that replaced one with subscriptions: subscribed again to each
   * URI, and its client told each may have changed meanwhile (`from`: that session's handle).
   */
  private resubscribe(handle: Handle, connection: BackendConnection): void {
    const timeout = handle.config.timeout;
    for (const uri of handle.subscribed ?? []) {
      connection
        .request("resources/subscribe", { uri }, { timeout, maxTotalTimeout: timeout })
        .then(() => {
          for (const listener of handle.listeners) {
            listener("notifications/resources/updated", { uri }, handle.session);
          }
        })
        .catch(() => {});
    }
  }

  async disconnect(handle: Handle): Promise<void> {
    clearTimeout(handle.idleTimer);
    if (!handle.connection) handle.stopStart?.();
    const connection = handle.connection ?? (await handle.connecting?.catch(() => undefined));
    handle.connection = undefined;
    await connection?.close();
  }

  setState(handle: Handle, state: BackendState, error?: string): void {
    handle.state = state;
    handle.error = state === "ready" || state === "starting" ? undefined : error;
    if (handle.session) return;
    void this.options.hooks.callHook("backend:state", handle.config.name, state, handle.error);
  }

  /** Stops an idle stdio backend after `idle_stop`; it starts again on next use. */
  scheduleIdleStop(handle: Handle): void {
    const idle = handle.config.idle_stop;
    if (!idle || handle.config.transport !== "stdio") return;
    clearTimeout(handle.idleTimer);
    handle.idleTimer = setTimeout(() => {
      if (handle.inflight.size || !handle.connection) return;
      // Held open (resource subscriptions): asked again after as long.
      if (this.options.held?.(handle.config.name, handle.session)) {
        this.scheduleIdleStop(handle);
        return;
      }
      const connection = handle.connection;
      handle.connection = undefined;
      this.setState(handle, "idle");
      void connection.close();
    }, idle);
    handle.idleTimer.unref?.();
  }

  /**
   * Pings every connected backend that has no call in flight; one that does not answer within
   * the health-check timeout is hung, and is closed so the next use starts it afresh. Probes
   * go around the circuit breaker: they are not traffic.
   */
  async healthCheck(handles: Handle[]): Promise<void> {
    const { timeout } = this.options.failsafe.health_check;
    await Promise.all(
      handles.map(async (handle) => {
        const connection = handle.connection;
        if (!connection || handle.inflight.size || handle.driver) return;
        try {
          await connection.ping(timeout);
        } catch {
          if (handle.connection !== connection || handle.inflight.size) return;
          logger
            .withTag(`backend:${handle.config.name}`)
            .warn(`no answer to ping within ${formatDuration(timeout)}; restarting it`);
          handle.connection = undefined;
          this.setState(
            handle,
            "idle",
            `hung: no answer to ping within ${formatDuration(timeout)}`,
          );
          await connection.close();
        }
      }),
    );
  }

  /**
   * A backend that crashed `crash_limit` times within `crash_window` is parked as failed (with
   * its last stderr lines) until the window has passed, instead of being restarted forever.
   */
  private crashLoop(handle: Handle): GatewayError | undefined {
    const { crash_limit, crash_window } = this.options.failsafe.restart;
    const now = Date.now();
    handle.crashes = handle.crashes.filter((at) => now - at < crash_window);
    if (handle.crashes.length < crash_limit) return undefined;
    const retryIn = Math.ceil((handle.crashes[0]! + crash_window - now) / 1000);
    const tail = stderrTail(handle.stderr);
    const message = `[backend:${handle.config.name}] parked after ${handle.crashes.length} crashes in ${formatDuration(crash_window)}; retry in ${retryIn}s${tail ? ` (stderr: ${tail})` : ""}`;
    this.setState(handle, "failed", message);
    return new GatewayError("BACKEND_UNAVAILABLE", message);
  }

  private restartDelay(handle: Handle): number {
    const { initial_backoff, max_backoff } = this.options.failsafe.restart;
    const crashes = handle.crashes.length;
    if (crashes === 0) return 0;
    return Math.min(max_backoff, initial_backoff * 2 ** (crashes - 1));
  }
}
