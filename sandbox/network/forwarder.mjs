// Runs inside the sandbox, whose network namespace holds only loopback: listens on 127.0.0.1:<port>,
// pipes each connection to the harness's proxy socket (after the command's token), then runs the
// command with the proxy variables set and exits as it does. Usage: forwarder.mjs <socket> <port> <token> -- <program> [args…]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { constants } from 'node:os';

const [socketPath, port, token, separator, program, ...args] = process.argv.slice(2);
if (!socketPath || !port || !token || separator !== '--' || !program) {
  process.stderr.write('usage: forwarder.mjs <socket> <port> <token> -- <program> [args…]\n');
  process.exit(2);
}

const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  upstream.write(`${token}\n`);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});

server.listen(Number(port), '127.0.0.1', () => {
  const proxy = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    ALL_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    all_proxy: proxy,
    NO_PROXY: '',
    no_proxy: '',
  };
  const child = spawn(program, args, { stdio: 'inherit', env });
  child.on('error', (err) => {
    process.stderr.write(`${program}: ${err.message}\n`);
    process.exit(127);
  });
  // Exit as a shell would: the command's code, or 128 + the signal that ended it.
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
});
server.on('error', (err) => {
  process.stderr.write(`the network forwarder could not listen on 127.0.0.1:${port}: ${err.message}\n`);
  process.exit(126);
});
