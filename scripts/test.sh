#!/usr/bin/env bash
# What `npm test` runs. Usage: bash scripts/test.sh [extra vitest args, e.g. a test file]
#
# 1. Makes sure there is a D-Bus session with an unlocked gnome-keyring (the OS keychain the CLI uses);
#    if there is none, re-runs itself inside a fresh throwaway one (see /work/shared/NOTES.md).
# 2. npm run build (fail fast), npm run typecheck.
# 3. vitest, with a JSON report in .test-output/vitest.json.
# 4. Prints `N passed, N failed` as the very last line and exits non-zero if anything failed.
#
# SKIP_BUILD=1 skips steps 2 (build and typecheck). It exists only to check this script and the test
# helpers while src/ is incomplete; CI never sets it. Tests that run bin/license-admin.js need a build.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$ROOT/scripts/test.sh"
cd "$ROOT"

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${LICENSE_ADMIN_TEST_KEYRING_WRAPPED:-}" ]; then
  if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
    export LICENSE_ADMIN_TEST_KEYRING_WRAPPED=1
    # A fresh keyring each run: a reused one stays locked.
    XDG_DATA_HOME="$(mktemp -d "${TMPDIR:-/tmp}/la-keyring.XXXXXX")"
    export XDG_DATA_HOME
    keyctl_prefix=()
    if command -v keyctl >/dev/null 2>&1; then keyctl_prefix=(keyctl session -); fi
    # dbus-daemon's "Failed to set fd limit" warning is harmless.
    "${keyctl_prefix[@]}" dbus-run-session -- sh -c \
      'echo -n test-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' \
      sh bash "$SELF" "$@"
    rc=$?
    rm -rf "$XDG_DATA_HOME"
    exit "$rc"
  else
    {
      echo "WARNING: no D-Bus session and dbus-run-session/gnome-keyring-daemon are not installed."
      echo "WARNING: tests that use the OS keychain will fail. Install them with:"
      echo "WARNING:   apt-get install -y dbus gnome-keyring libsecret-1-0 keyutils"
    } >&2
  fi
fi

if [ "${SKIP_BUILD:-}" = "1" ]; then
  echo "test.sh: SKIP_BUILD=1 - skipping build and typecheck (helper checks only)" >&2
else
  npm run build || { echo "test.sh: build failed" >&2; echo "0 passed, 1 failed"; exit 1; }
  npm run typecheck || { echo "test.sh: typecheck failed" >&2; echo "0 passed, 1 failed"; exit 1; }
fi

mkdir -p .test-output
# A fresh transcript per run: tests may scan it for everything the CLI printed.
rm -f .test-output/vitest.json .test-output/cli-transcript.jsonl
npx --no-install vitest run --reporter=default --reporter=json --outputFile=.test-output/vitest.json "$@"
vitest_rc=$?

# Second pass: checks over everything the first pass printed (e.g. no secret in any CLI output).
after_args=()
if [ "$#" -eq 0 ]; then
  rm -f .test-output/vitest-after.json
  LA_AFTER_SUITE=1 npx --no-install vitest run --reporter=default --reporter=json --outputFile=.test-output/vitest-after.json
  after_rc=$?
  after_args=(.test-output/vitest-after.json "$after_rc")
else
  after_rc=0
fi

node scripts/summarize-tests.mjs .test-output/vitest.json "$vitest_rc" "${after_args[@]}"
summary_rc=$?

if [ "$vitest_rc" -ne 0 ]; then exit "$vitest_rc"; fi
if [ "$after_rc" -ne 0 ]; then exit "$after_rc"; fi
exit "$summary_rc"
