import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How the write-ahead log of a file store is kept short (docs/protocol.md, "Retention and storage"). */
export interface WalLimits {
  /** The worker checkpoints (PASSIVE) at least this often while anything was written. */
  readonly checkpointMs: number;
  /** Past this size the worker is asked to checkpoint (PASSIVE) at once. */
  readonly checkpointBytes: number;
  /** Past this size the relay's own connection checkpoints (TRUNCATE) before acking the commit. */
  readonly maxBytes: number;
}

// The worker is a string evaluated by node, not a module file: the same code then runs under tsx
// (development, tests), vitest and the built relay-dist/, with no loader or path to agree on.
// better-sqlite3 is resolved here and handed over by path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const { path, checkpointMs, stopFlag } = workerData;
const db = new Database(path, { fileMustExist: true });
// A checkpoint never waits for the relay's writer (PASSIVE) and never keeps it waiting.
db.pragma('busy_timeout = 0');
const flag = new Int32Array(stopFlag);
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // SQLITE_BUSY while the relay's connection runs its own TRUNCATE: the next round catches up.
    parentPort.postMessage({ failed: String(error && error.message || error) });
  }
  parentPort.postMessage({ done: true });
};
const timer = setInterval(checkpoint, checkpointMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') return checkpoint();
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  parentPort.close();
});
`;

/** How long close() waits for a checkpoint in progress to end before leaving the worker behind. */
const STOP_WAIT_MS = 10_000;
/** How long a commit past the bound waits for the worker's checkpoint before giving up on truncating. */
const TRUNCATE_WAIT_MS = 5_000;

/**
 * Keeps a file store's WAL short without checkpointing on the relay's thread. SQLite's own
 * automatic checkpoint runs inside a commit, on the thread that committed, and its fsyncs are the
 * relay's slowest moments; here it is off (wal_autocheckpoint = 0) and a worker thread with its own
 * connection checkpoints instead (PASSIVE: it copies committed pages into the database file without
 * blocking the writer). After each commit the relay looks at the WAL's size (one stat): past
 * `checkpointBytes` it wakes the worker; past `maxBytes` (the worker fell behind, or a reader kept
 * it from finishing) it checkpoints itself with TRUNCATE before anything of that commit is acked,
 * so the file never stays over the bound. journal_size_limit = `checkpointBytes` makes SQLite cut
 * the file back to that size when the WAL restarts after a complete checkpoint (below it the file
 * is reused, which writes faster than growing it), so a file past `checkpointBytes` holds that much
 * written since the last complete checkpoint.
 */
export class WalCheckpointer {
  readonly #walPath: string;
  readonly #worker: Worker;
  readonly #stopFlag = new SharedArrayBuffer(4);
  readonly #sleeper = new Int32Array(new SharedArrayBuffer(4));
  /** A wake-up is on its way or running: one is enough. */
  #asked = false;
  #running = true;

  constructor(
    private readonly db: Database.Database,
    path: string,
    private readonly limits: WalLimits,
  ) {
    this.#walPath = `${path}-wal`;
    db.pragma('wal_autocheckpoint = 0');
    db.pragma(`journal_size_limit = ${limits.checkpointBytes}`);
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, sqlite, checkpointMs: limits.checkpointMs, stopFlag: this.#stopFlag },
    });
    this.#worker.unref();
    this.#worker.on('message', (message: { done?: boolean }) => {
      if (message.done === true) this.#asked = false;
    });
    // Without its worker the store still needs checkpoints: SQLite's own, on this thread, as before.
    this.#worker.on('error', () => this.#fallBack());
    this.#worker.on('exit', () => this.#fallBack());
  }

  /** After a commit, before its acks: keeps the WAL under the bound. */
  committed(): void {
    let size: number;
    try {
      size = statSync(this.#walPath).size;
    } catch {
      return; // no WAL file yet
    }
    if (size > this.limits.maxBytes) {
      this.#truncate();
    } else if (size > this.limits.checkpointBytes && this.#running && !this.#asked) {
      this.#asked = true;
      this.#worker.postMessage('checkpoint');
    }
  }

  /** Waits for the worker to close its connection, so the relay's close is the last and cleans up. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#worker.postMessage('stop');
    Atomics.wait(new Int32Array(this.#stopFlag), 0, 0, STOP_WAIT_MS);
  }

  /**
   * SQLite answers busy at once, without waiting, while the worker's checkpoint runs; that one
   * ends within one checkpoint's time, so this waits for it in short sleeps, then truncates.
   */
  #truncate(): void {
    const started = performance.now();
    for (;;) {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (result?.busy !== 1 || performance.now() - started > TRUNCATE_WAIT_MS) return;
      Atomics.wait(this.#sleeper, 0, 0, 1);
    }
  }

  #fallBack(): void {
    if (!this.#running) return;
    this.#running = false;
    if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
  }
}

/** The store's file path when it has a WAL file of its own; null in memory or for a URI. */
export const walFilePath = (db: Database.Database, path: string): string | null =>
  db.memory || path.startsWith('file:') ? null : path;
