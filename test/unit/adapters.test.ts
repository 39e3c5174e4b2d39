import { describe, expect, it } from 'vitest';
import { formatPredictReply, OutputParseError, parsePredict, renderPredict } from '../../core/adapters.js';
import { parseSignature } from '../../core/signature.js';

const sig = parseSignature(
  "question: str, context: list[str] -> answer: str, score: int, label: Literal['yes', 'no'], ok: bool",
);

describe('chat adapter', () => {
  it('renders the signature, demos as few-shot turns, and the inputs', () => {
    const messages = renderPredict(
      {
        signature: sig,
        instructions: 'Answer briefly.',
        demos: [
          { inputs: { question: 'q1', context: ['c'] }, outputs: { answer: 'a1', score: 1, label: 'yes', ok: true } },
        ],
      },
      { question: 'Why?', context: ['because', 'reasons'] },
    );
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[0]!.content).toContain('1. `question` (str)');
    expect(messages[0]!.content).toContain("3. `label` (Literal['yes', 'no'])");
    expect(messages[0]!.content).toContain('your objective is: \n        Answer briefly.'); // DSPy's indentation
    expect(messages[2]!.content).toContain('[[ ## answer ## ]]\na1');
    expect(messages[3]!.content).toContain('[[ ## context ## ]]\n["because", "reasons"]'); // json.dumps spacing
    expect(messages[3]!.content).toMatch(
      /starting with the field `\[\[ ## answer ## \]\]`, then `\[\[ ## score ## \]\]`/,
    );
  });

  it('parses and validates typed outputs', () => {
    const text = formatPredictReply({ answer: 'Because.', score: 7, label: 'no', ok: false });
    expect(parsePredict(sig, text)).toEqual({ answer: 'Because.', score: 7, label: 'no', ok: false });
    expect(
      parsePredict(
        sig,
        `noise first\n[[ ## answer ## ]]\nA\n[[ ## score ## ]]\n 3 \n[[ ## label ## ]]\n'yes'\n[[ ## ok ## ]]\nTrue`,
      ),
    ).toEqual({ answer: 'A', score: 3, label: 'yes', ok: true });
  });

  it('names every field it cannot parse', () => {
    const bad = '[[ ## answer ## ]]\nA\n[[ ## score ## ]]\nseven\n[[ ## label ## ]]\nmaybe';
    expect(() => parsePredict(sig, bad)).toThrow(OutputParseError);
    expect(() => parsePredict(sig, bad)).toThrow(
      /field 'score' is not a valid int: "seven"; field 'label' is not a valid Literal\['yes', 'no'\]: "maybe"; missing field 'ok'/,
    );
  });
});
