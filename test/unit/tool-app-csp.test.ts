// What of an MCP App's declared `_meta.ui.csp` we grant: https/wss origins by DNS name only; never a directive
// smuggled in a value, an IP literal, a localhost name or a wildcard over a whole top-level domain.
import { describe, expect, it } from 'vitest';
import { grantDeclaredCsp, toolAppCsp } from '../../api/app-views/tool-app-csp.js';

describe('an MCP App’s declared CSP', () => {
  it('grants https and wss origins by name, and refuses the rest with why', () => {
    const { granted, refused } = grantDeclaredCsp({
      connectDomains: [
        'https://api.example.com',
        'wss://live.example.com:8443',
        'https://*.example.com',
        'https://*.com',
        'https://*.localhost:8443',
        'wss://app.localhost',
        'https://localhost',
        'https://192.168.1.1',
        'http://plain.example.com',
        'https://x.example; script-src *',
        "'unsafe-eval'",
        42,
      ],
      resourceDomains: 'https://not-a-list.example.com',
    });
    expect(granted.connectDomains).toEqual([
      'https://api.example.com',
      'wss://live.example.com:8443',
      'https://*.example.com',
    ]);
    expect(granted.resourceDomains).toEqual([]);
    expect(refused).toHaveLength(9);
    expect(refused.every((r) => r.startsWith('connectDomains: '))).toBe(true);
  });

  it('builds a CSP of its hashes and grants only, framed by the dashboard', () => {
    const { granted } = grantDeclaredCsp({ resourceDomains: ['https://cdn.example.com'] });
    const csp = toolAppCsp(["'sha256-abc'"], granted, ["'self'", 'http://127.0.0.1:8000']);
    expect(csp).toContain("script-src 'sha256-abc' https://cdn.example.com;");
    expect(csp).toContain("connect-src 'none';");
    expect(csp).toContain("frame-ancestors 'self' http://127.0.0.1:8000;");
    expect(csp.split('; ')).toHaveLength(14);
  });
});
