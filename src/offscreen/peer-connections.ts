import type { BackgroundToOffscreen, OffscreenToBackground } from '../shared/offscreen-messages.ts';

/** The one data channel's label on every Parley connection (docs/protocol.md, "The direct path"). */
export const CHANNEL_LABEL = 'parley';

interface Conn {
  pc: RTCPeerConnection;
  channel: RTCDataChannel | null;
  /** Candidates that came before the remote description, added once it is set. */
  early: RTCIceCandidateInit[];
  described: boolean;
}

/** The RTCPeerConnections of one offscreen document, by the background's connection key. */
export function directConnections(post: (msg: OffscreenToBackground) => void) {
  const conns = new Map<string, Conn>();

  /** `tell`: it closed on its own (not at the background's word), so the background must hear of it. */
  const drop = (key: string, tell = true): void => {
    const c = conns.get(key);
    if (!c) return;
    conns.delete(key);
    c.channel?.close();
    c.pc.close();
    if (tell) post({ type: 'channel-closed', conn: key });
  };

  const useChannel = (key: string, c: Conn, channel: RTCDataChannel): void => {
    c.channel = channel;
    channel.onopen = () => post({ type: 'channel-open', conn: key });
    channel.onclose = () => { if (conns.get(key) === c) drop(key); };
    channel.onmessage = (e) => { if (typeof e.data === 'string') post({ type: 'channel-message', conn: key, data: e.data }); };
  };

  const open = async (key: string, offer: boolean, iceServers: RTCIceServer[]): Promise<void> => {
    drop(key, false);
    const pc = new RTCPeerConnection({ iceServers });
    const c: Conn = { pc, channel: null, early: [], described: false };
    conns.set(key, c);
    pc.onicecandidate = (e) => { if (e.candidate) post({ type: 'local-candidate', conn: key, candidate: JSON.stringify(e.candidate.toJSON()) }); };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') drop(key);
    };
    if (offer) {
      useChannel(key, c, pc.createDataChannel(CHANNEL_LABEL, { ordered: true }));
      await pc.setLocalDescription(await pc.createOffer());
      post({ type: 'local-description', conn: key, kind: 'offer', sdp: pc.localDescription!.sdp });
    } else {
      pc.ondatachannel = (e) => { if (e.channel.label === CHANNEL_LABEL && !c.channel) useChannel(key, c, e.channel); };
    }
  };

  const describe = async (key: string, kind: 'offer' | 'answer', sdp: string): Promise<void> => {
    const c = conns.get(key);
    if (!c) return;
    await c.pc.setRemoteDescription({ type: kind, sdp });
    c.described = true;
    for (const cand of c.early.splice(0)) await c.pc.addIceCandidate(cand);
    if (kind === 'offer') {
      await c.pc.setLocalDescription(await c.pc.createAnswer());
      post({ type: 'local-description', conn: key, kind: 'answer', sdp: c.pc.localDescription!.sdp });
    }
  };

  const candidate = async (key: string, text: string): Promise<void> => {
    const c = conns.get(key);
    if (!c) return;
    const init = JSON.parse(text) as RTCIceCandidateInit;
    if (c.described) await c.pc.addIceCandidate(init);
    else c.early.push(init);
  };

  const handle = (msg: BackgroundToOffscreen): void => {
    const failed = (e: unknown): void => {
      console.warn('parley offscreen:', msg.type, e);
      if (!('conn' in msg)) return;
      // Before the connection was recorded (new RTCPeerConnection threw): nothing else would tell.
      if (msg.type === 'open-conn' && !conns.has(msg.conn)) {
        post({ type: 'conn-failed', conn: msg.conn, why: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      } else drop(msg.conn);
    };
    switch (msg.type) {
      case 'open-conn': return void open(msg.conn, msg.offer, msg.iceServers).catch(failed);
      case 'remote-description': return void describe(msg.conn, msg.kind, msg.sdp).catch(failed);
      case 'remote-candidate': return void candidate(msg.conn, msg.candidate).catch(failed);
      case 'send': {
        const ch = conns.get(msg.conn)?.channel;
        if (ch?.readyState === 'open') ch.send(msg.data);
        return;
      }
      case 'close-conn': return drop(msg.conn, false);
    }
  };

  return { handle, closeAll: () => { for (const key of [...conns.keys()]) drop(key); } };
}
