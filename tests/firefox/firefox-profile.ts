import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { firefoxExtension } from './firefox-extension.ts';
import { FirefoxPopup } from './firefox-popup.ts';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Prefs that keep Firefox quiet and offline in tests (puppeteer's own defaults already turn off
 * safe browsing, shield, search updates, the welcome pages and most reporting). Nothing would get
 * out of the loopback-only namespace anyway; these stop Firefox trying and waiting on it.
 */
const QUIET_PREFS: Record<string, string | number | boolean> = {
  'app.update.auto': false,
  'app.update.checkInstallTime': false,
  'app.update.disabledForTesting': true,
  'app.normandy.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': '',
  'datareporting.usage.uploadEnabled': false,
  'browser.ping-centre.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'network.captive-portal-service.enabled': false,
  'captivedetect.canonicalURL': '',
  'network.connectivity-service.enabled': false,
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'security.OCSP.enabled': 0,
  'extensions.blocklist.enabled': false,
  'extensions.getAddons.showPane': false,
  'extensions.htmlaboutaddons.recommendations.enabled': false,
  'browser.discovery.enabled': false,
  'browser.region.update.enabled': false,
  'browser.region.network.url': '',
  'browser.topsites.contile.enabled': false,
  'browser.aboutwelcome.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'dom.push.connection.enabled': false,
  // permissions.request() grants at once, without a doorhanger a headless test cannot press.
  'extensions.webextOptionalPermissionPrompts': false,
};

/**
 * WebRTC between profiles in the loopback-only namespace (the direct path; off in Parley unless a
 * test turns "Direct connections" on): the test harness's twin of Chromium's
 * --allow-loopback-in-peer-connection (tests/browser/profile.ts), never set by the extension.
 * - ice.loopback: Firefox gathers no candidate on a loopback interface by default, and loopback
 *   is the namespace's only one: without it there is no candidate at all.
 * That alone is not enough: see allowHostCandidates below.
 */
export const WEBRTC_LOOPBACK_PREFS: Record<string, string | number | boolean> = {
  'media.peerconnection.ice.loopback': true,
};

/**
 * One Firefox profile with Parley installed: one independent Parley instance, driven over
 * WebDriver BiDi. The profile folder outlives `close()`, so `launch()` again is a browser restart
 * on the same profile (its IndexedDB, storage and moz-extension origin).
 */
export class FirefoxProfile {
  browser: Browser | null = null;
  readonly dir: string;
  /**
   * The extension's moz-extension:// host, fixed in the profile's prefs (extensions.webextensions.uuids)
   * before every start: the extension is installed again on each start (a temporary add-on does
   * not outlive the browser), and under the same UUID it finds its own origin's data again.
   */
  readonly uuid = randomUUID();

  /** `prefs`: more Firefox prefs for this profile, over the quiet and WebRTC ones. */
  constructor(readonly label: string, readonly options: { prefs?: Record<string, string | number | boolean> } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), `parley-firefox-${label}-`));
  }

  async launch(): Promise<this> {
    const extension = firefoxExtension();
    this.browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      protocol: 'webDriverBiDi',
      headless: true,
      userDataDir: this.dir,
      // WebDriver BiDi refuses to navigate a tab to a moz-extension:// page ("not allowed in this
      // context") unless the remote agent may reach privileged pages; this flag is how.
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: { ...QUIET_PREFS, ...WEBRTC_LOOPBACK_PREFS, ...this.options.prefs, 'extensions.webextensions.uuids': JSON.stringify({ [extension.id]: this.uuid }) },
    });
    await this.browser.installExtension(extension.dir);
    await allowHostCandidates(this.browser, this.uuid);
    return this;
  }

  /** Quits Firefox; the profile folder stays for the next `launch()`. */
  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    await browser?.close();
  }

  /** Quits Firefox if running and deletes the profile folder. */
  async dispose(): Promise<void> {
    await this.close().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The popup's page opened in a tab: the same UI the toolbar button shows. Starts on the room list. */
  async openPopup(): Promise<FirefoxPopup> {
    const popup = await this.openPopupAsIs();
    if (await popup.page.$('[data-testid=back]')) await popup.back();
    return popup;
  }

  /**
   * The toolbar popup over `page`, as a person's click on Parley's button opens it: activeTab on
   * `page`'s tab (pressToolbarButtonGrant), and the popup's page in a BACKGROUND tab, so `page`
   * stays the window's active tab, the one the popup reads and acts on, as over Firefox's real
   * popup panel. A background tab gets no animation frames: drive it with DOM clicks and
   * selector waits, or bring it to the front once it has read the page. Starts on the room list.
   */
  async popupOver(page: Page): Promise<FirefoxPopup> {
    if (!this.browser) throw new Error(`${this.label}: launch() first`);
    const granted = await pressToolbarButtonGrant(this.browser, page, firefoxExtension().id);
    if (granted !== page.url()) throw new Error(`activeTab went to ${granted}, not ${page.url()}`);
    const popup = await this.openPopupAsIs({ background: true });
    if (await popup.page.$('[data-testid=back]')) {
      await popup.page.$eval('[data-testid=back]', (b) => (b as HTMLElement).click());
      await popup.page.waitForSelector('[data-testid=room-list]');
    }
    return popup;
  }

  /** The popup as it opens: on the room list, or on the room it was last showing. */
  async openPopupAsIs(options: { background?: boolean } = {}): Promise<FirefoxPopup> {
    if (!this.browser) throw new Error(`${this.label}: launch() first`);
    const page = await this.browser.newPage(options);
    await navigate(page, `moz-extension://${this.uuid}/src/popup/index.html`);
    await page.waitForSelector('main[data-ready=true]');
    return new FirefoxPopup(page);
  }
}

