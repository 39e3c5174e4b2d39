// Raw prompt templates (as promptfoo and Langfuse keep prompts): `{{ field }}` placeholders, nothing else.
// Nunjucks tags, comments, filters and expressions are refused rather than sent to the model unrendered.
import type { Problem } from './errors.js';
import type { Signature } from './signature.js';
import type { ComponentSpec } from './specs.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\])+$/;
const CLOSERS: Record<string, string> = { '{{': '}}', '{%': '%}', '{#': '#}' };

type Piece = { kind: 'field'; name: string; start: number; end: number } | { kind: 'refused'; construct: string };

/** How a refused construct is named in a message: its own text, cut short. */
const quoted = (text: string): string => (text.length > 40 ? `${text.slice(0, 37)}…` : text);

function classify(opener: string, inner: string, raw: string, start: number, end: number): Piece {
  if (opener === '{%') return { kind: 'refused', construct: `the tag ${quoted(raw)}` };
  if (opener === '{#') return { kind: 'refused', construct: `the comment ${quoted(raw)}` };
  if (inner.startsWith('-') || inner.endsWith('-'))
    return { kind: 'refused', construct: `the whitespace control in ${quoted(raw)}` };
  const body = inner.trim();
  if (IDENTIFIER.test(body)) return { kind: 'field', name: body, start, end };
  if (!body) return { kind: 'refused', construct: `the empty placeholder ${raw}` };
  if (body.includes('|')) return { kind: 'refused', construct: `the filter in ${quoted(raw)}` };
  if (PATH.test(body)) return { kind: 'refused', construct: `the path in ${quoted(raw)}` };
  return { kind: 'refused', construct: `the expression in ${quoted(raw)}` };
}

/** Every `{{ … }}`, `{% … %}` and `{# … #}` in a template, in order. */
function scan(template: string): Piece[] {
  const pieces: Piece[] = [];
  const opener = /\{\{|\{%|\{#/g;
  let match: RegExpExecArray | null;
  while ((match = opener.exec(template)) !== null) {
    const start = match.index;
    const close = template.indexOf(CLOSERS[match[0]]!, start + 2);
    if (close < 0) {
      pieces.push({ kind: 'refused', construct: `the unclosed ${quoted(template.slice(start))}` });
      break;
    }
    const end = close + 2;
    pieces.push(classify(match[0], template.slice(start + 2, close), template.slice(start, end), start, end));
    // What lies inside one construct (`{{ a }}` within `{# … #}`) is part of it.
    opener.lastIndex = end;
  }
  return pieces;
}

/**
 * The input names a template's placeholders ask for, first appearance first, each once.
 * @example templateFields('Q: {{ question }} ({{lang}}, {{ question }})') // ['question', 'lang']
 */
export function templateFields(template: string): string[] {
  const names = scan(template).flatMap((p) => (p.kind === 'field' ? [p.name] : []));
  return [...new Set(names)];
}

/** A value as the template shows it: a string as it is, nothing as nothing, anything else as JSON. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value) ?? '';
}

/**
 * The template with each `{{ name }}` replaced by `inputs[name]`; anything else is left as written.
 * @example renderTemplate('Answer briefly: {{ question }}', { question: 'Why?' }) // 'Answer briefly: Why?'
 */
export function renderTemplate(template: string, inputs: Record<string, unknown>): string {
  let out = '';
  let at = 0;
  for (const piece of scan(template)) {
    if (piece.kind !== 'field') continue;
    out += template.slice(at, piece.start) + shown(inputs[piece.name]);
    at = piece.end;
  }
  return out + template.slice(at);
}

/** What keeps a component from being a plain template (adapter 'text'), or a template from being read at all. */
export function checkTemplateComponent(spec: ComponentSpec, signature: Signature): Problem[] {
  if (spec.adapter !== 'text')
    return spec.template === undefined
      ? []
      : [{ path: 'template', message: "template is read only by adapter 'text'" }];
  const problems: Problem[] = [];
  if (spec.kind !== 'predict')
    problems.push({ path: 'kind', message: `adapter 'text' runs kind 'predict' only, not '${spec.kind}'` });
  if (spec.demos?.length) problems.push({ path: 'demos', message: "adapter 'text' sends no demos: remove them" });
  if (spec.tools?.length) problems.push({ path: 'tools', message: "adapter 'text' offers no tools: remove them" });
  const [output, ...more] = signature.outputs;
  if (!output || more.length)
    problems.push({
      path: 'signature',
      message: `adapter 'text' needs exactly one output field (the whole reply), not ${signature.outputs.length}`,
    });
  else if (output.type.kind !== 'str')
    problems.push({
      path: 'signature',
      message: `adapter 'text' keeps the reply as text: output '${output.name}' must be str`,
    });
  if (spec.template === undefined) {
    problems.push({ path: 'template', message: "adapter 'text' needs a template" });
    return problems;
  }
  const inputs = signature.inputs.map((f) => f.name);
  for (const piece of scan(spec.template))
    if (piece.kind === 'refused')
      problems.push({
        path: 'template',
        message: `${piece.construct} is not rendered: use only {{ field }} placeholders`,
      });
  for (const name of templateFields(spec.template))
    if (!inputs.includes(name))
      problems.push({
        path: 'template',
        message: `{{ ${name} }} names no input field; the inputs are: ${inputs.join(', ') || '(none)'}`,
      });
  return problems;
}
