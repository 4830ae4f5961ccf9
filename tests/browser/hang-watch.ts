import type { CDPSession, Page } from 'playwright-core';

// Opt-in (PARLEY_HANG_WATCH=1): a page that stops answering for 5 s is paused over DevTools and
// its JavaScript stack printed, once. For the intermittent stall in delivery-faults (issue 10's
// note): a member's extension renderer at ~90% CPU, its popup no longer answering evaluate.

const PROBE_EVERY_MS = 5_000;
let reported = false;

async function answers(page: Page): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silent = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), PROBE_EVERY_MS); });
  const alive = page.evaluate(() => true).catch(() => true); // closed: not a hang
  try {
    return await Promise.race([alive, silent]);
  } finally {
    clearTimeout(timer);
  }
}

async function printStack(label: string, page: Page): Promise<void> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Debugger.enable');
  const paused = new Promise<{ callFrames: { functionName: string; url: string; location: { lineNumber: number; columnNumber?: number } }[] }>(
    (resolve) => cdp.once('Debugger.paused', resolve),
  );
  await cdp.send('Debugger.pause');
  const { callFrames } = await paused;
  console.error(`hang-watch: ${label}'s page stopped answering; its stack:`);
  for (const f of callFrames.slice(0, 30)) {
    console.error(`  at ${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.location.lineNumber + 1}:${(f.location.columnNumber ?? 0) + 1}`);
  }
  await cdp.send('Debugger.resume');
  await cdp.detach();
}

/** Watches `pages()` (read each time: pages are replaced on reopen) while PARLEY_HANG_WATCH is set. */
export function watchForHangs(pages: () => { label: string; page: Page }[]): void {
  if (!process.env.PARLEY_HANG_WATCH) return;
  setInterval(() => {
    for (const { label, page } of pages()) {
      if (reported || page.isClosed()) continue;
      void answers(page).then(async (ok) => {
        if (ok || reported) return;
        reported = true;
        await printStack(label, page).catch((e: unknown) => console.error('hang-watch: could not pause', e));
      });
    }
  }, PROBE_EVERY_MS).unref();
}
