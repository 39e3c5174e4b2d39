// Declarative views as A2UI v0.9.1 surfaces (v0.9 ones still read: the two differ only in labels): a flat list of components (an adjacency list with a
// `root`), JSON-Pointer data bindings, and our Vuetify catalog. Pure: used by the API, the
// generation workflow and the dashboard's renderer alike. No code from a view ever runs.
import { z } from 'zod';

/** The revision new surfaces say; v0.9.1 only renamed v0.9's labels (its MIME type and extension URI). */
export const A2UI_VERSION = 'v0.9.1';
/** Revisions a stored or generated surface may say: the same schema and catalog. */
export const A2UI_VERSIONS = [A2UI_VERSION, 'v0.9'] as const;
/** Our catalog: A2UI's basic components we render, plus Badge, KeyValue, Table, Progress and Markdown. */
export const VLOOP_CATALOG_ID = 'urn:vloop:a2ui:catalog:vuetify:1';

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a component id is letters, digits, _ or -');
/** A JSON Pointer into the surface's data model: /inputs/<field>, /outputs/<field>, /run/<status|id|error>. */
export const binding = z.strictObject({
  path: z.string().regex(/^\/[A-Za-z0-9_~/-]*$/, 'a path is a JSON Pointer such as /outputs/summary'),
});
const text = z.union([z.string().max(2000), binding]);
const children = z.array(id).max(64);

const common = { id };
export const a2uiComponent = z.discriminatedUnion('component', [
  z.strictObject({
    ...common,
    component: z.literal('Text'),
    text,
    variant: z.enum(['h1', 'h2', 'h3', 'h4', 'h5', 'caption', 'body']).optional(),
  }),
  z.strictObject({ ...common, component: z.literal('Markdown'), text }),
  z.strictObject({
    ...common,
    component: z.literal('Badge'),
    text,
    color: z.enum(['primary', 'success', 'warning', 'error', 'info', 'grey']).optional(),
  }),
  z.strictObject({
    ...common,
    component: z.literal('Column'),
    children,
    justify: z.string().max(20).optional(),
    align: z.string().max(20).optional(),
  }),
  z.strictObject({
    ...common,
    component: z.literal('Row'),
    children,
    justify: z.string().max(20).optional(),
    align: z.string().max(20).optional(),
  }),
  z.strictObject({ ...common, component: z.literal('Card'), child: id, title: text.optional() }),
  z.strictObject({ ...common, component: z.literal('List'), items: binding, itemText: z.string().max(64).optional() }),
  z.strictObject({
    ...common,
    component: z.literal('Table'),
    rows: binding,
    columns: z.array(z.string().max(64)).max(20).optional(),
  }),
  z.strictObject({
    ...common,
    component: z.literal('KeyValue'),
    value: binding,
    label: z.string().max(200).optional(),
  }),
  z.strictObject({ ...common, component: z.literal('Progress'), value: binding.optional() }),
  z.strictObject({ ...common, component: z.literal('Divider') }),
  z.strictObject({
    ...common,
    component: z.literal('Image'),
    url: binding,
    description: z.string().max(500).optional(),
  }),
  z.strictObject({
    ...common,
    component: z.literal('TextField'),
    label: z.string().max(200),
    value: binding,
    variant: z.enum(['shortText', 'longText', 'number']).optional(),
  }),
  z.strictObject({ ...common, component: z.literal('CheckBox'), label: z.string().max(200), value: binding }),
  z.strictObject({
    ...common,
    component: z.literal('ChoicePicker'),
    label: z.string().max(200).optional(),
    options: z
      .array(z.strictObject({ label: z.string().max(200), value: z.string().max(200) }))
      .min(1)
      .max(50),
    value: binding,
  }),
  // The only action a view has: start a run of the app's bound target with the form's inputs.
  z.strictObject({
    ...common,
    component: z.literal('Button'),
    label: z.string().max(200),
    action: z.strictObject({ event: z.strictObject({ name: z.literal('run') }) }),
  }),
]);
export type A2uiComponent = z.infer<typeof a2uiComponent>;

export const a2uiSurface = z.strictObject({
  version: z.enum(A2UI_VERSIONS),
  catalogId: z.literal(VLOOP_CATALOG_ID),
  components: z.array(a2uiComponent).min(1).max(200),
});
export type A2uiSurface = z.infer<typeof a2uiSurface>;

/** A field of the bound target, with the kind of value it holds. */
export interface TargetField {
  name: string;
  /** str, int, float, bool, list, dict, json or literal */
  kind: string;
  values?: Array<string | number | boolean | null>;
}

export interface TargetShape {
  inputs: TargetField[];
  outputs: TargetField[];
}

export interface Problem {
  path: string;
  message: string;
}

const RUN_PATHS = ['/run/status', '/run/id', '/run/error'];

/** What a binding points at: an input, an output, the run, or nothing. */
export function resolveBinding(
  path: string,
  shape: TargetShape,
): { side: 'inputs' | 'outputs'; field: TargetField } | { side: 'run' } | undefined {
  if (RUN_PATHS.includes(path)) return { side: 'run' };
  const m = /^\/(inputs|outputs)\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  const side = m[1] as 'inputs' | 'outputs';
  const field = shape[side].find((f) => f.name === m[2]);
  return field ? { side, field } : undefined;
}