/** One raw WebDriver BiDi command on the profile's connection (puppeteer has no call for chrome scope). */
async function bidi(browser: Browser, method: string, params: object): Promise<{ result: Record<string, unknown> }> {
  const connection = (browser as unknown as { connection: { send(m: string, p: object): Promise<{ result: Record<string, unknown> }> } }).connection;
  return connection.send(method, params);
}

/** Evaluates `expression` in the browser window's chrome scope (allowed by --remote-allow-system-access). */
async function chromeEval(browser: Browser, expression: string): Promise<unknown> {
  const tree = await bidi(browser, 'browsingContext.getTree', { 'moz:scope': 'chrome' });
  const [window] = tree.result.contexts as { context: string }[];
  if (!window) throw new Error('no browser window in chrome scope');
  const answer = await bidi(browser, 'script.evaluate', { target: { context: window.context }, awaitPromise: false, expression });
  const result = answer.result as { type: string; result?: { value?: unknown }; exceptionDetails?: { text?: string } };
  if (result.type !== 'success') throw new Error(`chrome scope: ${result.exceptionDetails?.text ?? JSON.stringify(result)}`);
  return result.result?.value;
}

/**
 * Firefox gathers ICE candidates only on the address of its default route, and hides them behind
 * mDNS names, for any page without a camera or microphone permission; no pref turns that off
 * (media.peerconnection.ice.default_address_only can only add to it). The loopback-only namespace
 * has no route at all, so gathering fails ("Couldn't gather ICE candidates", error 10) and no
 * channel can open. The test profile grants the extension's origin the camera permission, in the
 * profile's permission store (test harness only: the extension asks for none): its candidates are
 * then 127.0.0.1 and ::1, as with Chromium's --allow-loopback-in-peer-connection.
 */
async function allowHostCandidates(browser: Browser, uuid: string): Promise<void> {
  const granted = await chromeEval(browser, `(() => {
    const origin = Services.scriptSecurityManager.createContentPrincipalFromOrigin(${JSON.stringify(`moz-extension://${uuid}`)});
    Services.perms.addFromPrincipal(origin, 'camera', Services.perms.ALLOW_ACTION);
    return Services.perms.testExactPermissionFromPrincipal(origin, 'camera');
  })()`);
  if (granted !== 1) throw new Error(`the camera permission for Parley's origin is ${String(granted)}, not granted`);
}

/**
 * Gives the extension activeTab on `page`'s tab exactly as Firefox's toolbar button does before it
 * opens the popup (ext-browserAction: tabManager.addActiveTabPermission(selectedTab)). WebDriver
 * BiDi cannot press browser chrome, so this runs that one call in the window's chrome scope.
 * Resolves with the granted tab's address.
 */
export async function pressToolbarButtonGrant(browser: Browser, page: Page, addonId: string): Promise<string> {
  await page.bringToFront();
  return String(await chromeEval(browser, `(() => {
    const ext = WebExtensionPolicy.getByID(${JSON.stringify(addonId)}).extension;
    ext.tabManager.addActiveTabPermission(gBrowser.selectedTab);
    return gBrowser.selectedBrowser.currentURI.spec;
  })()`));
}

/**
 * Presses an extension's keyboard shortcut over `page`, e.g. ('P', 'alt,shift'): fires the command
 * of the <key> Firefox made for it in the browser window, which is what the key press does (and
 * Firefox's handler grants activeTab, then sends commands.onCommand). Key events that WebDriver
 * BiDi sends go to the page's content only and never reach the window's shortcuts.
 */
export async function pressExtensionShortcut(browser: Browser, page: Page, key: string, modifiers: string): Promise<void> {
  await page.bringToFront();
  const pressed = await chromeEval(browser, `(() => {
    const keys = [...document.querySelectorAll('key')].filter((k) => !k.id && k.getAttribute('key') === ${JSON.stringify(key)} && k.getAttribute('modifiers') === ${JSON.stringify(modifiers)});
    if (keys.length !== 1) return keys.length;
    keys[0].doCommand();
    return 1;
  })()`);
  if (pressed !== 1) throw new Error(`${String(pressed)} extension shortcuts are ${modifiers}+${key}`);
}

/**
 * Navigates with the BiDi command itself. page.goto() would wait for load events that Firefox's
 * BiDi does not send for a moz-extension:// document (the extension's own process), and time out
 * although the page loaded; the command resolves once the document is complete.
 */
async function navigate(page: Page, url: string): Promise<void> {
  const context = (page.mainFrame() as unknown as { browsingContext: { navigate(url: string, wait: 'complete'): Promise<unknown> } }).browsingContext;
  await context.navigate(url, 'complete');
}
