#!/bin/sh
# certbot deploy hook for a relay that terminates TLS itself (docs/deploy.md). certbot runs it after
# each successful renewal with RENEWED_LINEAGE=/etc/letsencrypt/live/<name>. Install it as
# /etc/letsencrypt/renewal-hooks/deploy/parley-relay.sh (executable).
#
# The relay runs as the `parley` user, which cannot read certbot's root-only key, so the pair is
# copied where it can, then the relay is told to reload (SIGHUP through systemd's ExecReload). The
# relay also notices the new files by itself within TLS_RELOAD_MS, and a half-copied pair is
# refused and the old one kept, so the order of the two copies does not matter.
set -eu
: "${RENEWED_LINEAGE:?run by certbot as a deploy hook}"
dest=/etc/parley-relay/tls
install -d -m 0750 -o root -g parley "$dest"
install -m 0644 -o root -g parley "$RENEWED_LINEAGE/fullchain.pem" "$dest/fullchain.pem"
install -m 0640 -o root -g parley "$RENEWED_LINEAGE/privkey.pem" "$dest/privkey.pem"
systemctl reload parley-relay