/** What each component may bind to, by side and kind of field. */
const BINDS: Partial<
  Record<A2uiComponent['component'], { prop: string; sides: Array<'inputs' | 'outputs' | 'run'>; kinds?: string[] }>
> = {
  TextField: { prop: 'value', sides: ['inputs'], kinds: ['str', 'int', 'float', 'json', 'dict', 'list'] },
  CheckBox: { prop: 'value', sides: ['inputs'], kinds: ['bool'] },
  ChoicePicker: { prop: 'value', sides: ['inputs'], kinds: ['literal', 'str'] },
  List: { prop: 'items', sides: ['outputs'], kinds: ['list'] },
  Table: { prop: 'rows', sides: ['outputs'], kinds: ['list'] },
  KeyValue: { prop: 'value', sides: ['outputs', 'run'] },
  Progress: { prop: 'value', sides: ['outputs', 'run'], kinds: ['float', 'int'] },
  Image: { prop: 'url', sides: ['outputs'], kinds: ['str'] },
};

/** Text that would be markup or script if anything interpreted it: refused, though nothing does. */
const SCRIPTY = /<\s*\/?\s*(script|iframe|object|embed|style|link|meta)\b|javascript\s*:|\bon[a-z]+\s*=/i;

function strings(v: unknown, path: string, out: Array<{ path: string; value: string }>): void {
  if (typeof v === 'string') out.push({ path, value: v });
  else if (Array.isArray(v)) v.forEach((x, i) => strings(x, `${path}/${i}`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings(x, `${path}/${k}`, out);
}

/**
 * Every problem with a declarative view, each with its JSON Pointer (A2UI's VALIDATION_FAILED format):
 * the schema, ids (unique, one `root`, children that exist, no cycles), bindings that type-check
 * against the target, and no script anywhere.
 */
export function validateSurface(spec: unknown, shape: TargetShape): Problem[] {
  const parsed = a2uiSurface.safeParse(spec);
  if (!parsed.success) return parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message }));
  const surface = parsed.data;
  return [
    ...scriptProblems(surface),
    ...treeProblems(surface),
    ...surface.components.flatMap((c, i) => bindingProblems(c, i, shape)),
  ];
}

/** Every string that reads as markup or script, anywhere in the components. */
function scriptProblems(surface: A2uiSurface): Problem[] {
  const all: Array<{ path: string; value: string }> = [];
  strings(surface.components, '/components', all);
  return all
    .filter((s) => SCRIPTY.test(s.value))
    .map((s) => ({ path: s.path, message: 'script or markup is not allowed in a declarative view' }));
}

const kids = (c: A2uiComponent): string[] => ('children' in c ? c.children : 'child' in c ? [c.child] : []);

/** The ids make a tree: unique, one `root`, children that exist, no cycles. */
function treeProblems(surface: A2uiSurface): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map<string, A2uiComponent>();
  surface.components.forEach((c, i) => {
    if (byId.has(c.id)) problems.push({ path: `/components/${i}/id`, message: `duplicate component id '${c.id}'` });
    byId.set(c.id, c);
  });
  if (!byId.has('root')) problems.push({ path: '/components', message: "no component has the id 'root'" });
  surface.components.forEach((c, i) => {
    for (const k of kids(c))
      if (!byId.has(k))
        problems.push({ path: `/components/${i}`, message: `'${c.id}' refers to a child '${k}' that does not exist` });
  });
  if (byId.has('root') && cyclic(byId, 'root', new Set()))
    problems.push({ path: '/components', message: 'the component tree has a cycle' });
  return problems;
}

/** A tree: no component is its own ancestor. */
function cyclic(byId: Map<string, A2uiComponent>, cid: string, visiting: Set<string>): boolean {
  if (visiting.has(cid)) return true;
  visiting.add(cid);
  const c = byId.get(cid);
  const bad = c ? kids(c).some((k) => cyclic(byId, k, visiting)) : false;
  visiting.delete(cid);
  return bad;
}

/** Each binding of component `i` points at something, of a side and kind the component can show. */
function bindingProblems(c: A2uiComponent, i: number, shape: TargetShape): Problem[] {
  const problems: Problem[] = [];
  const bindings: Array<{ prop: string; path: string }> = [];
  for (const [prop, v] of Object.entries(c))
    if (v && typeof v === 'object' && 'path' in v && typeof v.path === 'string') bindings.push({ prop, path: v.path });
  for (const b of bindings) {
    const target = resolveBinding(b.path, shape);
    const at = `/components/${i}/${b.prop}`;
    if (!target) {
      problems.push({ path: at, message: `'${b.path}' binds to nothing: the target has ${describe(shape)}` });
      continue;
    }
    const rule = BINDS[c.component];
    if (!rule || rule.prop !== b.prop) continue;
    const side = target.side;
    if (!rule.sides.includes(side))
      problems.push({ path: at, message: `a ${c.component} binds to ${rule.sides.join(' or ')}, not ${side}` });
    else if (side !== 'run' && rule.kinds && !rule.kinds.includes((target as { field: TargetField }).field.kind)) {
      const f = (target as { field: TargetField }).field;
      problems.push({
        path: at,
        message: `a ${c.component} cannot show ${side} field '${f.name}' of kind ${f.kind} (it takes ${rule.kinds.join(', ')})`,
      });
    }
  }
  return problems;
}

