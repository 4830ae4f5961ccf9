import type { ViewToBackground } from '../../shared/view-messages.ts';
import { keptOrigin } from '../../shared/kept-origin.ts';
import type { Background, ViewPort } from '../context.ts';
import { forgetSite } from '../kept-sites.ts';

/** Settings' Remove on a kept site: its registered script and the browser's grant go. */
export async function forgetSiteIntent(bg: Background, msg: Extract<ViewToBackground, { type: 'forget-site' }>, view: ViewPort): Promise<void> {
  const origin = keptOrigin(msg.origin);
  if (origin === null) return bg.post(view, { type: 'error', code: 'BAD_REQUEST', message: 'The background did not understand that request.' });
  await forgetSite(bg, origin);
  bg.refresh();
}
