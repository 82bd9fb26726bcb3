import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Test certificates made with `openssl` in `dir`: CAs, and certificates they sign, each as
 * `<name>.crt` and `<name>.key`, valid for a day.
 */
export function certificates(dir: string) {
  const openssl = (...args: string[]) => {
    const run = Bun.spawnSync(["openssl", ...args], { cwd: dir, stderr: "pipe" });
    if (run.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${run.stderr}`);
  };
  return {
    /** A self-signed CA named `name`. */
    makeCa(name: string): void {
      openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.crt`,
        "-days",
        "1",
        "-subj",
        `/CN=${name}`,
      );
    },
    /** A certificate for CN `name` that `ca` signs, with `ext` as its extensions. */
    issue(ca: string, name: string, ext = ""): void {
      openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
        "-subj",
        `/CN=${name}`,
      );
      writeFileSync(join(dir, `${name}.ext`), ext);
      openssl(
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        `${ca}.crt`,
        "-CAkey",
        `${ca}.key`,
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        "1",
        "-extfile",
        join(dir, `${name}.ext`),
      );
    },
    pem: (name: string) => readFileSync(join(dir, name), "utf8"),
  };
}

/** The extensions of a server certificate for 127.0.0.1, and of a client certificate. */
export const SERVER_EXT = "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
export const CLIENT_EXT = "extendedKeyUsage=clientAuth\n";
