import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ActionPopup } from './action-popup.ts';
import { Profile } from './profile.ts';

/**
 * A copy of dist/ whose manifest grants `patterns` as host_permissions: it stands for "the user
 * already clicked Allow" in Chromium's permission prompt, which automation cannot answer (headless
 * Chromium 156 never resolved permissions.request). The popup's own request then resolves true with
 * no prompt, and everything after it is the real code. Load it with new Profile(label, dir, { dist }).
 */
export function distGranting(patterns: string[]): string {
  const dist = mkdtempSync(join(tmpdir(), 'parley-granted-dist-'));
  cpSync(new URL('../../dist', import.meta.url).pathname, dist, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
  manifest.host_permissions = patterns;
  writeFileSync(join(dist, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dist;
}

/**
 * "Keep Parley on this site" the way a person does it: the toolbar button over `page`, the room
 * named `roomName` (the first room if null), its "Keep Parley on this site" clicked as a user's
 * gesture. Resolves once the popup says the site is kept; returns the popup.
 */
export async function keepSiteFromToolbar(profile: Profile, page: Page, roomName: string | null = null): Promise<ActionPopup> {
  const popup = await profile.clickToolbarButton(page);
  await popup.waitFor('document.querySelector("main[data-ready=true]")');
  await popup.evaluate('document.querySelector("[data-testid=back]")?.click()');
  const room = roomName === null
    ? 'document.querySelector("[data-testid=room]")'
    : `[...document.querySelectorAll("[data-testid=room]")].find((r) => r.textContent.includes(${JSON.stringify(roomName)}))`;
  await popup.waitFor(room);
  await popup.evaluate(`${room}.click()`);
  await popup.waitFor('document.querySelector("[data-testid=room-view]")');
  // The popup looks up the page's site as it opens; the button is there once it knows it.
  await popup.clickAsUser('[data-testid=keep-site]');
  await popup.waitFor('document.querySelector("[data-testid=site-kept]")');
  return popup;
}

/**
 * Ann's profile on a dist/ copy granting http://127.0.0.1/* (distGranting: "the user clicked
 * Allow"), her settings saved for `relayUrl`, and one room per [name, line], each with that line sent.
 */
export async function keptSiteProfile(label: string, relayUrl: string, rooms: [name: string, line: string][]): Promise<Profile> {
  const profile = await new Profile(label, undefined, { dist: distGranting(['http://127.0.0.1/*']) }).launch();
  const popup = await profile.openPopup();
  await popup.saveSettings('Ann', relayUrl);
  for (const [name, line] of rooms) {
    await popup.page.getByTestId('new-room-name').fill(name);
    await popup.createRoom();
    await popup.send(line);
    await popup.waitForMessage(line, 'sent');
    await popup.back();
  }
  await popup.page.close();
  return profile;
}
