// Does a Temporal frontend answer? gRPC's standard health check spoken over node:http2, so a status
// line needs no SDK (loading @temporalio/client is most of a short command's start).
import http2 from 'node:http2';

/** True when the server at host:port answers the health check SERVING within the time. */
export function temporalServing(address: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const session = http2.connect(`http://${address}`);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      session.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    session.on('error', () => done(false));
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => done(false));
    // One gRPC frame (flag, 4-byte length) holding HealthCheckResponse{status: SERVING} = field 1, varint 1.
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      done(body.length >= 7 && body[5] === 0x08 && body[6] === 0x01);
    });
    // An empty HealthCheckRequest (the whole server).
    req.end(Buffer.alloc(5));
  });
}
