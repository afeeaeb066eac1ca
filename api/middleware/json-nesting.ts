import { BadRequestError } from '../errors';

/**
 * The deepest JSON any request may carry (bodies and imported JSON files). The deepest body the
 * API documents is about 6 levels (a rollout's windows' days); 64 leaves room for command payloads
 * and setting values, and keeps every recursive walk (NUL check, zod, JSON.stringify) trivially
 * shallow.
 */
export const maximumJsonDepth = 64;

const quote = 0x22;
const backslash = 0x5c;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const openBrace = 0x7b;
const closeBrace = 0x7d;

/**
 * The offset of the first `[` or `{` that opens level `maximumDepth + 1` of UTF-8 JSON text, or -1.
 * One pass, no recursion and no allocation, so it costs about 2 ms per MB whatever the shape; it
 * runs on the raw bytes before JSON.parse, whose own cost grows steeply with nesting (a 1 MB body
 * nested 500,000 deep takes 0.3 s to parse). Brackets inside strings do not count; malformed text
 * is left to JSON.parse to refuse.
 */
export function excessiveNestingOffset(utf8: Uint8Array, maximumDepth = maximumJsonDepth): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let offset = 0; offset < utf8.length; offset += 1) {
    const byte = utf8[offset];
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === backslash) escaped = true;
      else if (byte === quote) inString = false;
    } else if (byte === quote) inString = true;
    else if (byte === openBracket || byte === openBrace) {
      depth += 1;
      if (depth > maximumDepth) return offset;
    } else if (byte === closeBracket || byte === closeBrace) depth -= 1;
  }
  return -1;
}

/** Throws the 400 every JSON route answers for text nested deeper than maximumJsonDepth. */
export function assertJsonNesting(utf8: Uint8Array, field: string): void {
  const offset = excessiveNestingOffset(utf8);
  if (offset < 0) return;
  const message = `JSON nested deeper than ${maximumJsonDepth} levels (at byte ${offset})`;
  throw new BadRequestError(`Invalid request: ${field} is ${message}`, [{ field, message }]);
}
