import { join } from "node:path";
import { hashKey } from "../../src/security/keys.ts";
import { BUN } from "../helpers.ts";

/** Keys of the proto-12 tests: an admin, and one key scoped to each of two backends. */
export const PROTO_KEYS = {
  admin: "proto-12-admin-0123456789abcdef",
  alpha: "proto-12-alpha-0123456789abcdef",
  beta: "proto-12-beta-0123456789abcdef0",
};

/**
 * A config with auth on and a `_proto-12.ts` backend (labelled by its name) per entry of
 * `names`; `keys` names which keys it lists (the admin always, alpha and beta each scoped to
 * the backend of that name).
 */
export function protoConfig(names: string[], keys: ("alpha" | "beta")[]): string {
  const fixture = join(import.meta.dir, "_proto-12.ts");
  const backend = (name: string) => `
  ${name}:
    command: ${BUN}
    args: ["${fixture}"]
    env: { LABEL: ${name} }`;
  const scoped = keys.map(
    (name) => `
    - { name: ${name}, key: "${hashKey(PROTO_KEYS[name])}", backends: [${name}] }`,
  );
  return `
capabilities: { enabled: false }
auth:
  enabled: true
  api_keys:
    - { name: admin, key: "${hashKey(PROTO_KEYS.admin)}", admin: true }${scoped.join("")}
backends:${names.map(backend).join("")}
`;
}
