// The dashboard's API token, kept in this origin's storage (scoped by scheme, host and port, unlike a
// cookie, which the browser hands to every local port). `/ui/?token=` puts it here and out of the URL.
const KEY = 'vloop.token';

/** Take ?token= from the address into storage and off the address bar (history replaced, no reload). */
export function adoptTokenFromAddress(): void {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  if (token) localStorage.setItem(KEY, token);
  url.searchParams.delete('token');
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
}

export const apiToken = (): string | undefined => localStorage.getItem(KEY) ?? undefined;

/** The header every API request carries (none without a token: the API then answers 401). */
export const authHeaders = (): Record<string, string> => {
  const token = apiToken();
  return token ? { authorization: `Bearer ${token}` } : {};
};

/** A browser's WebSocket cannot set headers: the token rides as a second subprotocol (base64url, an RFC 7230 token). */
export function wsProtocols(): string[] {
  const token = apiToken();
  if (!token) return ['vloop.v1'];
  const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(token)));
  return ['vloop.v1', `vloop.token.${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`];
}
