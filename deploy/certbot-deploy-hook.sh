#!/bin/sh
# certbot deploy hook for a relay that terminates TLS itself (docs/deploy.md). certbot runs it after
# each successful renewal with RENEWED_LINEAGE=/etc/letsencrypt/live/<name>. Install it as
# /etc/letsencrypt/renewal-hooks/deploy/parley-relay.sh (executable). certbot does not run deploy
# hooks on `certbot renew --dry-run`: to try it, run it by hand with RENEWED_LINEAGE set.
#
# The relay runs as the `parley` user, which cannot read certbot's root-only key, so the pair is
# copied where it can, then the relay is told to reload (SIGHUP through systemd's ExecReload).
#
# Each file is copied to a temporary name in the same folder, then renamed over the old one: a
# rename is atomic, so the relay never reads a half-written file. Between the two renames it can
# still see a half pair (the new key with the old certificate): it refuses that pair, logs
# tls_reload_failed and keeps serving the old one, then loads the whole new pair on its next check
# (the second rename changes what it stats) or on the reload below. The key goes first so that a
# new certificate is never on disk beside a key that is not its own for longer than one rename.
set -eu
: "${RENEWED_LINEAGE:?run by certbot as a deploy hook}"
# Both overridable only so tests/relay/certbot-deploy-hook.test.ts can run it in a scratch folder.
dest=${PARLEY_TLS_DIR:-/etc/parley-relay/tls}
group=${PARLEY_TLS_GROUP:-parley}
install -d -m 0750 -o root -g "$group" "$dest"
key_tmp=$(mktemp "$dest/.privkey.pem.XXXXXX")
cert_tmp=$(mktemp "$dest/.fullchain.pem.XXXXXX")
trap 'rm -f "$key_tmp" "$cert_tmp"' EXIT
install -m 0640 -o root -g "$group" "$RENEWED_LINEAGE/privkey.pem" "$key_tmp"
install -m 0644 -o root -g "$group" "$RENEWED_LINEAGE/fullchain.pem" "$cert_tmp"
mv -f "$key_tmp" "$dest/privkey.pem"
mv -f "$cert_tmp" "$dest/fullchain.pem"
systemctl reload parley-relay
