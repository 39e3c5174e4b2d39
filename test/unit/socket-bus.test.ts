// The SQLite bus between processes: whoever binds the socket first relays; when it goes, another takes over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusMessage } from '../../core/run-story/events.js';
import { busSocketPath, SocketBus } from '../../db/socket-bus.js';

const delta = (text: string): BusMessage => ({ type: 'delta', runId: 'run_a', callId: 'c', text });

/** What a bus hears for run_a, and a wait until it has heard `text`. */
function listen(bus: SocketBus) {
  const heard: string[] = [];
  bus.subscribe('run_a', (m) => m.type === 'delta' && heard.push(m.text));
  return {
    heard,
    until: (text: string) => expect.poll(() => heard, { timeout: 5000, interval: 10 }).toContain(text),
  };
}

describe('the socket bus', () => {
  const open: SocketBus[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-bus-'));
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('delivers each message once to every other bus on the socket, whichever published it', async () => {
    const socket = path.join(dir, 'a.sock');
    const [hub, one, two] = await Promise.all([
      SocketBus.join(socket),
      SocketBus.join(socket),
      SocketBus.join(socket),
    ]).then((b) => (open.push(...b), b));
    const [h, a, b] = [listen(hub!), listen(one!), listen(two!)];
    one!.publish(delta('from one'));
    two!.publish(delta('from two'));
    hub!.publish(delta('from hub'));
    for (const l of [h, a, b]) for (const t of ['from one', 'from two', 'from hub']) await l.until(t);
    expect([h.heard.length, a.heard.length, b.heard.length]).toEqual([3, 3, 3]);
  });

  it('goes on when the process holding the socket dies: another binds it, a stale socket file is taken over', async () => {
    const socket = path.join(dir, 'b.sock');
    const first = await SocketBus.join(socket);
    const [one, two] = await Promise.all([SocketBus.join(socket), SocketBus.join(socket)]);
    open.push(one, two);
    await first.close();
    const b = listen(two);
    // Until a new hub is up, a message may be lost (deltas are best effort); once it is, every one arrives.
    await expect
      .poll(() => (one.publish(delta('after')), b.heard.includes('after')), { timeout: 5000, interval: 50 })
      .toBe(true);
    // A socket file left by a killed process (nobody answers on it) does not stop a new bus.
    const stale = path.join(dir, 'stale.sock');
    fs.writeFileSync(stale, '');
    const fresh = await SocketBus.join(stale);
    const peer = await SocketBus.join(stale);
    open.push(fresh, peer);
    const f = listen(fresh);
    peer.publish(delta('over a stale file'));
    await f.until('over a stale file');
  });

  it("keeps a deep project's socket path short enough for the OS", () => {
    expect(busSocketPath('/p/.vloop')).toBe('/p/.vloop/bus.sock');
    const deep = busSocketPath(`/${'d'.repeat(120)}/.vloop`);
    expect(deep.length).toBeLessThan(100);
    expect(deep).toBe(busSocketPath(`/${'d'.repeat(120)}/.vloop`));
  });
});
