// Issue 7, defect 10: while the popup has focus, "the active tab of the last focused window" is
// no tab at all (or another window's). The background must open the overlay on the tab the popup
// names (the active tab of the popup's own window), after checking it.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const tabs = new Map<number, { id: number; active: boolean; windowId: number }>();
const injected: number[] = [];
vi.mock('webextension-polyfill', () => ({
  default: {
    tabs: {
      // What Chromium answered while the popup held the focus: no tab in "the last focused window".
      query: async () => [],
      get: async (id: number) => {
        const tab = tabs.get(id);
        if (!tab) throw new Error(`No tab with id: ${id}.`);
        return tab;
      },
    },
    scripting: {
      executeScript: async ({ target }: { target: { tabId: number } }) => {
        injected.push(target.tabId);
        return [];
      },
    },
  },
}));
vi.mock('../../src/content/overlay-main.ts?iife', () => ({ default: 'overlay-main.js' }));

const { openOverlay } = await import('../../src/background/intents/open-overlay.ts');
const { backgroundFixture } = await import('./background-fixture.ts');

beforeEach(() => {
  tabs.clear();
  injected.length = 0;
});

describe('"Chat on this page" from the popup', () => {
  it('opens on the tab the popup names, whatever window has the focus', async () => {
    const f = await backgroundFixture();
    tabs.set(7, { id: 7, active: true, windowId: 1 });
    await openOverlay(f.bg, { type: 'open-overlay', roomId: f.keys.roomId, tabId: 7 }, f.view());
    expect(injected).toEqual([7]);
    expect(f.posted.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('refuses a tab that is gone or not the one showing, in words', async () => {
    const f = await backgroundFixture();
    tabs.set(8, { id: 8, active: false, windowId: 1 });
    await openOverlay(f.bg, { type: 'open-overlay', roomId: f.keys.roomId, tabId: 8 }, f.view());
    await openOverlay(f.bg, { type: 'open-overlay', roomId: f.keys.roomId, tabId: 9 }, f.view());
    await openOverlay(f.bg, { type: 'open-overlay', roomId: f.keys.roomId, tabId: null }, f.view());
    expect(injected).toEqual([]);
    expect(f.posted).toEqual(Array(3).fill({ type: 'error', code: 'CANNOT_INJECT', message: 'There is no page to chat on.' }));
  });
});
