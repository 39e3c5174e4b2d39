// Ports for servers a test starts (and may restart on the same port), chosen below the kernel's
// ephemeral range: a port in that range can be taken by any outbound connection on the machine while
// its server is down, and a client's socket, open or in TIME_WAIT for 60 s, then refuses the bind.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const LOWEST = 20_000;

/** The first port the kernel hands to outbound connections (ip_local_port_range). */
function ephemeralLow(): number {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const below = ephemeralLow();

/** Resolves with `port` when a listener can bind it on 127.0.0.1 now, with 0 when it cannot. */
function bindable(port: number): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(0));
    srv.listen(port, '127.0.0.1', () => {
      const bound = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(bound));
    });
  });
}

/** The global setup's folder of ports handed out in this test run (VLOOP_TEST_PORTS_DIR), shared by every worker. */
export const PORTS_DIR_ENV = 'VLOOP_TEST_PORTS_DIR';
const claimedHere = new Set<number>();

/**
 * Claims `port` for this test run: false when another test took it first. A port is free only until its server
 * binds it, which for a `harness up` comes after its dev server has started, seconds later; another worker's
 * test picking the same port in that window made one of them fail with EADDRINUSE.
 */
function claim(port: number): boolean {
  if (claimedHere.has(port)) return false;
  claimedHere.add(port);
  const dir = process.env[PORTS_DIR_ENV];
  if (!dir) return true;
  try {
    fs.closeSync(fs.openSync(path.join(dir, String(port)), 'wx'));
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const candidate = LOWEST + Math.floor(Math.random() * (below - LOWEST));
    if (!claim(candidate)) continue;
    const port = await bindable(candidate);
    if (port) return port;
  }
  // Every try was taken (a crowded machine): the kernel's choice is still free now.
  const port = await bindable(0);
  if (!port) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}
