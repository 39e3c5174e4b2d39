// JSON nested past a limit is refused before it is parsed: parsers, zod and every recursive walk
// after them (redaction, stringify, the store) would otherwise overflow the stack on it.
export const JSON_DEPTH_LIMIT = 64;

/** Whether `text` opens more than `limit` arrays/objects at once; one pass, brackets inside strings ignored. */
export function jsonDeeperThan(text: string, limit = JSON_DEPTH_LIMIT): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
