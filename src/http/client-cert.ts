import type { PeerCertificate } from "node:tls";

/**
 * The verified client certificate a request arrived with (`server.tls.client_ca`). Bun.serve
 * does not expose the peer's certificate, so with `client_ca` set TLS is terminated by node:tls
 * in front of it (src/http/serve.ts), which records the certificate of each connection here.
 */
export interface ClientCertificate {
  /** The subject's common name. */
  subjectCn?: string;
  /** SHA-256 of the DER certificate: lower-case hex, no colons. */
  fingerprintSha256: string;
}

const certificates = new WeakMap<Request, ClientCertificate>();

/**
 * Only serve.ts calls this, for a certificate that chained to `client_ca`, and routes.ts for a
 * request relayed by another instance of the cluster (the certificate that instance verified,
 * or none: `undefined` drops the relaying instance's own).
 */
export function attachClientCertificate(
  request: Request,
  certificate: ClientCertificate | undefined,
): void {
  if (certificate) certificates.set(request, certificate);
  else certificates.delete(request);
}

export function clientCertificateOf(request: Request): ClientCertificate | undefined {
  return certificates.get(request);
}

/** The fields auth matches on, from node:tls's view of a verified peer certificate. */
export function describeCertificate(peer: PeerCertificate): ClientCertificate | undefined {
  if (!peer?.fingerprint256) return undefined;
  const cn = peer.subject?.CN;
  return {
    subjectCn: Array.isArray(cn) ? cn[0] : cn,
    fingerprintSha256: peer.fingerprint256.replace(/:/g, "").toLowerCase(),
  };
}
