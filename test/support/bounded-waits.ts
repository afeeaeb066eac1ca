// Every wait in a test has a deadline: a rollout that never gets there fails the test with what it
// waited for, instead of hanging the suite.

export function within<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${milliseconds} ms waiting for ${what}`)), milliseconds);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Polls `check` until it answers something other than undefined/false, at most `milliseconds`.
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  milliseconds: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + milliseconds;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${milliseconds} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
