import { z } from 'zod';

// JSON Schema (and so the OpenAPI document and every client generated from it) counts a string's
// length in Unicode code points; JavaScript's `length` counts UTF-16 units, so `z.string().max(200)`
// refused 150 emoji that the document allowed. These helpers bound code points and write the same
// bounds into the document.

// The characters String.prototype.trim removes, written out so that JavaScript's and Python's
// regular expressions (the server, schemathesis) agree on them: their `\s` classes differ.
const trimmedCharacters = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** Matches a string holding something that trim() keeps: what "not blank" means for a trimmed field. */
export const notBlankPattern = `[^${trimmedCharacters}]`;

export function codePointLength(value: string): number {
  let count = 0;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
    }
    count += 1;
  }
  return count;
}

// A string never has more code points than UTF-16 units, nor fewer than half of them: most
// values are decided without counting.
const atMost = (value: string, maximum: number) =>
  value.length <= maximum || (value.length <= 2 * maximum && codePointLength(value) <= maximum);
const atLeast = (value: string, minimum: number) =>
  value.length >= 2 * minimum || (value.length >= minimum && codePointLength(value) >= minimum);

export interface TextBounds {
  min?: number;
  max: number;
  /** Stored without surrounding whitespace; then `min` applies to the trimmed value, and a
   * value of whitespace only is refused. */
  trim?: boolean;
}

/** The JSON Schema of text(bounds), e.g. for a map's `propertyNames`. */
export function textJsonSchema({ min = 0, max, trim = false }: TextBounds) {
  return {
    type: 'string' as const,
    ...(min > 0 ? { minLength: min } : {}),
    maxLength: max,
    ...(trim && min > 0 ? { pattern: notBlankPattern } : {}),
  };
}

/** A string of `min`..`max` code points, checked before anything else looks at it. */
export function text(bounds: TextBounds) {
  const { min = 0, max, trim = false } = bounds;
  let schema = z.string().refine((value) => atMost(value, max), { message: `must be at most ${max} characters` });
  if (trim) schema = schema.trim();
  if (min > 0)
    schema = schema.refine((value) => atLeast(value, min), { message: `must be at least ${min} characters` });
  const documented: Partial<ReturnType<typeof textJsonSchema>> = textJsonSchema(bounds);
  delete documented.type;
  return schema.meta(documented);
}
