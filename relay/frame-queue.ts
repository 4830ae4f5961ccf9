/**
 * One connection's frames, one at a time: a handler that waits (for a commit, or a networked
 * broker) finishes before the connection's next frame starts, so a client's frames take effect in
 * the order it sent them. What waits here has already been paid for at the rate gate, so its
 * length is bounded by the connection's and its address's budgets; with the local broker a frame
 * waits at most one event-loop turn.
 */
export class FrameQueue {
  #busy = false;
  #waiting: (() => void | Promise<void>)[] = [];

  push(task: () => void | Promise<void>): void {
    if (this.#busy) {
      this.#waiting.push(task);
      return;
    }
    this.#run(task);
  }

  /** The connection is gone: what waits is dropped. */
  close(): void {
    this.#waiting = [];
  }

  #run(task: () => void | Promise<void>): void {
    for (let next: (() => void | Promise<void>) | undefined = task; next !== undefined; next = this.#waiting.shift()) {
      const result = next();
      if (result instanceof Promise) {
        this.#busy = true;
        // Tasks report their own failures (receiveFrame answers INTERNAL); the queue only moves on,
        // either way, with one promise per waiting frame rather than two.
        void result.then(this.#done, this.#done);
        return;
      }
    }
  }

  readonly #done = (): void => {
    this.#busy = false;
    const next = this.#waiting.shift();
    if (next !== undefined) this.#run(next);
  };
}
