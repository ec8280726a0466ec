#!/usr/bin/env bash
# Builds slipway/jre:17, the base of the service images (./slipway images), on a machine that
# reaches no image registry: the Debian root filesystem of slipway/debian-base (infra/images) with
# everything but the Java 17 runtime removed, a user 185 for the services to run as, and flattened
# into one layer so the removed files cost nothing. Idempotent: an existing image is reused.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
base_image=slipway/debian-base:bookworm
jre_image=${SLIPWAY_JRE_IMAGE:-slipway/jre:17}

say() { printf '[slipway images] %s\n' "$*" >&2; }

if docker image inspect "$jre_image" >/dev/null 2>&1; then
  say "reusing $jre_image"
  exit 0
fi
docker image inspect "$base_image" >/dev/null 2>&1 || bash "$here/../build.sh"

say "building $jre_image from $base_image"
builder=slipway-jre-build-$$
trap 'docker rm -f "$builder" >/dev/null 2>&1 || true' EXIT
# PostgreSQL, Perl and their libraries are in the base for the test images, not for the services.
docker run --name "$builder" "$base_image" sh -ec '
  export DEBIAN_FRONTEND=noninteractive
  apt-mark manual openjdk-17-jre-headless ca-certificates-java >/dev/null
  apt-get purge -y -q --auto-remove $(dpkg-query -W -f "\${Package}\n" \
    | grep -E "^(postgresql|libpq|libllvm|procps|perl$|perl-modules|libperl|libjson-perl|libicu|libxml2|libxslt|ssl-cert|locales)") >/dev/null
  rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* /var/lib/postgresql /etc/postgresql \
    /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/* /usr/share/lintian
  groupadd -g 185 slipway
  useradd -u 185 -g 185 -d /nonexistent -M -s /usr/sbin/nologin slipway 2>/dev/null
  java -version 2>&1 | head -1
' >&2
docker export "$builder" | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --change 'USER 185' \
  - "$jre_image" >/dev/null
say "built $jre_image ($(docker image inspect -f '{{.Size}}' "$jre_image" | awk '{printf "%d MB", $1/1000000}'))"
