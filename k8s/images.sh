#!/usr/bin/env bash
# ./slipway images [--registry HOST[:PORT]] [--overlay NAME]...
#
# Builds one OCI image per service with Jib (the root pom's "images" profile: no Docker daemon),
# pushes it to the registry as <registry>/slipway/<service>:<version>, and pins each named overlay
# (default: local) to the pushed digests by writing k8s/overlays/<overlay>/images/kustomization.yaml.
# The registry must answer; ./slipway starts a local one on loopback when none does.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
registry=${SLIPWAY_REGISTRY:-127.0.0.1:5000}
overlays=()
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry=${2:?--registry needs HOST[:PORT]}; shift 2 ;;
    --overlay) overlays+=("${2:?--overlay needs a name, e.g. prod}"); shift 2 ;;
    *) echo "usage: slipway images [--registry HOST[:PORT]] [--overlay NAME]..." >&2; exit 2 ;;
  esac
done
[ ${#overlays[@]} -gt 0 ] || overlays=(local)
for overlay in "${overlays[@]}"; do
  [ -d "$top/k8s/overlays/$overlay" ] || { echo "no overlay k8s/overlays/$overlay" >&2; exit 2; }
done

services=(trigger-service build-service scan-service deploy-service audit-service)
say() { printf '[slipway images] %s\n' "$*" >&2; }

# A registry on loopback speaks plain HTTP (as ./slipway up runs it); any other must speak HTTPS
# unless SLIPWAY_REGISTRY_INSECURE=true says otherwise.
case "$registry" in
  127.* | localhost | localhost:*) insecure=true scheme=http ;;
  *) insecure=${SLIPWAY_REGISTRY_INSECURE:-false} scheme=https ;;
esac
[ "$insecure" = true ] && scheme=http

bash "$top/infra/images/jre/build.sh"
say "pushing the JRE base image to $registry/slipway/jre:17"
docker tag slipway/jre:17 "$registry/slipway/jre:17"
docker push -q "$registry/slipway/jre:17" >/dev/null

version=$(grep -m1 -o '<version>[^<]*' "$top/pom.xml" | cut -d'>' -f2)
say "building and pushing ${#services[@]} images $registry/slipway/<service>:$version with Jib"
modules=$(IFS=,; echo "${services[*]}")
(cd "$top" && ./mvnw -q -B package -DskipTests -Dspotless.check.skip=true -Dslipway.images \
  -pl "$modules" -am \
  -Dquarkus.container-image.registry="$registry" \
  -Dquarkus.container-image.tag="$version" \
  -Dquarkus.container-image.insecure="$insecure")

# Compressed bytes the registry stores for an image: the sum of its layers (shared ones included).
image_bytes() {
  curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "$scheme://$registry/v2/slipway/$1/manifests/$2" \
    | tr -d ' \n' | grep -o '"layers":\[.*\]' | grep -o '"size":[0-9]*' | cut -d: -f2 \
    | awk '{sum += $1} END {print sum + 0}'
}

declare -A digests
printf '%-16s %-73s %s\n' image digest compressed >&2
for svc in "${services[@]}"; do
  digest=$(cat "$top/$svc/target/jib-image.digest")
  [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || { say "no digest for $svc"; exit 1; }
  digests[$svc]=$digest
  printf '%-16s %-73s %d MB\n' "$svc" "$digest" "$(($(image_bytes "$svc" "$digest") / 1000000))" >&2
done
printf '%-16s %-73s %d MB\n' "(base jre:17)" "" "$(($(image_bytes jre 17) / 1000000))" >&2

commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
for overlay in "${overlays[@]}"; do
  file="$top/k8s/overlays/$overlay/images/kustomization.yaml"
  mkdir -p "$(dirname "$file")"
  {
    echo "# Written by ./slipway images (version $version, commit $commit): the images this overlay"
    echo "# runs, pinned by the digests the registry answered. Run the command again to change them."
    echo "apiVersion: kustomize.config.k8s.io/v1alpha1"
    echo "kind: Component"
    echo "images:"
    for svc in "${services[@]}"; do
      echo "  - name: slipway/$svc"
      echo "    newName: $registry/slipway/$svc"
      echo "    digest: ${digests[$svc]}"
    done
  } >"$file"
  say "pinned k8s/overlays/$overlay to these digests ($file)"
done
