// Hosts and ports: what a rule's `match.url` names, the browser's pages, and network reach (judged
// from a command's text, and again by the network proxy for every connection).
import { globMatcher } from '../glob.js';
import { isExact, ruleName, strictest, userRules } from './rules.js';
import type { Policy, PolicyContext, PolicyDecision, PolicyRule } from './spec.js';

/** What a `network` rule's `match.url` names: `host`, `host:port`, `*.example.com:443`, `[::1]:8080`, or a URL (`https://host` is port 443). */
export interface HostPattern {
  /** Whether a (normalised) host fits the pattern's host part. */
  host: { test(host: string): boolean };
  /** The host when the pattern has no wildcard in it. */
  exact?: string;
  /** Undefined: any port. */
  port?: number;
}

const SCHEME_PORTS: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443, ftp: 21 };

/** A host as written in a URL or an authority, in the one form rules and the proxy compare: lower case, no brackets, no trailing dot. */
export function normalizeHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

export function hostPattern(text: string): HostPattern {
  const t = text.trim();
  // A bare IPv6 address (more than one colon, no brackets) is all host.
  const m =
    (t.match(/:/g) ?? []).length > 1 && !t.includes('[') && !t.includes('://')
      ? undefined
      : /^(?:([a-z][a-z0-9+.-]*):\/\/)?(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d{1,5}|\*))?(?:[/?#].*)?$/i.exec(t);
  const host = normalizeHost(m ? m[2]! : t);
  const port = m?.[3] && m[3] !== '*' ? Number(m[3]) : m?.[1] && !m[3] ? SCHEME_PORTS[m[1].toLowerCase()] : undefined;
  return {
    host: { test: globMatcher(host, 'text') },
    ...(isExact(host) ? { exact: host } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

/**
 * A browser rule's `match.url` against a request: `host` (any port), `host:port`, `host:*`, or
 * `scheme://host[:port]/…` (the scheme must match, ws counting as http and wss as https; without a
 * port, the scheme's own). The path is not compared. The harness's ports are refused before any rule.
 */
function browserRuleFits(pattern: string, scheme: string, host: string, port: number): boolean {
  const p = hostPattern(pattern);
  const web = (s: string) => ({ ws: 'http', wss: 'https' })[s.toLowerCase()] ?? s.toLowerCase();
  const written = /^([a-z][a-z0-9+.-]*):\/\//i.exec(pattern.trim())?.[1];
  if (written && web(written) !== web(scheme)) return false;
  return (p.port === undefined || p.port === port) && p.host.test(host);
}

/** The rules that speak about network destinations: `network` rules, and the browser's allow-list. */
function hostRules(policy: Policy, host: string, port: number | undefined): PolicyRule[] {
  return policy.rules.filter((r) => {
    if (r.tool !== 'network' && !(r.tool === 'browser' && r.action === 'allow')) return false;
    if (!r.match?.url) return true;
    const p = hostPattern(r.match.url);
    // With the port unknown (read from command text), a rule for one port may allow (the proxy then holds the port) but not deny or ask.
    const portFits = p.port === undefined || (port === undefined ? r.action === 'allow' : p.port === port);
    return portFits && p.host.test(host);
  });
}

/** Whether an allow rule names this host without a wildcard: only that opens loopback, link-local or this machine's addresses to the proxy. */
export function namesHostExactly(policy: Policy, rawHost: string, port: number): boolean {
  const host = normalizeHost(rawHost);
  return hostRules(policy, host, port).some(
    (r) => r.action === 'allow' && r.match?.url !== undefined && hostPattern(r.match.url).exact === host,
  );
}

/**
 * A host (and port, when known) is judged by `network` rules, then the browser's allow-list, then the
 * policy's network setting. The judge calls it with what the command text names; the network proxy
 * calls it for every connection, where the port is always known.
 */
export function judgeHost(policy: Policy, rawHost: string | undefined, port?: number): PolicyDecision {
  const host = rawHost === undefined ? undefined : normalizeHost(rawHost);
  if (host !== undefined) {
    const rules = hostRules(policy, host, port);
    const where = port === undefined ? host : `${host}:${port}`;
    if (rules.length)
      return strictest(
        rules.map((r) => ({
          decision: r.action,
          rule: ruleName(policy, r),
          reason: r.description ?? `${where} by rule ${ruleName(policy, r)}`,
        })),
      );
  }
  const what = host === undefined ? 'a host the judge cannot read' : port === undefined ? host : `${host}:${port}`;
  if (policy.network === 'allow')
    return { decision: 'allow', rule: 'setting:network-allow', reason: `network reach to ${what}` };
  if (policy.network === 'deny')
    return { decision: 'deny', rule: 'setting:network-deny', reason: `the policy denies network reach (${what})` };
  return {
    decision: 'ask',
    rule: host === undefined ? 'builtin:network-host-unknown' : 'setting:network-ask',
    reason: `reaching ${what} over the network needs approval`,
  };
}

/** A URL a page would open, read as scheme, host and port; a string that is no http(s)/ws(s) URL is denied. */
function pageTarget(raw: string): { scheme: string; host: string; port: number } | PolicyDecision {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { decision: 'deny', rule: 'builtin:bad-url', reason: `not a URL: ${raw}` };
  }
  // ws(s) is judged too: the browser tool asks for every request a page makes, WebSockets included.
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol))
    return { decision: 'deny', rule: 'builtin:scheme', reason: `only http(s) may be opened, not ${url.protocol}` };
  const scheme = url.protocol.slice(0, -1);
  return { scheme, host: normalizeHost(url.hostname), port: Number(url.port || SCHEME_PORTS[scheme]) };
}

/**
 * A page operation: with a URL, the tool's rules must name its host and port (the harness's ports never);
 * without one (click, type … on the open page), the tool's rules decide, and with none it is allowed.
 */
export function judgePage(
  policy: Policy,
  ctx: PolicyContext,
  tool: string,
  op: string,
  url: string | undefined,
): PolicyDecision {
  if (!url)
    return (
      userRules(policy, tool, op, () => true) ?? {
        decision: 'allow',
        rule: 'default:same-page',
        reason: `${op} on the open page`,
      }
    );
  const target = pageTarget(url);
  if ('decision' in target) return target;
  const { scheme, host, port } = target;
  // A name can resolve to this machine, so the harness's ports are refused on every host.
  if (ctx.reservedPorts?.includes(port))
    return {
      decision: 'deny',
      rule: 'builtin:harness-port',
      reason: `port ${port} is the harness's or Temporal's own; no tool may reach it`,
    };
  return (
    userRules(policy, tool, op, (m) => !m.url || browserRuleFits(m.url, scheme, host, port)) ?? {
      decision: 'deny',
      rule: 'default:host-not-allowed',
      reason: `${host}:${port} is not a host and port the policy allows`,
    }
  );
}
