// A scripted "model" for pipeline tests: components name an operation in their instructions
// ("op: upper"), and the fake applies it to the input fields it finds in the prompt.
import { formatPredictReply } from '../../core/adapters.js';
import type { FakeRequest } from '../fakes/script.js';

export function promptFields(req: FakeRequest): Record<string, string> {
  const last = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const fields: Record<string, string> = {};
  const re = /\[\[ ## (\w+) ## \]\]\n([\s\S]*?)(?=\n\n\[\[ ## |\n\nRespond with|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(last)) !== null) fields[m[1]!] = m[2]!;
  return fields;
}

export function promptOp(req: FakeRequest): string {
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  return /op: (\w+)/.exec(system)?.[1] ?? 'unknown';
}

export function echoModel(req: FakeRequest): string {
  const f = promptFields(req);
  switch (promptOp(req)) {
    case 'upper':
      return formatPredictReply({ result: (f.text ?? '').toUpperCase() });
    case 'reverse':
      return formatPredictReply({ result: [...(f.text ?? '')].reverse().join('') });
    case 'join':
      return formatPredictReply({ combined: `${f.a}|${f.b}` });
    case 'length':
      return formatPredictReply({ n: (f.text ?? '').length });
    case 'words': {
      const parts = (f.text ?? '').split(/\s+/).filter(Boolean);
      return formatPredictReply({ parts, many: parts.length > 1 });
    }
    case 'garbage':
      return 'I will not follow the format.';
    default:
      throw new Error(`echo model: unknown op in prompt`);
  }
}
