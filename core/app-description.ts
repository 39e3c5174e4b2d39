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
const firsts = (text: string, fields: string[]) => unique([...text.matchAll(/\b([\w-]+(?:[ _-][\w-]+)?)\s+first\b/gi)].flatMap((m) => fields.filter((f) => fieldPattern(f).test(m[1]!))));

function ordered(current: string[], front: string[]): string[] {
  const head = front.filter((f) => current.includes(f));
  return [...head, ...current.filter((f) => !head.includes(f))];
}

/**
 * Apply what a description says to a scaffold-shaped view (ids `title`, `form`, `results`, `in_<f>`,
 * `out_<f>_row`); parts of a view without those ids are left as they are. `fresh`: a new app, whose
 * fields also take the order the description names them in.
 * @example describeView(scaffold, shape, 'titled "Review desk": show only the sentiment', { fresh: true })
 */
export function describeView(surface: A2uiSurface, shape: TargetShape, description: string, o: { fresh: boolean }): DescribedView {
  const components: A2uiComponent[] = structuredClone(surface.components);
  const byId = (id: string) => components.find((c) => c.id === id);
  const used: string[] = [];
  // Quoted text and label phrases name no field to show or order.
  const blank = (m: string) => ' '.repeat(m.length);
  const plain = LABELS.reduce((text, re) => text.replace(re, blank), description).replace(QUOTED, blank);

  const title = TITLE.exec(description)?.[1]?.trim();
  const titleText = byId('title');
  if (title && titleText?.component === 'Text' && titleText.text !== title) {
    titleText.text = title;
    used.push(`title "${title}"`);
  }

  const inputs = shape.inputs.map((f) => f.name);
  const form = byId('form');
  if (form && 'children' in form) {
    const said = mentions(plain, inputs).map((m) => m.field);
    const current = form.children.filter((c) => c.startsWith('in_')).map((c) => c.slice(3));
    const order = ordered(ordered(current, o.fresh ? unique(said) : []), firsts(plain, inputs));
    if (order.join() !== current.join()) {
      form.children = [...order.map((f) => `in_${f}`), ...form.children.filter((c) => !c.startsWith('in_'))];
      used.push(`inputs in order: ${order.join(', ')}`);
    }
  }

  const outputs = shape.outputs.map((f) => f.name);
  const results = byId('results');
  if (results && 'children' in results) {
    const rowOf = (c: string) => /^out_(.+)_row$/.exec(c)?.[1];
    const current = results.children.map(rowOf).filter((f): f is string => f !== undefined && outputs.includes(f));
    const said = mentions(plain, outputs);
    const only = unique(said.filter((m) => m.verb === 'only').map((m) => m.field));
    const hidden = new Set(said.filter((m) => m.verb === 'hide').map((m) => m.field));
    let shown = only.length ? only : unique([...current, ...said.filter((m) => m.verb === 'show').map((m) => m.field)]);
    shown = shown.filter((f) => !hidden.has(f));
    const named = unique(said.filter((m) => m.verb !== 'hide').map((m) => m.field));
    shown = ordered(ordered(shown, o.fresh ? named : []), firsts(plain, outputs));
    if (shown.join() !== current.join()) {
      // A shown output the view lacks gets the scaffold's block for it; a hidden one loses its block.
      const scaffold = scaffoldSurface(shape, '').components;
      for (const f of shown.filter((x) => !current.includes(x))) {
        for (const id of [`out_${f}`, `out_${f}_label`, `out_${f}_row`]) if (!byId(id)) components.push(structuredClone(scaffold.find((c) => c.id === id)!));
      }
      for (const f of current.filter((x) => !shown.includes(x))) {
        for (const id of [`out_${f}`, `out_${f}_label`, `out_${f}_row`]) components.splice(components.findIndex((c) => c.id === id), 1);
      }
      results.children = [...results.children.filter((c) => rowOf(c) === undefined), ...shown.map((f) => `out_${f}_row`)];
      used.push(`outputs shown: ${shown.join(', ') || 'none'}`);
    }
  }

  for (const [, name, text] of LABELS.flatMap((re) => [...description.matchAll(re)])) {
    const field = [...inputs, ...outputs].find((f) => new RegExp(`^${fieldPattern(f).source}$`, 'i').test(name!.trim()));
    if (!field) continue;
    const target = byId(`in_${field}`) ?? byId(`out_${field}_label`);
    if (target && 'label' in target && target.id.startsWith('in_') && target.label !== text) target.label = text!;
    else if (target?.component === 'Text' && target.id.endsWith('_label') && target.text !== text) target.text = text!;
    else continue;
    used.push(`${field} labelled "${text}"`);
  }
  return { surface: { ...surface, components }, used: unique(used) };
}
