import { randomBytes } from 'node:crypto';

// 24-hex ids shaped like MongoDB object ids (what EdgeIQ clients expect in `_id`):
// 4 bytes of seconds since the epoch, then 8 random bytes, so ids sort roughly by creation.
export function newObjectId(now: Date = new Date()): string {
  const seconds = Math.floor(now.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + randomBytes(8).toString('hex');
}

export const objectIdPattern = /^[0-9a-f]{24}$/;