function describe(shape: TargetShape): string {
  const list = (fs: TargetField[]) => (fs.length ? fs.map((f) => f.name).join(', ') : 'none');
  return `inputs ${list(shape.inputs)}; outputs ${list(shape.outputs)}; and /run/status, /run/id, /run/error`;
}

const label = (name: string) => name.replace(/[_-]+/g, ' ').replace(/^./, (c) => c.toUpperCase());

/**
 * The view that always works, from the target's fields alone: a form with one field per input and a
 * run button, then one block per output (a badge for a choice, a list for a list, text otherwise).
 */
export function scaffoldSurface(
  shape: TargetShape,
  title: string,
  hints: Record<string, { label?: string | undefined; widget?: string | undefined }> = {},
): A2uiSurface {
  const components: A2uiComponent[] = [];
  const inputIds = shape.inputs.map((f) => {
    const cid = `in_${f.name}`;
    // The manifest's layout hints (inputs.ui) name and shape the fields where they say so.
    const name = hints[f.name]?.label ?? label(f.name);
    const widget = hints[f.name]?.widget;
    if (f.kind === 'bool' || widget === 'checkbox')
      components.push({ id: cid, component: 'CheckBox', label: name, value: { path: `/inputs/${f.name}` } });
    else if (f.kind === 'literal' && f.values?.length)
      components.push({
        id: cid,
        component: 'ChoicePicker',
        label: name,
        options: f.values.map((v) => ({ label: String(v), value: String(v) })),
        value: { path: `/inputs/${f.name}` },
      });
    else {
      const variant =
        widget === 'textarea'
          ? 'longText'
          : widget === 'text'
            ? 'shortText'
            : widget === 'number' || f.kind === 'int' || f.kind === 'float'
              ? 'number'
              : f.kind === 'str'
                ? 'longText'
                : 'shortText';
      components.push({ id: cid, component: 'TextField', label: name, value: { path: `/inputs/${f.name}` }, variant });
    }
    return cid;
  });
  const outputIds = shape.outputs.map((f) => {
    const cid = `out_${f.name}`;
    const value = { path: `/outputs/${f.name}` };
    if (f.kind === 'literal' || f.kind === 'bool') components.push({ id: cid, component: 'Badge', text: value });
    else if (f.kind === 'list') components.push({ id: cid, component: 'List', items: value });
    else if (f.kind === 'dict' || f.kind === 'json')
      components.push({ id: cid, component: 'KeyValue', value, label: label(f.name) });
    else components.push({ id: cid, component: 'Text', text: value });
    components.push({ id: `${cid}_label`, component: 'Text', text: label(f.name), variant: 'caption' });
    components.push({ id: `${cid}_row`, component: 'Column', children: [`${cid}_label`, cid] });
    return `${cid}_row`;
  });
  components.push(
    { id: 'title', component: 'Text', text: title, variant: 'h3' },
    { id: 'submit', component: 'Button', label: 'Run', action: { event: { name: 'run' } } },
    { id: 'status', component: 'Badge', text: { path: '/run/status' } },
    { id: 'form', component: 'Column', children: [...inputIds, 'submit'] },
    { id: 'form_card', component: 'Card', child: 'form' },
    { id: 'results', component: 'Column', children: ['status', ...outputIds] },
    { id: 'results_card', component: 'Card', child: 'results', title: 'Result' },
    { id: 'root', component: 'Column', children: ['title', 'form_card', 'results_card'] },
  );
  return { version: A2UI_VERSION, catalogId: VLOOP_CATALOG_ID, components };
}

/** A short description of the catalog for a model drafting a view. */
export const CATALOG_GUIDE = `A view is an A2UI v0.9.1 surface: {"version":"v0.9.1","catalogId":"${VLOOP_CATALOG_ID}","components":[...]}.
Components are a flat list; each has an "id" and a "component" type; exactly one has id "root"; containers refer to children by id.
Types: Text{text, variant?: h1-h5|caption|body}, Markdown{text}, Badge{text, color?}, Column{children:[ids]}, Row{children:[ids]}, Card{child: id, title?},
List{items: binding}, Table{rows: binding, columns?}, KeyValue{value: binding, label?}, Progress{value?: binding}, Divider{}, Image{url: binding},
TextField{label, value: binding to an input, variant?: shortText|longText|number}, CheckBox{label, value: binding to a bool input},
ChoicePicker{label?, options:[{label,value}], value: binding to an input}, Button{label, action:{event:{name:"run"}}}.
Text values are strings or bindings {"path": "/inputs/<field>" | "/outputs/<field>" | "/run/status" | "/run/id" | "/run/error"}.
No HTML, no script: text is shown as text.`;
