// `harness chat`: talk to a provider/model or a component in the terminal, answers streamed.
import readline from 'node:readline';
import type { Command } from 'commander';
import { newId } from '../../core/ids.js';
import { api, CliError, subscribeRun } from '../client.js';

export function chatCommand(program: Command): void {
  program
    .command('chat')
    .description('chat in the terminal (each turn is durable: a Temporal update on the chat workflow)')
    .option('-p, --provider <name>', 'provider to talk to (default: the provider named "default")')
    .option('-m, --model <model>', 'model (default: the provider default)')
    .option('-c, --component <name>', 'chat with a component ("name" or "name@version")')
    .option('-s, --system <text>', 'a system prompt')
    .option('--max-tokens <n>', 'stop each reply at n tokens', (v) => (/^\d+$/.test(v) ? Number(v) : Number.NaN))
    .option('--chat <id>', 'continue an existing chat')
    .action(chatInTerminal);
}

type ChatOptions = {
  provider?: string;
  model?: string;
  component?: string;
  system?: string;
  maxTokens?: number;
  chat?: string;
};

/** Open the chat (or continue one), talk until stdin ends, then say how to come back. */
async function chatInTerminal(o: ChatOptions): Promise<void> {
  const chat = o.chat
    ? await api('GET', `/api/chats/${o.chat}`)
    : await api('POST', '/api/chats', {
        title: `terminal ${new Date().toISOString().slice(0, 16)}`,
        provider: o.provider,
        model: o.model,
        component: o.component,
        system: o.system,
        maxTokens: o.maxTokens,
      });
  const tty = process.stdin.isTTY;
  // The id is what --chat takes; piped, it goes to stderr so stdout stays the answers alone.
  const say = tty ? console.log : console.error;
  say(`chat ${chat.id} (${chat.target.component ?? chat.target.provider})${tty ? '; Ctrl-D to leave' : ''}`);
  await converse(chat, tty);
  say(`${tty ? '\n' : ''}continue this chat: harness chat --chat ${chat.id}`);
}

/** Each line read is a turn; its answer streams in as deltas when the worker shares the API's process. */
async function converse(chat: { id: string; runId: string }, tty: boolean): Promise<void> {
  let current: string | undefined;
  let streamed = false;
  const stop = await subscribeRun(chat.runId, (frame) => {
    if (frame.type === 'delta' && frame.callId === current) {
      if (frame.reset) process.stdout.write('\n[the answer restarts]\n');
      process.stdout.write(frame.text);
      streamed = true;
    }
  });
  const rl = readline.createInterface({ input: process.stdin, terminal: tty });
  const ask = () => tty && process.stdout.write('\nyou> ');
  ask();
  try {
    for await (const line of rl) {
      const content = line.trim();
      if (!content) {
        ask();
        continue;
      }
      current = newId('msg');
      streamed = false;
      if (tty) process.stdout.write('ai>  ');
      const reply = await api('POST', `/api/chats/${chat.id}/messages`, { content, messageId: current });
      // Deltas reach the terminal only when the worker shares the API's process; else print the answer.
      process.stdout.write(streamed ? '\n' : `${reply.content}\n`);
      ask();
    }
  } catch (err) {
    throw err instanceof CliError ? err : new CliError((err as Error).message);
  } finally {
    stop();
  }
}
