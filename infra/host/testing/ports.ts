/**
 * Free ports on 127.0.0.1 for the services a test starts (Caddy, PostgreSQL, sshd, a Storage-Box-like
 * SFTP server, a webhook receiver): never one a host's own services may hold.
 */
import net from "node:net";

/** What a fresh CI machine's own services take on install (caddy 80 and 2019, postgresql 5432), and 443. */
const RESERVED_PORTS = new Set([80, 443, 2019, 5432]);

/**
 * `count` distinct ports the kernel just gave out on 127.0.0.1, so most likely free. All are held open
 * until all are chosen, so that they differ.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = net.createServer();
      servers.push(server);
      const port = await new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
          const address = server.address();
          resolve(typeof address === "object" && address !== null ? address.port : 0);
        });
      });
      if (port !== 0 && !RESERVED_PORTS.has(port)) ports.push(port);
    }
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error("no free port");
  return port;
}
