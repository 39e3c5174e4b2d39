// What the scaffold takes from an app's description when no model reads it (the embedded model does
// not design views): a quoted title, which outputs to show or hide and in what order, the inputs'
// order, and labels given in quotes. Each change is named, so the page can say what was used.
import { scaffoldSurface, type A2uiComponent, type A2uiSurface, type TargetShape } from './a2ui.js';

export interface DescribedView {
  surface: A2uiSurface;
  /** What was taken from the description, one line each (`title "Review desk"`); empty when nothing was. */
  used: string[];
}

type Verb = 'show' | 'only' | 'hide';
const VERBS: Array<[RegExp, Verb]> = [
  [/\b(?:only|just)\b/gi, 'only'],
  [/\b(?:hide|without|drop|remove|omit)\b/gi, 'hide'],
  [/\b(?:show|display|include|add)\b/gi, 'show'],
];
const QUOTED = /["“]([^"”]{1,200})["”]/g;
const TITLE = /\b(?:titled|title|heading)\s*(?::|is|as)?\s*["“]([^"”]{1,200})["”]/i;
/** `label summary as "Short summary"`, `summary labelled "Short summary"`: the field, then the label. */
const LABELS = [
  /\b(?:label|rename|call)\s+(?:the\s+)?([\w-]+(?:[ _-](?!as\b|to\b)[\w-]+)?)\s+(?:as|to)?\s*["“]([^"”]{1,200})["”]/gi,
  /\b([\w-]+)\s+(?:labell?ed|called)\s+(?:as\s+)?["“]([^"”]{1,200})["”]/gi,
];
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A field named in running text: `audience`, `key_points` as "key points", a plural `s` allowed. */
const fieldPattern = (name: string) => new RegExp(`\\b${name.split(/[_-]+/).map(escape).join('[ _-]?')}s?\\b`, 'gi');

interface Mention {
  field: string;
  at: number;
  /** The nearest verb before it in its sentence. */
  verb?: Verb;
}

function mentions(text: string, fields: string[]): Mention[] {
  const verbs = VERBS.flatMap(([re, verb]) => [...text.matchAll(re)].map((m) => ({ at: m.index, verb })));
  const found = fields.flatMap((field) => [...text.matchAll(fieldPattern(field))].map((m) => ({ field, at: m.index })));
  return found
    .sort((a, b) => a.at - b.at)
    .map((m) => {
      const sentence = Math.max(...[...text.slice(0, m.at).matchAll(/[.;!?\n]/g)].map((s) => s.index), -1);
      const verb = verbs.filter((v) => v.at > sentence && v.at < m.at).sort((a, b) => b.at - a.at)[0]?.verb;
      return verb ? { ...m, verb } : m;
    });
}

const unique = (xs: string[]) => [...new Set(xs)];
/** Fields named `X first` go to the front, in the order named. */
const firsts = (text: string, fields: string[]) =>
  unique(
    [...text.matchAll(/\b([\w-]+(?:[ _-][\w-]+)?)\s+first\b/gi)].flatMap((m) =>
      fields.filter((f) => fieldPattern(f).test(m[1]!)),
    ),
  );

function ordered(current: string[], front: string[]): string[] {
  const head = front.filter((f) => current.includes(f));
  return [...head, ...current.filter((f) => !head.includes(f))];
}

/** A view being changed by a description: its components (a copy), what was used, the description without quotes. */
interface Editing {
  components: A2uiComponent[];
  used: string[];
  shape: TargetShape;
  description: string;
  /** The description with quoted text and label phrases blanked: they name no field to show or order. */
  plain: string;
  fresh: boolean;
}

const byId = (e: Editing, id: string) => e.components.find((c) => c.id === id);

function applyTitle(e: Editing): void {
  const title = TITLE.exec(e.description)?.[1]?.trim();
  const titleText = byId(e, 'title');
  if (title && titleText?.component === 'Text' && titleText.text !== title) {
    titleText.text = title;
    e.used.push(`title "${title}"`);
  }
}

function applyInputOrder(e: Editing): void {
  const inputs = e.shape.inputs.map((f) => f.name);
  const form = byId(e, 'form');
  if (!form || !('children' in form)) return;
  const said = mentions(e.plain, inputs).map((m) => m.field);
  const current = form.children.filter((c) => c.startsWith('in_')).map((c) => c.slice(3));
  const order = ordered(ordered(current, e.fresh ? unique(said) : []), firsts(e.plain, inputs));
  if (order.join() === current.join()) return;
  form.children = [...order.map((f) => `in_${f}`), ...form.children.filter((c) => !c.startsWith('in_'))];
  e.used.push(`inputs in order: ${order.join(', ')}`);
}

const rowOf = (c: string) => /^out_(.+)_row$/.exec(c)?.[1];
const blockIds = (f: string) => [`out_${f}`, `out_${f}_label`, `out_${f}_row`];

/** The outputs to show, in order: `only` ones, else the current plus those shown; hidden ones taken out. */
function shownOutputs(e: Editing, current: string[]): string[] {
  const outputs = e.shape.outputs.map((f) => f.name);
  const said = mentions(e.plain, outputs);
  const only = unique(said.filter((m) => m.verb === 'only').map((m) => m.field));
  const hidden = new Set(said.filter((m) => m.verb === 'hide').map((m) => m.field));
  let shown = only.length ? only : unique([...current, ...said.filter((m) => m.verb === 'show').map((m) => m.field)]);
  shown = shown.filter((f) => !hidden.has(f));
  const named = unique(said.filter((m) => m.verb !== 'hide').map((m) => m.field));
  return ordered(ordered(shown, e.fresh ? named : []), firsts(e.plain, outputs));
}

function applyOutputs(e: Editing): void {
  const outputs = e.shape.outputs.map((f) => f.name);
  const results = byId(e, 'results');
  if (!results || !('children' in results)) return;
  const current = results.children.map(rowOf).filter((f): f is string => f !== undefined && outputs.includes(f));
  const shown = shownOutputs(e, current);
  if (shown.join() === current.join()) return;
  // A shown output the view lacks gets the scaffold's block for it; a hidden one loses its block.
  const scaffold = scaffoldSurface(e.shape, '').components;
  const added = shown
    .filter((x) => !current.includes(x))
    .flatMap(blockIds)
    .filter((id) => !byId(e, id));
  for (const id of added) e.components.push(structuredClone(scaffold.find((c) => c.id === id)!));
  for (const id of current.filter((x) => !shown.includes(x)).flatMap(blockIds))
    e.components.splice(
      e.components.findIndex((c) => c.id === id),
      1,
    );
  results.children = [...results.children.filter((c) => rowOf(c) === undefined), ...shown.map((f) => `out_${f}_row`)];
  e.used.push(`outputs shown: ${shown.join(', ') || 'none'}`);
}

function applyLabels(e: Editing): void {
  const fields = [...e.shape.inputs, ...e.shape.outputs].map((f) => f.name);
  for (const [, name, text] of LABELS.flatMap((re) => [...e.description.matchAll(re)])) {
    const field = fields.find((f) => new RegExp(`^${fieldPattern(f).source}$`, 'i').test(name!.trim()));
    if (!field) continue;
    const target = byId(e, `in_${field}`) ?? byId(e, `out_${field}_label`);
    if (target && 'label' in target && target.id.startsWith('in_') && target.label !== text) target.label = text!;
    else if (target?.component === 'Text' && target.id.endsWith('_label') && target.text !== text) target.text = text!;
    else continue;
    e.used.push(`${field} labelled "${text}"`);
  }
}

/**
 * Apply what a description says to a scaffold-shaped view (ids `title`, `form`, `results`, `in_<f>`,
 * `out_<f>_row`); parts of a view without those ids are left as they are. `fresh`: a new app, whose
 * fields also take the order the description names them in.
 * @example describeView(scaffold, shape, 'titled "Review desk": show only the sentiment', { fresh: true })
 */
export function describeView(
  surface: A2uiSurface,
  shape: TargetShape,
  description: string,
  o: { fresh: boolean },
): DescribedView {
  const blank = (m: string) => ' '.repeat(m.length);
  const plain = LABELS.reduce((text, re) => text.replace(re, blank), description).replace(QUOTED, blank);
  const e: Editing = {
    components: structuredClone(surface.components),
    used: [],
    shape,
    description,
    plain,
    fresh: o.fresh,
  };
  applyTitle(e);
  applyInputOrder(e);
  applyOutputs(e);
  applyLabels(e);
  return { surface: { ...surface, components: e.components }, used: unique(e.used) };
}
