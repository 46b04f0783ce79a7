#!/usr/bin/env bash
# The first job on the embedded defaults: a throwaway home in ./.demo, a signing key, a minted license,
# and that license verified offline. Run with: npm run demo
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LICENSE_ADMIN_HOME="$PWD/.demo"
# The demo keeps its key in a passphrase-encrypted file so it runs on machines without an OS keychain;
# real use keeps it in the keychain (the default of "license-admin init").
export LICENSE_ADMIN_KEY_PASSPHRASE="demo-only-passphrase"
rm -rf "$LICENSE_ADMIN_HOME"
# A fresh clone (or sources newer than the build) is built first, so the demo runs today's code.
if [ ! -f dist/main.js ] || [ -n "$(find src package.json tsconfig.json -newer dist/main.js -print -quit)" ]; then
  echo "Building (npm run build)..." >&2
  npm run build --silent
fi
la() { echo "\$ license-admin $*" >&2; node bin/license-admin.js "$@"; }

la init --yes --key-storage file
la keys show --json >/dev/null && echo "(public key written; see: LICENSE_ADMIN_HOME=.demo npx license-admin keys show)" >&2
la mint --tier pro --email jane@example.com --name "Jane Doe" --json > "$LICENSE_ADMIN_HOME/jane.json"
blob=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).blob)' "$LICENSE_ADMIN_HOME/jane.json")
la verify "$blob"
la list
echo >&2
echo "Demo done: config, key file and ledger are in .demo/. Try: LICENSE_ADMIN_HOME=.demo LICENSE_ADMIN_KEY_PASSPHRASE=demo-only-passphrase node bin/license-admin.js search jane" >&2
