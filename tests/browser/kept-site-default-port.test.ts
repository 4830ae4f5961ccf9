import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distGranting, keepSiteFromToolbar } from './kept-site-helpers.ts';
import { OverlayView } from './overlay.ts';
import { startPageServer } from './page-server.ts';
import { Profile } from './profile.ts';
import { RelayProcess } from './relay-process.ts';

// review11b: a kept site on the scheme's default port (every real site: https://example.com) is an
// origin with no port written. docs/security.md "Keep Parley on a site" says the grant and the
// script cover "that origin only". A Chromium match pattern with no port matches every port, so
// `${origin}/*` for http://127.0.0.1 would also put Parley on http://127.0.0.1:P, another origin
// the user never kept. Port 80 is free in the loopback-only namespace (scripts/loopback-only.mjs).
// The dist copy grants http://127.0.0.1/* (all ports), as in keep-site.test.ts, standing for the
// user's Allow: what is checked is what the registered script matches.

let relay: RelayProcess;
let profile: Profile;
let port80: http.Server;
let otherPort: Awaited<ReturnType<typeof startPageServer>>;

beforeAll(async () => {
  relay = await RelayProcess.start();
  port80 = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!doctype html><html><head><title>Port 80</title></head><body><p>The kept site.</p></body></html>');
  });
  await new Promise<void>((resolve) => port80.listen(80, '127.0.0.1', resolve));
  expect((port80.address() as AddressInfo).port).toBe(80);
  otherPort = await startPageServer();
  profile = await new Profile('kept-default-port', undefined, { dist: distGranting(['http://127.0.0.1/*']) }).launch();
  const popup = await profile.openPopup();
  await popup.saveSettings('Ann', relay.url);
  await popup.createRoom();
  await popup.page.close();
});

afterAll(async () => {
  await profile?.close();
  await otherPort?.close();
  await new Promise((r) => port80?.close(r));
  await relay?.kill();
});

async function injectedInto(page: Page): Promise<boolean> {
  await page.waitForLoadState('load');
  return page.evaluate(() => new Promise<boolean>((resolve) => {
    setTimeout(() => resolve(!!document.querySelector('parley-overlay')), 0);
  }));
}

describe('a kept site on its default port', () => {
  it('puts nothing on the same host\'s other ports', async () => {
    const kept = await profile.ctx.newPage();
    await kept.goto('http://127.0.0.1/');
    await keepSiteFromToolbar(profile, kept);
    await (await OverlayView.on(kept)).waitOpen(30_000);
    // Loaded first, then a page of the kept site: once that one shows the overlay, the other's
    // document_idle scripts have had their turn (as keep-site.test.ts does).
    const other = await profile.ctx.newPage();
    await other.goto(otherPort.url);
    const control = await profile.ctx.newPage();
    await control.goto('http://127.0.0.1/again');
    await (await OverlayView.on(control)).waitOpen(30_000);
    expect(await injectedInto(other)).toBe(false);
  });
});
