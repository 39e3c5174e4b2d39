// API settings: bind address, port, token (generated into .vloop/token once), allowed hosts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectDir } from '../temporal/config.js';

export interface ApiConfig {
  host: string;
  port: number;
  token: string;
  allowedHosts: string[];
}

export function loadOrCreateToken(dir: string = projectDir()): string {
  if (process.env.HARNESS_TOKEN) return process.env.HARNESS_TOKEN;
  const file = path.join(dir, 'token');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export function allowedHostsFor(host: string, extra: string | undefined): string[] {
  const hosts = new Set(['127.0.0.1', 'localhost', '::1']);
  if (host && host !== '0.0.0.0' && host !== '::') hosts.add(host.toLowerCase());
  for (const h of (extra ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) hosts.add(h);
  return [...hosts];
}

export function apiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const host = env.HARNESS_HOST || '127.0.0.1';
  const port = Number(env.HARNESS_PORT || 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`HARNESS_PORT must be a port number, got '${env.HARNESS_PORT}'`);
  return { host, port, token: loadOrCreateToken(), allowedHosts: allowedHostsFor(host, env.HARNESS_ALLOWED_HOSTS) };
}
