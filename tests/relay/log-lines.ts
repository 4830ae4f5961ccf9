export interface LogLine { level: string; event: string; [field: string]: unknown }

/** Collects a relay's JSON log lines; `event` awaits one without sleeping. */
export class LogLines {
  readonly lines: LogLine[] = [];
  readonly #waiters: (() => void)[] = [];

  /** Pass as `writeLog` to startRelay, or feed it a child process's stdout lines. */
  readonly write = (text: string): void => {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.lines.push(JSON.parse(line) as LogLine);
    }
    for (const wake of this.#waiters.splice(0)) wake();
  };

  /** The first line of `event` after the first `skip` ones, once it is logged. */
  async event(name: string, skip = 0): Promise<LogLine> {
    for (;;) {
      const found = this.lines.filter((line) => line.event === name)[skip];
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  get text(): string {
    return this.lines.map((line) => JSON.stringify(line)).join('\n');
  }
}
