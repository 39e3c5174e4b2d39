// Plain prompt templates (adapter 'text'): placeholders read, filled and checked against the signature.
import { describe, expect, it } from 'vitest';
import { parseReply, renderCall } from '../../core/adapters.js';
import { parseSignature } from '../../core/signature.js';
import { componentSpec } from '../../core/specs.js';
import { checkTemplateComponent, renderTemplate, templateFields } from '../../core/template.js';

const text = (spec: object) =>
  componentSpec.parse({
    name: 'brief',
    signature: 'question, context -> output',
    adapter: 'text',
    template: 'Answer briefly: {{ question }}',
    provider: 'p',
    ...spec,
  });
const problemsOf = (spec: ReturnType<typeof text>) => checkTemplateComponent(spec, parseSignature(spec.signature));

describe('templateFields', () => {
  it('names each placeholder once, first appearance first, with or without spaces in the braces', () => {
    expect(templateFields('{{question}} in {{  lang }}, again {{ question }} and {{\tcontext\n}}')).toEqual([
      'question',
      'lang',
      'context',
    ]);
    expect(templateFields('no placeholders, only { braces } and }}')).toEqual([]);
  });

  it('reads no name from paths, filters, expressions, tags or comments', () => {
    expect(templateFields('{{ a.b }} {{ x | upper }} {{ a + b }} {% if c %}{{ d }}{% endif %} {# {{ e }} #}')).toEqual([
      'd',
    ]);
  });
});

describe('renderTemplate', () => {
  it('puts strings in as they are, anything else as JSON, and nothing for a missing input', () => {
    const out = renderTemplate('Q: {{ q }}|{{n}}|{{ list }}|{{ obj }}|{{ none }}|{{ missing }}|{{ flag }}', {
      q: '  "quoted"\n',
      n: 3,
      list: ['a', 1],
      obj: { k: 'v' },
      none: null,
      flag: false,
    });
    expect(out).toBe('Q:   "quoted"\n|3|["a",1]|{"k":"v"}|||false');
  });

  it('leaves the text around the placeholders alone, and a value that looks like a placeholder is not read again', () => {
    expect(renderTemplate('{ {{a}} }} {{b}}', { a: '{{ b }}', b: 'B' })).toBe('{ {{ b }} }} B');
  });
});

describe('the text adapter', () => {
  const signature = parseSignature('question -> output');

  it('sends the instructions as the system message only when there are some, then the filled template', () => {
    const bare = renderCall('text', { signature, template: 'Answer briefly: {{ question }}' }, { question: 'Why?' });
    expect(bare).toEqual({ messages: [{ role: 'user', content: 'Answer briefly: Why?' }] });
    const told = renderCall(
      'text',
      { signature, instructions: 'Be kind.', template: '{{ question }}' },
      { question: 'Q' },
    );
    expect(told.messages).toEqual([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Q' },
    ]);
  });

  it('keeps the whole reply as the one output, untrimmed', () => {
    expect(parseReply('text', signature, '  Because.\n\n')).toEqual({ output: '  Because.\n\n' });
  });
});

describe('checkTemplateComponent', () => {
  it('accepts a template whose placeholders are inputs, and leaves other adapters without a template alone', () => {
    expect(problemsOf(text({ template: '{{ context }}\n\nAnswer briefly: {{question}}', instructions: 'x' }))).toEqual(
      [],
    );
    expect(problemsOf(text({ adapter: 'chat', template: undefined }))).toEqual([]);
  });

  it('refuses a template on any other adapter', () => {
    for (const adapter of ['auto', 'chat', 'json'])
      expect(problemsOf(text({ adapter }))).toEqual([
        { path: 'template', message: "template is read only by adapter 'text'" },
      ]);
  });

  it('refuses adapter text without a template', () => {
    expect(problemsOf(text({ template: undefined }))).toEqual([
      { path: 'template', message: "adapter 'text' needs a template" },
    ]);
  });

  it('refuses every kind but predict, demos and tools', () => {
    expect(problemsOf(text({ kind: 'chain_of_thought' }))).toEqual([
      { path: 'kind', message: "adapter 'text' runs kind 'predict' only, not 'chain_of_thought'" },
    ]);
    expect(problemsOf(text({ kind: 'react' })).map((p) => p.path)).toEqual(['kind']);
    expect(problemsOf(text({ demos: [{ inputs: { question: 'q' }, outputs: { output: 'a' } }] }))).toEqual([
      { path: 'demos', message: "adapter 'text' sends no demos: remove them" },
    ]);
    expect(problemsOf(text({ tools: ['filesystem'] }))).toEqual([
      { path: 'tools', message: "adapter 'text' offers no tools: remove them" },
    ]);
  });

  it('refuses a signature without exactly one str output', () => {
    expect(problemsOf(text({ signature: 'question -> output, score: int' }))).toEqual([
      { path: 'signature', message: "adapter 'text' needs exactly one output field (the whole reply), not 2" },
    ]);
    expect(problemsOf(text({ signature: 'question -> output: list[str]' }))).toEqual([
      { path: 'signature', message: "adapter 'text' keeps the reply as text: output 'output' must be str" },
    ]);
  });

  it('names a placeholder that is no input, and lists the inputs', () => {
    expect(problemsOf(text({ template: '{{ question }} in {{ lang }}' }))).toEqual([
      { path: 'template', message: '{{ lang }} names no input field; the inputs are: question, context' },
    ]);
  });

  it.each([
    ['{% if question %}{{ question }}{% endif %}', 'the tag {% if question %}'],
    ['{# a note #}{{ question }}', 'the comment {# a note #}'],
    ['{{ question | upper }}', 'the filter in {{ question | upper }}'],
    ['{{ question.text }}', 'the path in {{ question.text }}'],
    ['{{ question + context }}', 'the expression in {{ question + context }}'],
    ['{{- question }}', 'the whitespace control in {{- question }}'],
    ['{{ }}', 'the empty placeholder {{ }}'],
    ['Answer: {{ question', 'the unclosed {{ question'],
  ])('refuses %s, naming it', (template, construct) => {
    const problems = problemsOf(text({ template }));
    expect(problems[0]).toEqual({
      path: 'template',
      message: `${construct} is not rendered: use only {{ field }} placeholders`,
    });
  });
});
