import type { EphemeralDeliverFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { presenceOnEphemeral } from '../presence.ts';

/** A member's sealed presence, typing or receipt: opened and applied by the presence rules. */
export async function onEphemeral(bg: Background, link: RelayLink, frame: EphemeralDeliverFrame): Promise<void> {
  await presenceOnEphemeral(bg, link, frame);
}
