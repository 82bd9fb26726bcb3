/**
 * Why Redis closed a connection Bun's client had just opened. The client reports only
 * "Connection closed" when Redis refused its credentials (NOAUTH, WRONGPASS) or its database
 * number, which reads as a network fault. Asked again over a plain socket, Redis says which.
 */

/** How long the probe waits for Redis's answer. */
const PROBE_MS = 1000;

/** RESP for one command. */
const command = (...words: string[]) =>
  `*${words.length}\r\n${words.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join("")}`;

/**
 * What Redis at `url` refuses, as an error message naming `cluster.redis_url`; undefined when
 * it refuses nothing (or cannot be asked: not reachable, TLS, no answer in time).
 */
export async function redisRefusal(url: string): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "redis:") return undefined;
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, "");
  const asked = [
    password ? command("AUTH", ...(user ? [user] : []), password) : "",
    db ? command("SELECT", db) : "",
    command("PING"),
  ].join("");
  const reply = await new Promise<string>((resolve) => {
    let text = "";
    const done = () => resolve(text);
    const timer = setTimeout(done, PROBE_MS);
    Bun.connect({
      hostname: parsed.hostname.replace(/^\[|\]$/g, ""),
      port: Number(parsed.port || 6379),
      socket: {
        open(socket) {
          socket.write(asked);
        },
        data(socket, chunk) {
          text += chunk.toString();
          // An error, or PING's answer: all Redis will say.
          if (text.includes("\r\n-") || text.startsWith("-") || text.includes("+PONG")) {
            clearTimeout(timer);
            socket.end();
            done();
          }
        },
        close() {
          clearTimeout(timer);
          done();
        },
        error() {
          clearTimeout(timer);
          done();
        },
      },
    }).catch(() => {
      clearTimeout(timer);
      done();
    });
  });
  const refused = reply
    .split("\r\n")
    .find((line) => line.startsWith("-"))
    ?.slice(1);
  if (!refused) return undefined;
  if (/^NOAUTH\b/.test(refused)) {
    return `Redis asks for a password (${refused}): put it in cluster.redis_url, redis://:PASSWORD@host:6379 (an ACL user's name goes before the colon)`;
  }
  if (/^WRONGPASS\b|invalid password/i.test(refused)) {
    return `Redis refused the password in cluster.redis_url (${refused}): fix it there, redis://:PASSWORD@host:6379 (an ACL user's name goes before the colon)`;
  }
  return `Redis refused the connection cluster.redis_url asks for (${refused})`;
}
