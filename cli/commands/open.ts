// `harness open`: the dashboard link with its one-time token (it sets the HttpOnly cookie).
import type { Command } from 'commander';
import { loadOrCreateToken } from '../../api/config.js';
import { backendUrl } from '../client.js';
import { config } from '../config.js';

export function openCommand(program: Command): void {
  program
    .command('open')
    .description('print the dashboard link with its token (open it in a browser to set the cookie)')
    .action(() => {
      console.log(`${backendUrl()}/ui/?token=${loadOrCreateToken(config().paths.token, config().api.token)}`);
    });
}
