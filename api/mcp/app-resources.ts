// Our apps as MCP Apps (extension io.modelcontextprotocol/ui): an exposed component or pipeline whose app exists says
// so in its tool's `_meta.ui.resourceUri`, and `ui://vloop/apps/<app>` is the app's view as one HTML document
// (text/html;profile=mcp-app): a declarative view with the A2UI renderer, an HTML view as it is with `window.vloop`
// over the standard protocol; ext-apps' App bridge inline, nothing fetched, its CSP asking for no network, no
// resources and no frames.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AppManifest } from '../../core/apps.js';
import { apps } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { MCP_APP_MIME } from '../../mcp/client.js';
import { A2UI_RENDERER, A2UI_STYLE, type AppBoot } from './a2ui-html.js';
import { htmlAppDocument, scriptJson } from './html-app.js';

const PREFIX = 'ui://vloop/apps/';
export const appResourceUri = (app: string) => `${PREFIX}${encodeURIComponent(app)}`;

/** As strict as our own frame's: nothing outside the document (empty lists mean none, per the extension). */
export const UI_META = {
  ui: { csp: { connectDomains: [], resourceDomains: [], frameDomains: [] }, prefersBorder: true },
};

/** The app a tool's target has, latest version of each app (its view declarative or HTML). */
export async function appsByTarget(
  ctx: AppContext,
): Promise<Map<string, { name: string; version: number; manifest: AppManifest }>> {
  const out = new Map<string, { name: string; version: number; manifest: AppManifest }>();
  for (const head of await apps.list(ctx.store)) {
    const { spec: manifest, version } = await apps.getVersion(ctx.store, head.id);
    const kind = manifest.target.kind === 'pipeline' ? 'pipeline' : 'component';
    out.set(`${kind}:${manifest.target.name}`, { name: head.name, version, manifest });
  }
  return out;
}

let appClass: string | undefined;
/** ext-apps' self-contained App bundle, its closing export turned into one binding, `McpApp`, for an inline script. */
function appBundle(): string {
  if (appClass) return appClass;
  const file = createRequire(import.meta.url).resolve('@modelcontextprotocol/ext-apps/app-with-deps');
  const source = fs.readFileSync(file, 'utf8');
  const exported = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(source);
  const local = exported && /(?:^|,)\s*([\w$]+)\s+as\s+App\s*(?:,|$)/.exec(exported[1]!)?.[1];
  if (!exported || !local || /<\/script|<!--/i.test(source))
    throw new Error(`${file} is not the App bundle this expects`);
  appClass = `${source.slice(0, exported.index)}\nconst McpApp = ${local};`;
  return appClass;
}

export function appDocument(boot: AppBoot): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${boot.title.replace(/[<&"]/g, '')}</title>
<style>${A2UI_STYLE}</style></head><body><div id="app"></div>
<script type="module">${appBundle()}
${A2UI_RENDERER}
mountA2uiApp(McpApp, ${scriptJson(boot)});</script></body></html>`;
}

/** `resources/read` of an app's view, or undefined when `uri` names none (an exposed tool's app only). */
export async function readAppResource(ctx: AppContext, uri: string, tools: Array<{ name: string; key: string }>) {
  if (!uri.startsWith(PREFIX)) return undefined;
  const name = decodeURIComponent(uri.slice(PREFIX.length));
  const byTarget = await appsByTarget(ctx);
  const tool = tools.find((t) => byTarget.get(t.key)?.name === name);
  const app = tool && byTarget.get(tool.key);
  if (!tool || !app) return undefined;
  if (app.manifest.view.kind === 'html') {
    const view = app.manifest.view as { html: string };
    const described = {
      name,
      version: app.version,
      target: app.manifest.target,
      inputsSchema: app.manifest.inputs.schema,
    };
    const text = htmlAppDocument(view.html, appBundle(), { tool: tool.name, app: described });
    return { uri, mimeType: MCP_APP_MIME, text, _meta: UI_META };
  }
  const boot: AppBoot = {
    tool: tool.name,
    title: name,
    components: (app.manifest.view.spec as { components: AppBoot['components'] }).components,
    examples: app.manifest.inputs.examples ?? [],
  };
  return { uri, mimeType: MCP_APP_MIME, text: appDocument(boot), _meta: UI_META };
}
