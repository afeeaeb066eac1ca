// Reproducible randomness for the simulator: the same --seed picks the same offline devices and
// the same failing answers on every run. mulberry32 (Tommy Ettinger's 32-bit generator, public
// domain) is enough for spreading devices; it is not meant for anything secret.

export type RandomSource = () => number;

// The seed used when --seed is not given, so two runs without it also behave the same.
export const defaultSimulatorSeed = 1;

export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// FNV-1a over the label, mixed with the seed: each device gets its own stream, so its answers do
// not depend on how its commands interleave with other devices' commands.
export function derivedRandom(seed: number, label: string): RandomSource {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let index = 0; index < label.length; index += 1) {
    hash = Math.imul(hash ^ label.charCodeAt(index), 0x01000193) >>> 0;
  }
  return mulberry32(hash);
}

// Partial Fisher-Yates: `count` distinct indexes out of `total`, spread over the whole range.
export function sampleIndexes(total: number, count: number, random: RandomSource): Set<number> {
  const indexes = Array.from({ length: total }, (_, index) => index);
  const chosen = Math.min(Math.max(0, count), total);
  for (let position = 0; position < chosen; position += 1) {
    const swap = position + Math.floor(random() * (total - position));
    [indexes[position], indexes[swap]] = [indexes[swap]!, indexes[position]!];
  }
  return new Set(indexes.slice(0, chosen));
}
