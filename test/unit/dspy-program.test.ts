// DSPy programs in and out, against programs saved by DSPy 3.4.1 itself (test/fixtures/dspy/record.py).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportDspyProgram, importDspyProgram, inferPrefix } from '../../core/dspy-program.js';
import { componentSpec } from '../../core/specs.js';

const saved = (name: string) =>
  JSON.parse(fs.readFileSync(`test/fixtures/dspy/${name}`, 'utf8')) as Record<string, unknown>;
const asComponent = (spec: object) => componentSpec.parse({ name: 'imported', provider: 'p', ...spec });

describe('DSPy programs', () => {
  it('names fields as DSPy prefixes them', () => {
    expect(['question', 'camelCaseText', 'snake_case_text', 'text2number', 'HTMLParser'].map(inferPrefix)).toEqual([
      'Question:',
      'Camel Case Text:',
      'Snake Case Text:',
      'Text 2 Number:',
      'HTML Parser:',
    ]);
  });

  it('reads a saved ChainOfThought into a chain_of_thought component with its instructions and both demos, and writes it back as DSPy saved it', () => {
    const program = saved('program-cot.json');
    const [p] = importDspyProgram(program, 'question: str, context: list[str] -> answer: str');
    expect(p!.key).toBe('predict');
    expect(p!.spec).toMatchObject({
      kind: 'chain_of_thought',
      signature: 'question: str, context: list[str] -> answer: str',
      instructions: 'Answer the question from the context.',
    });
    expect(p!.spec.demos).toEqual([
      {
        inputs: { question: 'Who wrote it?', context: ['Ann wrote the book.'] },
        outputs: { reasoning: 'The context says Ann wrote it.', answer: 'Ann' },
        augmented: true,
      },
      { inputs: { question: 'Where?', context: ['It was in Paris.'] }, outputs: { answer: 'Paris' } },
    ]);
    expect(exportDspyProgram(asComponent(p!.spec))).toEqual(program);
  });

  it('reads a saved Predict with a field description and its signature types, and writes it back', () => {
    const program = saved('program-predict.json');
    const [p] = importDspyProgram(program, 'text -> sentiment: Literal["pos", "neg"]');
    expect(p!.spec).toMatchObject({
      kind: 'predict',
      signature: `text: str "the review" -> sentiment: Literal['pos', 'neg']`,
      instructions: 'Classify the review.',
    });
    expect(exportDspyProgram(asComponent(p!.spec))).toEqual(program);
  });

  it('without a signature, takes names from the prefixes (types str), where the reasoning marks the outputs', () => {
    const [p] = importDspyProgram(saved('program-cot.json'));
    expect(p!.spec.signature).toBe('question: str, context: str -> answer: str');
    expect(() => importDspyProgram(saved('program-predict.json'))).toThrow(
      /does not say which of its fields are inputs: give the signature/,
    );
  });

  it('refuses what is not a program, or a signature that does not fit it', () => {
    expect(() => importDspyProgram([1, 2])).toThrow(/a program is the JSON object that DSPy save\(\) writes/);
    expect(() => importDspyProgram({ predict: { demos: [] } })).toThrow(/invalid DSPy program/);
    expect(() => importDspyProgram(saved('program-cot.json'), 'question -> answer')).toThrow(
      /has 4 fields; the signature names 2 \(plus reasoning\)/,
    );
  });

  it('a component written here exports with DSPy defaults: prefixes, descriptions, instructions', () => {
    const program = exportDspyProgram(
      asComponent({ kind: 'chain_of_thought', signature: 'user_query: str -> answer: int' }),
    );
    expect(program.predict).toEqual({
      traces: [],
      train: [],
      demos: [],
      signature: {
        instructions: 'Given the fields `user_query`, produce the fields `answer`.',
        fields: [
          { prefix: 'User Query:', description: '${user_query}' },
          { prefix: 'Reasoning:', description: '${reasoning}' },
          { prefix: 'Answer:', description: '${answer}' },
        ],
      },
      lm: null,
    });
  });
});
