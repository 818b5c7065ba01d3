#!/usr/bin/env bash
# `npm run examples`: builds the library, then synthesizes every app under examples/
# into examples/<name>/dist with `cdk8s synth`. The apps import `cdk8s-istio`, which
# resolves to this checkout's built library through examples/node_modules/cdk8s-istio.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

npx projen compile >/dev/null

# every app resolves `cdk8s-istio` to this checkout; the validation plugin is loaded
# by relative path (`package: ./node_modules/cdk8s-istio`), as cdk8s-cli would try
# to install a plain package name from the registry. The links point back at the
# checkout, a cycle for tools that walk the tree (jsii-docgen), so they are removed
# when the script ends.
cleanup() { rm -rf examples/node_modules examples/*/node_modules; }
trap cleanup EXIT
for cfg in examples/*/cdk8s.yaml; do
  mkdir -p "$(dirname "$cfg")/node_modules"
  ln -sfn "$root" "$(dirname "$cfg")/node_modules/cdk8s-istio"
done

export CDK8S_CHECK_UPGRADE=false
count=0
for cfg in examples/*/cdk8s.yaml; do
  dir="$(dirname "$cfg")"
  echo "== synth $dir"
  rm -rf "$dir/dist"
  (cd "$dir" && "$root/node_modules/.bin/cdk8s" synth --check-upgrade false)
  count=$((count + 1))
done
echo "examples: $count app(s) synthesized"
