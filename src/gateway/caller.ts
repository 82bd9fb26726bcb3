/** Who is calling: scopes, limits and usage key on this. With auth off on loopback, a local admin. */
export interface Caller {
  id: string;
  admin: boolean;
  /** Returns true when this caller may see and call `server:tool`. */
  allows(server: string, tool: string): boolean;
}

export const LOCAL_ADMIN: Caller = { id: "local", admin: true, allows: () => true };
