import type { SigningIdentity } from '../shared/identity-rules.ts';
import { fingerprint, newSigningKeys, publicKeyText } from '../shared/identity.ts';
import type { Db, IdentityRecord } from './db.ts';

// This installation's signing identity: made once, on first use, and kept in IndexedDB as a
// CryptoKeyPair whose private half WebCrypto will not export. A killed worker reloads it.

const loaded = new WeakMap<Db, Promise<IdentityRecord>>();

async function loadOrCreate(db: Db): Promise<IdentityRecord> {
  const stored = await db.get('identity', 'self');
  if (stored) return stored;
  const keys = await newSigningKeys();
  const publicKey = await publicKeyText(keys.publicKey);
  const record: IdentityRecord = { keys, publicKey, fingerprint: (await fingerprint(publicKey))! };
  // Checked again inside the write: if another context made one meanwhile, the first one stays.
  const tx = db.transaction('identity', 'readwrite');
  const raced = await tx.store.get('self');
  if (!raced) await tx.store.add(record, 'self');
  await tx.done;
  return raced ?? record;
}

export async function ownIdentity(db: Db): Promise<SigningIdentity> {
  let identity = loaded.get(db);
  if (!identity) {
    identity = loadOrCreate(db);
    // A failed attempt is not cached, so the next message tries again.
    identity.catch(() => loaded.delete(db));
    loaded.set(db, identity);
  }
  const { keys, publicKey, fingerprint: print } = await identity;
  return { privateKey: keys.privateKey, publicKey, fingerprint: print };
}
