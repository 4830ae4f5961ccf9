// Search in a room's history (search-room): how long a search takes, from the click to the results
// drawn, with BENCH_SEARCH_LINES (10,000) lines stored in a real Chromium profile's IndexedDB.
// The lines are written straight into the extension's database from its popup page (same origin),
// so no relay is needed. Prints figures; never asserts. After `npm run build`:
// `node scripts/loopback-only.mjs node --import tsx scripts/bench-search.ts`
import { Profile } from '../tests/browser/profile.ts';
import { RelayProcess } from '../tests/browser/relay-process.ts';

const LINES = Number(process.env.BENCH_SEARCH_LINES ?? 10_000);
const RUNS = 5;

const relay = await RelayProcess.start();
const profile = await new Profile('bench-search').launch();
try {
  const popup = await profile.openPopup();
  await popup.saveSettings('A', relay.url);
  await popup.createRoom();
  const roomId = (await popup.page.getByTestId('room-view').getAttribute('data-room-id'))!;
  await popup.page.evaluate(([room, n]) => new Promise<void>((resolve, reject) => {
    const open = indexedDB.open('parley');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('messages', 'readwrite');
      const words = ['lunch', 'meeting', 'tomorrow', 'station', 'coffee', 'report', 'weekend', 'train'];
      for (let i = 1; i <= n; i++) {
        // Ordinary chat lines of ~60-120 characters; "needle-oldest" only in the first.
        const text = `${i === 1 ? 'needle-oldest ' : ''}message ${i} about the ${words[i % words.length]} and the ${words[(i * 7) % words.length]}, see you there ${'.'.repeat(i % 60)}`;
        tx.objectStore('messages').put({
          roomId: room, id: `B${String(i).padStart(25, '0')}`, kind: 'message', seq: i, order: i, mine: false,
          nick: 'Peer', text, sentAt: Date.now() - (n - i) * 1000, status: 'received', sender: { verified: false },
        });
      }
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }), [roomId, LINES] as const);
  await popup.page.getByTestId('open-search').click();
  const measure = async (query: string): Promise<{ ms: number; count: string }> => {
    await popup.page.getByTestId('search-input').fill(query);
    const before = performance.now();
    await popup.page.getByTestId('search-go').click();
    await popup.page.waitForFunction((q) => {
      const c = document.querySelector('[data-testid=search-count]');
      return c !== null && (document.querySelector('[data-testid=search-input]') as HTMLInputElement).value === q;
    }, query);
    const ms = performance.now() - before;
    const count = (await popup.page.getByTestId('search-count').textContent()) ?? '';
    return { ms, count };
  };
  const cases: [string, string][] = [
    ['a word in many lines (stops after 50 newest)', 'coffee'],
    ['only the oldest line (scans all)', 'NEEDLE-OLDEST'],
    ['no line (scans all)', 'zebra'],
  ];
  console.log(`search-room over ${LINES.toLocaleString('en')} stored lines, click to results drawn, median of ${RUNS}:`);
  for (const [label, query] of cases) {
    const runs: number[] = [];
    let count = '';
    // A different spelling each run (search ignores case), so an earlier answer on screen is never taken for this one.
    const spelling = (i: number) => [...query].map((c, j) => (j % RUNS === i ? c.toUpperCase() : c.toLowerCase())).join('');
    for (let i = 0; i < RUNS; i++) ({ ms: runs[i]!, count } = await measure(spelling(i)));
    runs.sort((a, b) => a - b);
    console.log(`  ${label}: ${runs[Math.floor(RUNS / 2)]!.toFixed(0)} ms (min ${runs[0]!.toFixed(0)}, max ${runs[RUNS - 1]!.toFixed(0)}; "${count}")`);
  }
} finally {
  await profile.close();
  await relay.kill();
}
