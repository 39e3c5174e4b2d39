// An agent's action is one thing: a tool call or a finish. Anything else is refused whole, with the
// reason the model will read, and nothing of it is applied.
import { describe, expect, it } from 'vitest';
import { boundedSchema, type JsonSchema } from '../../core/json-schema.js';
import { actionGrammar, parseAction, parseNativeAction } from '../../core/react.js';
import { parseSignature } from '../../core/signature.js';

const sig = parseSignature('task: str -> answer: str');
const tools = ['filesystem', 'terminal'];

describe('agent actions', () => {
  it('takes a tool call, and a finish', () => {
    expect(parseAction(sig, '{"thought":"t","tool":"terminal","args":{"command":"ls"}}', tools)).toEqual({
      action: { thought: 't', tool: 'terminal', args: { command: 'ls' } },
    });
    expect(parseAction(sig, '{"thought":"t","finish":{"answer":"42"}}', tools)).toEqual({
      action: { thought: 't', finish: { answer: '42' } },
    });
  });

  it.each([
    [
      'a tool call and a finish at once',
      '{"thought":"t","tool":"terminal","args":{"command":"rm -rf x"},"finish":{"answer":"done"}}',
      /either a tool call or a finish, not both/,
    ],
    ['extra keys', '{"thought":"t","tool":"terminal","args":{"command":"ls"},"sudo":true}', /unknown keys "sudo"/],
    [
      'a finish with fields not asked for',
      '{"thought":"t","finish":{"answer":"a","secret":"b"}}',
      /fields the task does not ask for: secret/,
    ],
    ['a finish with a wrong type', '{"thought":"t","finish":{"answer":3}}', /answer \(str\)/],
    ['args that are not an object', '{"thought":"t","tool":"terminal","args":"ls"}', /args must be an object/],
    ['an unknown tool', '{"thought":"t","tool":"browser","args":{}}', /unknown tool "browser"/],
    ['no JSON', 'I think I will run ls', /not a JSON object/],
  ])('refuses %s', (_what, text, reason) => {
    const r = parseAction(sig, text, tools);
    expect(r).toEqual({ problem: expect.stringMatching(reason) });
  });

  it('refuses several native tool calls at once (a tool and finish)', () => {
    const r = parseNativeAction(
      sig,
      '',
      [
        { name: 'terminal', arguments: { command: 'ls' } },
        { name: 'finish', arguments: { answer: 'x' } },
      ],
      tools,
    );
    expect(r).toEqual({ problem: expect.stringMatching(/one tool at a time \(you called terminal and finish\)/) });
  });

  it("gives the embedded model's grammar one branch per tool and one for finish", () => {
    const g = actionGrammar(sig, tools) as {
      oneOf: Array<{ required: string[]; properties: Record<string, unknown> }>;
    };
    expect(g.oneOf).toHaveLength(3);
    expect(g.oneOf.map((b) => b.required)).toEqual([
      ['thought', 'tool', 'args'],
      ['thought', 'tool', 'args'],
      ['thought', 'finish'],
    ]);
    expect(g.oneOf.every((b) => !('finish' in b.properties && 'tool' in b.properties))).toBe(true);
  });

  it('bounds the grammar so even a pessimistic 1.5 characters a token closes the JSON within maxTokens', () => {
    const lengths: number[] = [];
    const walk = (x: JsonSchema) => {
      if (typeof x.maxLength === 'number') lengths.push(x.maxLength);
      for (const v of Object.values(x)) if (v && typeof v === 'object') walk(v as JsonSchema);
    };
    const finishOnly = boundedSchema(actionGrammar(sig, []), 200);
    walk(finishOnly);
    expect(lengths).toHaveLength(2);
    expect(lengths.reduce((a, b) => a + b, 0) / 1.5 + 16 + 10 * 3).toBeLessThanOrEqual(200);
  });
});
