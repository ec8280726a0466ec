#!/usr/bin/env bash
# Builds the Kafka and PostgreSQL images the tests run, on a machine that reaches no image
# registry: a Debian root filesystem from debootstrap, Kafka's jars from Maven Central.
# Idempotent: an image that already exists is reused.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
state=${SLIPWAY_STATE:-$top/.slipway}
kafka_version=${SLIPWAY_KAFKA_VERSION:-4.1.2}
base_image=slipway/debian-base:bookworm
kafka_image=slipway/kafka:$kafka_version
postgres_image=slipway/postgres:15
mirror=${SLIPWAY_DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { printf '[slipway images] %s\n' "$*"; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

if ! have_image "$base_image"; then
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap (apt)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
  fi
  rootfs="$state/rootfs"
  rm -rf "$rootfs" && mkdir -p "$rootfs"
  say "building $base_image with debootstrap (about a minute)"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,postgresql-15,procps \
    bookworm "$rootfs" "$mirror" >"$state/debootstrap.log" 2>&1 \
    || { say "debootstrap failed, see $state/debootstrap.log"; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import - "$base_image" >/dev/null
  rm -rf "$rootfs"
else
  say "reusing $base_image"
fi

if ! have_image "$kafka_image"; then
  say "building $kafka_image (Kafka jars from Maven Central)"
  ctx="$state/kafka-context"
  rm -rf "$ctx" && mkdir -p "$ctx/libs"
  cp "$here/kafka/Dockerfile" "$here/kafka/run" "$here/kafka/log4j2.properties" "$ctx/"
  "$top/mvnw" -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$kafka_version" -DoutputDirectory="$ctx/libs" -DincludeScope=runtime
  docker build -q -t "$kafka_image" --build-arg BASE="$base_image" "$ctx" >/dev/null
  rm -rf "$ctx"
else
  say "reusing $kafka_image"
fi

if ! have_image "$postgres_image"; then
  say "building $postgres_image"
  docker build -q -t "$postgres_image" --build-arg BASE="$base_image" "$here/postgres" >/dev/null
else
  say "reusing $postgres_image"
fi
