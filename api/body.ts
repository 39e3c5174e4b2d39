// Read a JSON body (malformed JSON is a 400, not a 500) and validate it with a zod schema.
import type Koa from 'koa';
import type { z } from 'zod';
import { AppError } from './errors.js';
import { JSON_DEPTH_LIMIT, jsonDeeperThan } from './json-depth.js';

const LIMIT = 2 * 1024 * 1024;

async function readRaw(ctx: Koa.Context): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) throw new AppError(413, 'too_large', `request body is over ${LIMIT} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(ctx: Koa.Context): Promise<unknown> {
  const raw = await readRaw(ctx);
  if (!raw.trim()) return {};
  const type = ctx.get('content-type');
  // The essence, not a substring: 'text/plain; x=json' is a form a page on any origin may send without a preflight.
  const essence = type.split(';')[0]!.trim().toLowerCase();
  if (type && essence !== 'application/json' && !/^application\/[\w.-]+\+json$/.test(essence))
    throw new AppError(415, 'unsupported_media_type', `send JSON (content-type application/json), got '${type}'`);
  if (jsonDeeperThan(raw))
    throw new AppError(400, 'too_deep', `JSON is nested deeper than ${JSON_DEPTH_LIMIT} levels`, {
      limit: JSON_DEPTH_LIMIT,
    });
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new AppError(400, 'malformed_json', `malformed JSON: ${(err as Error).message}`);
  }
}

export async function body<S extends z.ZodType>(ctx: Koa.Context, schema: S): Promise<z.infer<S>> {
  return schema.parse(await readJson(ctx));
}
