/**
 * One queue for everything that touches state: relay frames and intents apply in arrival order,
 * so a replayed history and a live message can never interleave half-written. A task that throws
 * does not stop the queue, and is reported through `onError` (which tells the user), not only the
 * console. `first` runs before every task (opening the database).
 */
export function serialQueue(first: Promise<unknown>, onError: (error: unknown) => void): (task: () => Promise<void>) => void {
  let queue: Promise<unknown> = first.catch(onError);
  return (task) => {
    queue = queue.then(task).catch((e: unknown) => {
      try {
        onError(e);
      } catch {
        // Reporting must never stop the queue.
      }
    });
  };
}
