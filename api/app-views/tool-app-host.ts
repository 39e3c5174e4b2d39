// Each MCP server's apps are served on a host name of their own under `.localhost` (browsers resolve it to this
// machine): an origin, and so cookies and storage, apart from the dashboard's host and from every other server's apps.
// A name under `.localhost` cannot set a cookie for `localhost` itself: browsers take `localhost` as a registry.
import crypto from 'node:crypto';
import { LOOPBACK_HOSTS } from '../../config/index.js';

/** The host of one server's apps. @example toolAppHost('basic-vue') // 'app-1f0c…(16 hex).localhost' */
export const toolAppHost = (server: string) =>
  `app-${crypto.createHash('sha256').update(`vloop tool app ${server}`).digest('hex').slice(0, 16)}.localhost`;

export const TOOL_APP_HOST = /^app-[0-9a-f]{16}\.localhost$/;

/** A dashboard reached by one of these names is on this machine, where `.localhost` names reach the apps server. */
export const isLoopbackHost = (name: string) => LOOPBACK_HOSTS.includes(name);
