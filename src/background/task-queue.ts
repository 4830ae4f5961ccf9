/**
 * One queue for everything that touches state: relay frames and intents apply in arrival order,
 * so a replayed history and a live message can never interleave half-written. A task that throws
 * does not stop the queue, and is reported through `onError` (which tells the user), not only the
 * console. `first` runs before every task (opening the database). `onDrain`, if given, runs each
 * time the last queued task has finished (a burst of frames ends in one run of it), and after
 * every DRAIN_AT_LEAST_EVERY tasks in a queue that never empties, so a long replay or a busy room
 * still shows its room list moving; a task queued meanwhile waits for it.
 */
/** Tasks after which onDrain runs even if more are queued. */
export const DRAIN_AT_LEAST_EVERY = 64;

/** Runs a task in the queue; `backlog()`: tasks queued and not finished, the running one included. */
export type SerialQueue = ((task: () => Promise<void>) => void) & { backlog(): number };

export function serialQueue(first: Promise<unknown>, onError: (error: unknown) => void, onDrain?: () => Promise<void>): SerialQueue {
  const report = (e: unknown) => {
    try {
      onError(e);
    } catch {
      // Reporting must never stop the queue.
    }
  };
  let queue: Promise<unknown> = first.catch(onError);
  let waiting = 0;
  let sinceDrain = 0;
  const run = (task: () => Promise<void>) => {
    waiting++;
    queue = queue.then(task).catch(report).then(async () => {
      sinceDrain++;
      if ((--waiting === 0 || sinceDrain >= DRAIN_AT_LEAST_EVERY) && onDrain) {
        sinceDrain = 0;
        await onDrain().catch(report);
      }
    });
  };
  return Object.assign(run, { backlog: () => waiting });
}
