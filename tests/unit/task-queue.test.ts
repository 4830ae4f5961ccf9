// Issue 7, defect 4: a throw in a background task must reach the user, and not stop the tasks after it.
import { describe, expect, it } from 'vitest';
import { DRAIN_AT_LEAST_EVERY, serialQueue } from '../../src/background/task-queue.ts';

describe('the background serial queue', () => {
  it('runs tasks in order, reports a task that throws, and runs the ones after it', async () => {
    const reported: unknown[] = [];
    const ran: string[] = [];
    const run = serialQueue(Promise.resolve(), (e) => reported.push(e));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    run(async () => { await gate; ran.push('first'); });
    run(async () => { throw new Error('store failed'); });
    const last = new Promise<void>((resolve) => run(async () => { ran.push('after'); resolve(); }));
    release();
    await last;
    expect(ran).toEqual(['first', 'after']);
    expect(reported).toEqual([new Error('store failed')]);
  });

  it('runs onDrain once after a burst, not once per task, and again after a later task', async () => {
    const ran: string[] = [];
    let drained!: () => void;
    let nextDrain = new Promise<void>((r) => (drained = r));
    const run = serialQueue(Promise.resolve(), () => {}, async () => {
      ran.push('drain');
      drained();
    });
    for (const name of ['a', 'b', 'c']) run(async () => { ran.push(name); });
    await nextDrain;
    expect(ran).toEqual(['a', 'b', 'c', 'drain']);
    nextDrain = new Promise<void>((r) => (drained = r));
    run(async () => { ran.push('d'); });
    await nextDrain;
    expect(ran).toEqual(['a', 'b', 'c', 'drain', 'd', 'drain']);
  });

  it('runs onDrain at least every DRAIN_AT_LEAST_EVERY tasks while the queue never empties', async () => {
    const drainedAfter: number[] = [];
    let ran = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const total = DRAIN_AT_LEAST_EVERY * 2 + 5;
    const run = serialQueue(Promise.resolve(), () => {}, async () => {
      drainedAfter.push(ran);
      if (ran === total) done();
    });
    for (let i = 0; i < total; i++) run(async () => { ran++; });
    await finished;
    expect(drainedAfter).toEqual([DRAIN_AT_LEAST_EVERY, DRAIN_AT_LEAST_EVERY * 2, total]);
  });
});
