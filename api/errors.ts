// The one error shape: {"error":{"code","message","details"}}; unexpected errors hide their message.
import type Koa from 'koa';
import { ZodError } from 'zod';
import { SpecError, withProblems } from '../core/errors.js';
import { ConflictError, NotFoundError } from '../db/errors.js';

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof SpecError) return new AppError(400, 'invalid_spec', err.message, { problems: err.problems });
  if (err instanceof ZodError) {
    const problems = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return new AppError(400, 'invalid_request', withProblems('invalid request', problems), { problems });
  }
  if (err instanceof NotFoundError) return new AppError(404, 'not_found', err.message);
  if (err instanceof ConflictError) return new AppError(409, 'conflict', err.message);
  return new AppError(500, 'internal', 'internal error');
}

export function errorHandler(onUnexpected: (err: unknown, ctx: Koa.Context) => void): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw new AppError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
    } catch (err) {
      const app = toAppError(err);
      if (app.status >= 500) onUnexpected(err, ctx);
      ctx.status = app.status;
      ctx.body = { error: { code: app.code, message: app.message, details: app.details ?? null } };
    }
  };
}
