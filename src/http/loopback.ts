/** Names and addresses of this machine only: binding there needs no auth, and Host/Origin may use them. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set([
  "localhost",
  "127.0.0.1",
  "::1",
  "[::1]",
]);
