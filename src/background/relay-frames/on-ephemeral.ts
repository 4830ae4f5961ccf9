import type { EphemeralDeliverFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';

/** Typed but inert for now: issue 10's typing and presence will open and apply the sealed body here. */
export async function onEphemeral(_bg: Background, _link: RelayLink, _frame: EphemeralDeliverFrame): Promise<void> {}
