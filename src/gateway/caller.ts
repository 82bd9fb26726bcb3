/** Who is calling: scopes, limits and usage key on this. With auth off on loopback, a local admin. */
export interface Caller {
  id: string;
  admin: boolean;
  /** Returns true when this caller may see and call `server:tool` (`tool` "*": the server). */
  allows(server: string, tool: string): boolean;
  /** Why `allows` says no: the rule that denies `server:tool`, for the error and the log. */
  denial?(server: string, tool: string): string | undefined;
}

export const LOCAL_ADMIN: Caller = { id: "local", admin: true, allows: () => true };
