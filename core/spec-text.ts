// Specs are written as JSON or YAML; both read to the same object (JSON is valid YAML, but JSON
// errors read better, so JSON is tried first when the text looks like it).
import { parse as parseYaml } from 'yaml';
import { SpecError } from './errors.js';

export function parseSpecText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch (err) {
      throw new SpecError('the spec is not valid JSON', [{ path: '', message: (err as Error).message }]);
    }
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new SpecError('the spec is not valid YAML', [{ path: '', message: (err as Error).message.split('\n')[0]! }]);
  }
}
