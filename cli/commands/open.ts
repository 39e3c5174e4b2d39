// `harness open`: the dashboard link with its token (the page keeps it in its own origin's storage and drops it from the address).
import type { Command } from 'commander';
import { loadOrCreateToken } from '../../config/token.js';
import { backendUrl } from '../client.js';
import { config } from '../config.js';

export function openCommand(program: Command): void {
  program
    .command('open')
    .description('print the dashboard link with its token (open it in a browser once; the dashboard keeps the token)')
    .action(() => {
      console.log(`${backendUrl()}/ui/?token=${loadOrCreateToken(config().paths.token, config().api.token)}`);
    });
}
