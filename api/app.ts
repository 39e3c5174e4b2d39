// The request path: errors -> the gate -> routes.
import Koa from 'koa';
import type { AppContext } from './context.js';
import { AppError, errorHandler } from './errors.js';
import { agentRoutes } from './routes/agents.js';
import { appRoutes } from './routes/apps.js';
import { chatRoutes } from './routes/chats.js';
import { evalRoutes } from './routes/evals.js';
import { experimentRoutes } from './routes/experiments.js';
import { feedbackRoutes } from './routes/feedback.js';
import { mcpRoutes } from './routes/mcp.js';
import { healthRoutes } from './routes/health.js';
import { labelRoutes } from './routes/labels.js';
import { overviewRoutes } from './routes/overview.js';
import { pricingRoutes } from './routes/pricing.js';
import { providerRoutes } from './routes/providers.js';
import { runRoutes } from './routes/runs.js';
import { searchRoutes } from './routes/search.js';
import { specRoutes } from './routes/specs.js';
import { trendRoutes } from './routes/trends.js';
import { dashboardPublic, security } from './security.js';
import { requestSpans } from './tracing.js';
import { uiRoutes } from './ui.js';
import {
  CODEC_PREFIX,
  codecCookie,
  codecCookieRoutes,
  codecCors,
  codecPreflight,
  codecRoutes,
  temporalUiOrigins,
} from './routes/temporal-codec.js';

export function createApp(app: AppContext): Koa {
  const koa = new Koa();
  if (app.telemetry) koa.use(requestSpans());
  koa.use(errorHandler((err, ctx) => app.log.error({ err, path: ctx.path }, 'request failed')));
  // The codec's CORS preflight carries no credentials; it reaches no handler (codecPreflight answers it).
  const codec = (p: string) => p.startsWith(`${CODEC_PREFIX}/`);
  koa.use(codecCors(app));
  koa.use(
    security(app, {
      isPublic: (method, p) => dashboardPublic(method, p) || (method === 'OPTIONS' && codec(p)),
      otherOrigins: (p) => (codec(p) ? temporalUiOrigins(app) : []),
      // The only cookie the API accepts: the Temporal UI's, for decoding.
      cookie: (port) => codecCookie(app, port),
    }),
  );
  koa.use(codecPreflight(app));
  for (const router of [
    healthRoutes(app),
    ...providerRoutes(app),
    pricingRoutes(app),
    ...specRoutes(app),
    ...labelRoutes(app),
    ...feedbackRoutes(app),
    ...runRoutes(app),
    overviewRoutes(app),
    searchRoutes(app),
    ...agentRoutes(app),
    ...evalRoutes(app),
    ...experimentRoutes(app),
    ...trendRoutes(app),
    ...chatRoutes(app),
    ...appRoutes(app),
    codecRoutes(app),
    codecCookieRoutes(app),
    ...mcpRoutes(app),
    uiRoutes(app),
  ]) {
    // A wrong method is a 405 in the one error shape, naming what the path accepts.
    koa.use(router.routes()).use(
      router.allowedMethods({
        throw: true,
        methodNotAllowed: () => new AppError(405, 'method_not_allowed', 'this path does not accept that method'),
        notImplemented: () => new AppError(501, 'not_implemented', 'this method is not implemented'),
      }),
    );
  }
  return koa;
}
