// Issue 7, defect 4: a throw in a background task must reach the user, and not stop the tasks after it.
import { describe, expect, it } from 'vitest';
import { serialQueue } from '../../src/background/task-queue.ts';

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
});
