#!/usr/bin/env bash
# Remake the README screenshots with the app's own --screenshot mode (offscreen, demo provider),
# at a laptop's 1366x768: every tab, the presenter view and the revocation reality check.
set -euo pipefail
cd "$(dirname "$0")"
SIZE=1366x768
for pair in device:device authCode:auth-code clientCredentials:client-credentials \
            ciba:ciba refresh:refresh tokenExchange:token-exchange password:password \
            implicit:implicit cognito:cognito api:api; do
  python3 -m workbench --demo --screenshot "${pair#*:}.png" --tab "${pair%%:*}" --size "$SIZE"
done
# The device login full screen, as a room sees it.
python3 -m workbench --demo --screenshot presenter.png --tab device --presenter --size "$SIZE"
# The revocation reality check: the demo access token revoked, then checked locally and remotely,
# then sent to both demo APIs (one 200 beside one 401).
python3 -m workbench --demo --screenshot reality-check.png --tab clientCredentials --revoke \
  --size "$SIZE"
# The logout reality check: the demo session logged out (the end-session URL followed in-process),
# then the access token checked locally and remotely and sent to both demo APIs (200 and 200).
python3 -m workbench --demo --screenshot logout-reality-check.png --tab clientCredentials --logout \
  --size "$SIZE"
# The pre-token trigger lab: a token without, then one with the example handler, and the diff.
python3 -m workbench --demo --pre-token-trigger ../../workbench/resources/pre_token_trigger_example.py \
  --screenshot trigger-lab.png --size "$SIZE"
# The Cognito tab's Test users panel, against moto's Cognito server (no demo pool exists).
(cd ../.. && python3 docs/screenshots/cognito_users.py docs/screenshots/cognito-users.png)
# The token history: a password grant and its refresh, the two sets compared.
python3 -m workbench --demo --screenshot history.png --tab refresh --history --size "$SIZE"
# The Sequence dock: a client credentials run drawn as a sequence diagram.
python3 -m workbench --demo --screenshot sequence.png --tab clientCredentials --sequence \
  --size "$SIZE"
# The profile editor set up for private_key_jwt: a key generated, its type and kid shown.
(cd ../.. && python3 docs/screenshots/profile_client_key.py docs/screenshots/profile-client-key.png)
# The Auth Code tab with PAR and response mode jwt, caught mid-flow after the push.
(cd ../.. && python3 docs/screenshots/par_jarm.py docs/screenshots/par-jarm.png)
# The profile editor's "Register a new client…" (RFC 7591) against the demo server.
(cd ../.. && python3 docs/screenshots/register_client.py docs/screenshots/register-client.png)
# The Sequence dock for an authorization code, a device and a client credentials flow, light and dark.
for scheme in light dark; do
  (cd ../.. && python3 docs/screenshots/sequences.py "$scheme" docs/screenshots)
done
# DPoP (RFC 9449): the profile editor's setting, and the inspector with a DPoP-bound client
# credentials token, its cnf.jkt checked against the key in use.
(cd ../.. && python3 docs/screenshots/dpop.py docs/screenshots)
# The Auth Code tab with a hybrid response type and a payment_initiation detail (RFC 9396), and
# client credentials with an account_information detail granted, shown in the inspector.
(cd ../.. && python3 docs/screenshots/hybrid_rar.py docs/screenshots)
# The profile editor set up for mutual TLS (RFC 8705) and the inspector's certificate binding.
(cd ../.. && python3 docs/screenshots/profile_mtls.py docs/screenshots/profile-mtls.png)
