// Whether one connection a sandboxed command asks the proxy for may go out: the policy judges host and
// port, then the name is resolved here and every address it gives is checked, so a name that turns into
// loopback (DNS rebinding) or the harness's own listeners is refused, whatever the rules say.
import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import type { HarnessEndpoint } from '../../config/index.js';
import { judgeHost, namesHostExactly, normalizeHost, type Policy } from '../../core/policy.js';

export interface DestinationGrant {
  policy: Policy;
  /** A person approved the command, so destinations the policy would ask about are open to it. */
  approved: boolean;
  /** The harness's and Temporal's listeners: never reachable. */
  endpoints: HarnessEndpoint[];
}

export type DestinationVerdict = { ok: true; address: string } | { ok: false; reason: string };

/** Addresses that reach this machine or its cloud's metadata service, not the outside world. */
const NEAR = new net.BlockList();
NEAR.addSubnet('127.0.0.0', 8, 'ipv4');
NEAR.addSubnet('0.0.0.0', 8, 'ipv4');
NEAR.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, with 169.254.169.254 (metadata)
NEAR.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud's metadata
NEAR.addAddress('::1', 'ipv6');
NEAR.addAddress('::', 'ipv6');
NEAR.addSubnet('fe80::', 10, 'ipv6');
NEAR.addAddress('fd00:ec2::254', 'ipv6'); // AWS's metadata over IPv6

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`, NAT64 `64:ff9b::7f00:1`) is judged as the IPv4 it carries. */
export function plainAddress(address: string): string {
  const a = address.toLowerCase();
  const dotted = /^(?:::ffff:(?:0:)?|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:(?:0:)?|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return a;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return net.isIPv4(address) ? 'ipv4' : 'ipv6';
}

/** This machine's own addresses: a server on 0.0.0.0 answers on each of them. */
function ownAddresses(): Set<string> {
  return new Set(
    Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a !== undefined)
      .map((a) => plainAddress(a.address.replace(/%.*$/, ''))),
  );
}

/** Loopback, unspecified, link-local, metadata, or one of this machine's own addresses. */
export function isNearAddress(address: string, own = ownAddresses()): boolean {
  const a = plainAddress(address);
  return NEAR.check(a, family(a)) || own.has(a);
}

async function resolve(host: string): Promise<string[]> {
  if (net.isIP(host)) return [host];
  const found = await dns.lookup(host, { all: true, verbatim: true });
  return found.map((f) => f.address);
}

/** Whether `address:port` is one of the harness's listeners (a listener on a local address answers on every near address). */
async function isHarnessEndpoint(
  address: string,
  port: number,
  endpoints: HarnessEndpoint[],
  own: Set<string>,
): Promise<boolean> {
  const a = plainAddress(address);
  for (const e of endpoints.filter((x) => x.port === port)) {
    const listenerHost = normalizeHost(e.host);
    if (isNearAddress(a, own)) return true;
    const addresses = await resolve(listenerHost).catch(() => [] as string[]);
    if (addresses.map(plainAddress).includes(a)) return true;
  }
  return false;
}

/**
 * Judge one destination for the proxy and pick the address to connect to (never resolved again, so
 * the name cannot change under it).
 * @example const v = await judgeDestination(grant, 'registry.npmjs.org', 443); if (v.ok) net.connect(443, v.address);
 */
export async function judgeDestination(
  grant: DestinationGrant,
  rawHost: string,
  port: number,
): Promise<DestinationVerdict> {
  const host = normalizeHost(rawHost);
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
    return { ok: false, reason: `${where} is not a host and port` };
  const decision = judgeHost(grant.policy, host, port);
  if (decision.decision === 'deny' || (decision.decision === 'ask' && !grant.approved))
    return { ok: false, reason: `${where}: ${decision.reason} (${decision.rule})` };
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    return {
      ok: false,
      reason: `${where}: the name does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    };
  }
  if (!addresses.length) return { ok: false, reason: `${where}: the name does not resolve` };
  const own = ownAddresses();
  const exact = namesHostExactly(grant.policy, host, port);
  // Every address the name gives must pass: a name with one outside and one loopback address is refused.
  for (const address of addresses) {
    if (await isHarnessEndpoint(address, port, grant.endpoints, own))
      return { ok: false, reason: `${where} is the harness's own listener, which no tool may reach` };
    if (isNearAddress(address, own) && !exact)
      return {
        ok: false,
        reason: `${where} reaches this machine or its metadata service (${plainAddress(address)}); only a network rule naming ${host} exactly opens it`,
      };
  }
  return { ok: true, address: addresses.find((a) => net.isIPv4(plainAddress(a))) ?? addresses[0]! };
}
