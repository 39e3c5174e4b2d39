// The Restate service bench/peers.ts calls, in a process of its own on Node 24 (the SDK needs Node 22 or newer):
// `chain/run` runs N `ctx.run` steps, each the same completion request to the fake as every other engine's.
// Env: PEERS_DIR, SERVICE_PORT, FAKE_URL, STEP_BODY.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const { PEERS_DIR, SERVICE_PORT, FAKE_URL, STEP_BODY } = process.env;
const sdk = createRequire(path.join(PEERS_DIR, 'package.json')).resolve('@restatedev/restate-sdk');
const restate = await import(pathToFileURL(sdk).href);

async function step() {
  const res = await fetch(`${FAKE_URL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: STEP_BODY,
  });
  if (!res.ok) throw new Error(`fake: ${res.status}`);
  return (await res.json()).choices[0].message.content;
}

const chain = restate.service({
  name: 'chain',
  handlers: {
    run: async (ctx, steps) => {
      for (let i = 0; i < steps; i++) await ctx.run(`s${i}`, step);
    },
  },
});
await restate.endpoint().bind(chain).listen(Number(SERVICE_PORT));
console.log('listening');
