// GET a URL on a `.localhost` name (an MCP App's host) from Node: browsers resolve those names to this machine
// themselves, Node's resolver may not, so the request goes to 127.0.0.1 with the name in its Host header.
import http from 'node:http';

export function getByName(
  url: string | URL,
  host?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: u.port, path: `${u.pathname}${u.search}`, headers: { host: host ?? u.host } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
  });
}
