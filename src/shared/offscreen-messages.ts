// The messages between the background and its offscreen document (src/offscreen/), which hosts
// the RTCPeerConnections a service worker cannot (docs/architecture.md, "The direct path"). The
// offscreen document decides nothing and stores nothing: it makes connections the background asks
// for, hands it every local description, candidate and channel message, and reports state.
// One port (OFFSCREEN_PORT), opened by the offscreen document; a connection is named by `conn`,
// the background's key for one (room, other member) pair.

export const OFFSCREEN_PORT = 'parley-offscreen';

/** ICE servers as the settings hold them (RTCIceServer's shape); empty by default. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export type BackgroundToOffscreen =
  /** Make a connection; `offer` true: create the data channel and an offer (we are the lower peer id). */
  | { type: 'open-conn'; conn: string; offer: boolean; iceServers: IceServer[] }
  /** The other member's description (offer or answer), opened from its sealed SIGNAL. */
  | { type: 'remote-description'; conn: string; kind: 'offer' | 'answer'; sdp: string }
  /** The other member's candidate, as JSON of an RTCIceCandidateInit. */
  | { type: 'remote-candidate'; conn: string; candidate: string }
  /** One channel message (JSON text) to send on the connection's open data channel. */
  | { type: 'send'; conn: string; data: string }
  /** Close and forget the connection. */
  | { type: 'close-conn'; conn: string };

export type OffscreenToBackground =
  /** The port is up and holds no connection (a new document): the background opens what it wants again. */
  | { type: 'ready' }
  /** Our local description, to be sealed and sent as SIGNAL `kind`. */
  | { type: 'local-description'; conn: string; kind: 'offer' | 'answer'; sdp: string }
  /** One of our candidates, JSON of an RTCIceCandidateInit, to be sealed and sent as SIGNAL candidate. */
  | { type: 'local-candidate'; conn: string; candidate: string }
  /** The data channel opened. */
  | { type: 'channel-open'; conn: string }
  /** The data channel or the connection closed or failed; the connection is gone from the document. */
  | { type: 'channel-closed'; conn: string }
  /** The browser refused to make the connection (e.g. its ICE servers): `why` in the browser's words. */
  | { type: 'conn-failed'; conn: string; why: string }
  /** A message arrived on the data channel (unchecked text: the background validates it). */
  | { type: 'channel-message'; conn: string; data: string };
