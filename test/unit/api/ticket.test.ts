// The capability an app view's frame URL carries and the codec's narrow cookie: bound to one path and a
// short time, keyed from the token, never the token.
import { describe, expect, it } from 'vitest';
import { admit } from '../../../api/security.js';
import { narrowCookieValue, pathTicket, pathTicketValid, TICKET_TTL_MS } from '../../../api/gate/ticket.js';

const TOKEN = 'tok-0123456789abcdef0123';
const now = 1_800_000_000_000;

describe('pathTicket', () => {
  it('opens its own path until it expires, and nothing else', () => {
    const t = pathTicket(TOKEN, '/view/notes/2', now);
    expect(t).not.toContain(TOKEN);
    expect(pathTicketValid(TOKEN, '/view/notes/2', t, now + 1000)).toBe(true);
    expect(pathTicketValid(TOKEN, '/view/notes/3', t, now)).toBe(false);
    expect(pathTicketValid(TOKEN, '/view/Notes/2', t, now)).toBe(false);
    expect(pathTicketValid(TOKEN, '/view/notes/2', t, now + TICKET_TTL_MS + 1)).toBe(false);
    expect(pathTicketValid('another-token-456789', '/view/notes/2', t, now)).toBe(false);
  });

  it('refuses a forged expiry, a cut signature and no ticket', () => {
    const [expires, sig] = pathTicket(TOKEN, '/view/notes/2', now).split('.');
    expect(pathTicketValid(TOKEN, '/view/notes/2', `${Number(expires) + 60_000}.${sig}`, now)).toBe(false);
    expect(pathTicketValid(TOKEN, '/view/notes/2', `${now + 10 * TICKET_TTL_MS}.${sig}`, now)).toBe(false);
    expect(pathTicketValid(TOKEN, '/view/notes/2', `${expires}.${sig!.slice(0, -1)}A`, now)).toBe(false);
    expect(pathTicketValid(TOKEN, '/view/notes/2', null, now)).toBe(false);
    expect(pathTicketValid(TOKEN, '/view/notes/2', '', now)).toBe(false);
  });
});

describe('narrowCookieValue', () => {
  it('is not the token and changes with its purpose and salt', () => {
    const v = narrowCookieValue(TOKEN, 'temporal codec cookie', 'a');
    expect(v).not.toContain(TOKEN);
    expect(narrowCookieValue(TOKEN, 'temporal codec cookie', 'b')).not.toBe(v);
    expect(narrowCookieValue(TOKEN, 'other', 'a')).not.toBe(v);
  });
});

describe('admit', () => {
  const o = { token: TOKEN, allowedHosts: ['127.0.0.1'] };
  const req = (headers: Record<string, string>, url = '/api/runs', method = 'GET') => ({
    method,
    url,
    headers: { host: '127.0.0.1:8000', ...headers },
  });
  const status = (f: () => unknown) => {
    try {
      f();
      return 200;
    } catch (e) {
      return (e as { status: number }).status;
    }
  };

  it('never takes the token as a cookie', () => {
    expect(
      status(() => admit(o, req({ cookie: `harness_token_8000=${TOKEN}`, origin: 'http://127.0.0.1:8000' }), {})),
    ).toBe(401);
    expect(status(() => admit(o, req({ authorization: `Bearer ${TOKEN}` }), {}))).toBe(200);
  });

  it('takes the subprotocol only where the rules say (the WebSocket)', () => {
    const headers = { 'sec-websocket-protocol': `vloop.v1, vloop.token.${Buffer.from(TOKEN).toString('base64url')}` };
    expect(status(() => admit(o, req(headers, '/ws'), { subprotocol: true }))).toBe(200);
    expect(status(() => admit(o, req(headers), {}))).toBe(401);
  });

  it('takes a narrow cookie only on the paths it admits', () => {
    const cookie = {
      name: 'harness_codec_8000',
      value: 'v'.repeat(43),
      admits: (m: string, p: string) => m === 'POST' && p === '/api/temporal/codec/decode',
    };
    const headers = { cookie: `harness_codec_8000=${'v'.repeat(43)}`, origin: 'http://127.0.0.1:8000' };
    expect(status(() => admit(o, req(headers, '/api/temporal/codec/decode', 'POST'), { cookie }))).toBe(200);
    expect(status(() => admit(o, req(headers, '/api/temporal/codec/encode', 'POST'), { cookie }))).toBe(401);
    expect(status(() => admit(o, req(headers, '/api/runs'), { cookie }))).toBe(401);
    expect(
      status(() =>
        admit(o, req({ ...headers, origin: 'http://127.0.0.1:9' }, '/api/temporal/codec/decode', 'POST'), { cookie }),
      ),
    ).toBe(403);
  });
});
