// DSPy-style signatures: "question: str, context: list[str] -> answer: str, confidence: float".
import { SpecError } from './errors.js';
import type { FieldType } from './types.js';

export interface SignatureField {
  name: string;
  type: FieldType;
  description?: string;
}

export interface Signature {
  inputs: SignatureField[];
  outputs: SignatureField[];
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  peek(s: string): boolean {
    this.skipSpace();
    return this.text.startsWith(s, this.pos);
  }
  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }
  expect(s: string, what: string): void {
    if (!this.eat(s)) this.fail(`expected ${what}`);
  }
  ident(what: string): string {
    this.skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) this.fail(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }
  fail(message: string): never {
    const found = this.pos < this.text.length ? `'${this.text.slice(this.pos, this.pos + 12)}'` : 'end of signature';
    throw new SpecError('invalid signature', [{ path: `signature[${this.pos}]`, message: `${message} at position ${this.pos}, found ${found}` }]);
  }
}

function parseLiteralValue(c: Cursor): string | number | boolean {
  c.skipSpace();
  const rest = c.text.slice(c.pos);
  const quoted = /^(['"])((?:\\.|(?!\1).)*)\1/.exec(rest);
  if (quoted) {
    c.pos += quoted[0].length;
    return quoted[2]!.replace(/\\(.)/g, '$1');
  }
  const num = /^-?\d+(\.\d+)?/.exec(rest);
  if (num) {
    c.pos += num[0].length;
    return Number(num[0]);
  }
  if (c.eat('True') || c.eat('true')) return true;
  if (c.eat('False') || c.eat('false')) return false;
  return c.fail('expected a quoted string, number or boolean in Literal[...]');
}

function parseType(c: Cursor): FieldType {
  c.skipSpace();
  const start = c.pos;
  const name = c.ident('a type');
  switch (name) {
    case 'str':
    case 'int':
    case 'float':
    case 'bool':
    case 'dict':
    case 'json':
      return { kind: name };
    case 'list':
    case 'List': {
      if (!c.eat('[')) return { kind: 'list', of: { kind: 'json' } };
      const of = parseType(c);
      c.expect(']', "']' to close list[")
      return { kind: 'list', of };
    }
    case 'Literal': {
      c.expect('[', "'[' after Literal");
      const values = [parseLiteralValue(c)];
      while (c.eat(',')) values.push(parseLiteralValue(c));
      c.expect(']', "']' to close Literal[");
      return { kind: 'literal', values };
    }
    default:
      c.pos = start;
      return c.fail(`unknown type '${name}' (use str, int, float, bool, list[T], dict, json or Literal[...])`);
  }
}

function parseDescription(c: Cursor): string | undefined {
  c.skipSpace();
  const m = /^"((?:\\.|[^"\\])*)"/.exec(c.text.slice(c.pos));
  if (!m) return undefined;
  c.pos += m[0].length;
  return m[1]!.replace(/\\(.)/g, '$1');
}

function parseFields(c: Cursor, side: string, stop: (c: Cursor) => boolean): SignatureField[] {
  const fields: SignatureField[] = [];
  do {
    const fieldStart = c.pos;
    const name = c.ident(`a field name in the ${side}`);
    const type: FieldType = c.eat(':') ? parseType(c) : { kind: 'str' };
    const description = parseDescription(c);
    if (fields.some((f) => f.name === name)) {
      c.pos = fieldStart;
      c.skipSpace();
      c.fail(`duplicate field '${name}'`);
    }
    fields.push(description === undefined ? { name, type } : { name, type, description });
  } while (c.eat(','));
  if (!stop(c)) c.fail(`expected ',' or ${side === 'inputs' ? "'->'" : 'end of signature'}`);
  return fields;
}

/**
 * Parse a signature string. Field types default to str; a field may carry a "description".
 * @example parseSignature('question: str "what to answer" -> answer: str, score: float')
 */
export function parseSignature(text: string): Signature {
  const c = new Cursor(text);
  const inputs = parseFields(c, 'inputs', (cur) => cur.peek('->'));
  c.expect('->', "'->'");
  const outputs = parseFields(c, 'outputs', (cur) => {
    cur.skipSpace();
    return cur.pos === cur.text.length;
  });
  const clash = outputs.find((o) => inputs.some((i) => i.name === o.name));
  if (clash) throw new SpecError('invalid signature', [{ path: 'signature', message: `field '${clash.name}' is both an input and an output` }]);
  return { inputs, outputs };
}

/** Parse a lone type such as "list[str]" (pipeline input declarations use this). */
export function parseTypeExpr(text: string): FieldType {
  const c = new Cursor(text);
  const t = parseType(c);
  c.skipSpace();
  if (c.pos !== text.length) c.fail('unexpected text after the type');
  return t;
}
