#!/usr/bin/env bash
# Remake the README screenshots with the app's own --screenshot mode (offscreen, demo provider).
set -euo pipefail
cd "$(dirname "$0")"
for pair in device:device authCode:auth-code clientCredentials:client-credentials \
            refresh:refresh password:password implicit:implicit; do
  python3 -m workbench --demo --screenshot "${pair#*:}.png" --tab "${pair%%:*}" --size 1360x860
done
# The revocation reality check: the demo access token revoked, then checked locally and remotely.
python3 -m workbench --demo --screenshot reality-check.png --tab clientCredentials --revoke
