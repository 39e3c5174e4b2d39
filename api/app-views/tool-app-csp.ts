// The CSP of another server's MCP App: its inline scripts by hash (nothing injected can run), framed only by the
// dashboard, sandboxed; and of what its `_meta.ui.csp` declares, only https/wss origins off this machine.

/** The MCP Apps `_meta.ui.csp` fields a host turns into directives. */
const DECLARED = ['connectDomains', 'resourceDomains', 'frameDomains', 'baseUriDomains'] as const;

/**
 * An origin a declared list may name: https or wss and a DNS name of two labels or more (a leading `*.` allowed above
 * a registrable-looking name), a port. Never an IP literal (loopback, the LAN) nor a `localhost` name; a DNS name
 * that resolves to this machine cannot be told from here, and the app holds only its server's data.
 */
const GRANTABLE = /^(https|wss):\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d{1,5})?$/;
const REFUSED_HOST = /^(https|wss):\/\/((\*\.)?([a-z0-9-]+\.)*localhost|[\d.]+|\*\.[a-z0-9-]+)(:\d+)?$/;

export interface GrantedCsp {
  granted: Record<(typeof DECLARED)[number], string[]>;
  /** What was declared and not granted, with why (shown to the person). */
  refused: string[];
}

/** What of a declared `_meta.ui.csp` we grant. */
export function grantDeclaredCsp(declared: Record<string, unknown>): GrantedCsp {
  const refused: string[] = [];
  const granted = Object.fromEntries(
    DECLARED.map((field) => {
      const list = Array.isArray(declared[field]) ? (declared[field] as unknown[]) : [];
      const ok: string[] = [];
      for (const d of list) {
        const origin = typeof d === 'string' ? d.trim().toLowerCase().replace(/\/$/, '') : '';
        if (GRANTABLE.test(origin) && !REFUSED_HOST.test(origin)) ok.push(origin);
        else refused.push(`${field}: ${JSON.stringify(d)} (only https or wss origins by DNS name, off this machine)`);
      }
      return [field, ok];
    }),
  ) as GrantedCsp['granted'];
  return { granted, refused };
}

const or = (list: string[], none = "'none'") => (list.length ? list.join(' ') : none);

/**
 * The CSP an external app is served with.
 * @example toolAppCsp(["'sha256-x'"], grantDeclaredCsp({}).granted, ['http://127.0.0.1:8000']).includes("connect-src 'none'")
 */
export function toolAppCsp(scriptHashes: string[], granted: GrantedCsp['granted'], frameAncestors: string[]): string {
  const resources = granted.resourceDomains;
  return [
    "default-src 'none'",
    `script-src ${[...scriptHashes, ...resources].join(' ') || "'none'"}`,
    `style-src 'unsafe-inline' ${resources.join(' ')}`.trim(),
    `img-src data: blob: ${resources.join(' ')}`.trim(),
    `font-src data: ${resources.join(' ')}`.trim(),
    `media-src data: blob: ${resources.join(' ')}`.trim(),
    `connect-src ${or(granted.connectDomains)}`,
    `frame-src ${or(granted.frameDomains)}`,
    "child-src 'none'",
    "worker-src 'none'",
    "form-action 'none'",
    `base-uri ${or(granted.baseUriDomains)}`,
    `frame-ancestors ${frameAncestors.join(' ')}`,
    // Its own origin: its parent, the proxy, is then a window it may read (the MCP Apps sandbox's permissions).
    'sandbox allow-scripts allow-same-origin allow-forms',
  ].join('; ');
}
