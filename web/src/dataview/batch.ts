/** Runs `task` over `items` with at most `concurrency` in flight; returns the failures with their errors. */
export async function runLimited<T>(items: T[], concurrency: number, task: (item: T) => Promise<unknown>, onProgress?: (done: number) => void): Promise<Array<{ item: T; error: unknown }>> {
  const failures: Array<{ item: T; error: unknown }> = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failures.push({ item, error });
      }
      onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return failures;
}
