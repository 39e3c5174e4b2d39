// Components and pipelines have the same routes: list, create, get, add a version, run.
import Router from '@koa/router';
import { z } from 'zod';
import { archivedQuery } from '../../core/specs.js';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { archiveComponent, deleteComponent, deleteComponentVersion, listComponents } from '../services/archive.js';
import { exportDspy, importDspy } from '../services/dspy.js';
import { startComponentRun, startPipelineRun } from '../services/runs.js';
import { addComponentVersion, addPipelineVersion, createComponent, createPipeline } from '../services/specs.js';
import { headView, listVersioned, versionOf } from '../services/versioned.js';
import { headRouter, versionParam, versionRouter } from './resources.js';

/** DSPy programs: `program.save()` JSON in, and a component version out in the same format. */
function dspyRoutes(app: AppContext): Router[] {
  const r = new Router({ prefix: '/api/components' });
  r.post('/import/dspy', async (ctx) => {
    ctx.body = await importDspy(app, await readJson(ctx));
    ctx.status = 201;
  });
  const one = headRouter(app, 'component');
  one.get('/dspy', async (ctx) => {
    const version = ctx.query.version === undefined ? undefined : versionParam(String(ctx.query.version));
    ctx.body = await exportDspy(app, ctx.state.head, version);
  });
  return [r, one] as Router[];
}

/** Archived components are hidden from the list unless asked for; a component is deleted only when nothing uses it. */
function componentArchiveRoutes(app: AppContext): Router[] {
  const one = headRouter(app, 'component');
  one.post('/archive', async (ctx) => (ctx.body = await archiveComponent(app, ctx.state.head, true)));
  one.post('/unarchive', async (ctx) => (ctx.body = await archiveComponent(app, ctx.state.head, false)));
  one.delete('/', async (ctx) => {
    await deleteComponent(app, ctx.state.head);
    ctx.status = 204;
  });
  const version = versionRouter(app, 'component');
  version.delete('/', async (ctx) => {
    await deleteComponentVersion(app, ctx.state.head, ctx.state.version);
    ctx.status = 204;
  });
  return [one, version] as Router[];
}

const archivedList = z.object({ archived: archivedQuery });

const specKinds = (app: AppContext) =>
  [
    {
      kind: 'component',
      create: createComponent,
      addVersion: addComponentVersion,
      run: startComponentRun,
      list: (q: unknown) => listComponents(app, archivedList.parse(q).archived),
    },
    {
      kind: 'pipeline',
      create: createPipeline,
      addVersion: addPipelineVersion,
      run: startPipelineRun,
      list: () => listVersioned(app, 'pipeline'),
    },
  ] as const;

type SpecKind = ReturnType<typeof specKinds>[number];

function specKindRoutes(app: AppContext, k: SpecKind): Router[] {
  const r = new Router({ prefix: `/api/${k.kind}s` });
  r.get('/', async (ctx) => (ctx.body = await k.list(ctx.query)));
  r.post('/', async (ctx) => {
    ctx.body = await k.create(app, await readJson(ctx));
    ctx.status = 201;
  });
  const one = headRouter(app, k.kind);
  one.get('/', async (ctx) => (ctx.body = await headView(app, k.kind, ctx.state.head)));
  one.post('/versions', async (ctx) => {
    ctx.body = await k.addVersion(app, ctx.state.head.id, await readJson(ctx));
    ctx.status = 201;
  });
  // By name: a label the request follows is read by the object's name.
  one.post('/runs', async (ctx) => {
    ctx.body = await k.run(app, ctx.state.head.name, await readJson(ctx));
    ctx.status = 201;
  });
  const version = versionRouter(app, k.kind);
  version.get('/', async (ctx) => (ctx.body = await versionOf(app, k.kind, ctx.state.head, ctx.state.version)));
  return [r, one, version] as Router[];
}

export function specRoutes(app: AppContext): Router[] {
  return [...dspyRoutes(app), ...componentArchiveRoutes(app), ...specKinds(app).flatMap((k) => specKindRoutes(app, k))];
}
