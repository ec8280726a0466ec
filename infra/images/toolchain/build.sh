#!/usr/bin/env bash
# Builds the images build-service runs a build's code in, into podman's local storage, on a machine
# that reaches no image registry:
#   slipway/toolchain:bookworm  the default toolchain of steps (a .slipway.yaml naming no toolchain):
#                               Debian bookworm minbase (sh, bash, coreutils, grep, sed, tar, gzip,
#                               findutils) with git, curl and CA certificates; a user 1000 (build)
#   slipway/buildah:bookworm    the image stage's builder: the same with Buildah (vfs storage,
#                               chroot isolation)
# Idempotent: an image that already exists is reused. SLIPWAY_DEBIAN_MIRROR picks the mirror.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
state=${SLIPWAY_STATE:-$top/.slipway}
mirror=${SLIPWAY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
toolchain=slipway/toolchain:bookworm
builder=slipway/buildah:bookworm

say() { printf '[slipway images] %s\n' "$*" >&2; }
have() { podman image exists "$1" 2>/dev/null; }

mkdir -p "$state"
if ! have "$toolchain"; then
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap (apt)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
  fi
  rootfs="$state/toolchain-rootfs"
  rm -rf "$rootfs" && mkdir -p "$rootfs"
  say "building $toolchain with debootstrap (about a minute)"
  debootstrap --variant=minbase --include=ca-certificates,git,curl \
    bookworm "$rootfs" "$mirror" >"$state/toolchain-debootstrap.log" 2>&1 \
    || { say "debootstrap failed, see $state/toolchain-debootstrap.log"; exit 1; }
  chroot "$rootfs" sh -ec 'groupadd -g 1000 build && useradd -u 1000 -g 1000 -m -d /home/build -s /bin/bash build'
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /workspace' \
    - "$toolchain" >/dev/null
  rm -rf "$rootfs"
  say "built $toolchain"
else
  say "reusing $toolchain"
fi

if ! have "$builder"; then
  say "building $builder (Buildah from apt on $toolchain)"
  ctx="$state/buildah-context"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cat >"$ctx/Containerfile" <<CONTAINERFILE
FROM $toolchain
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends buildah \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/*
ENV STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
CONTAINERFILE
  # The same runtime and limits build-service uses (see build-service's Podman).
  runtime=crun
  if [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ] \
    && [ ! -e /sys/fs/cgroup/cgroup.controllers ] && command -v runc >/dev/null; then runtime=runc; fi
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
  podman build --runtime "$runtime" -q --ulimit "nofile=$nofile:$nofile" --ulimit nproc=16384:16384 \
    -t "$builder" "$ctx" >"$state/buildah-image.log" 2>&1 \
    || { say "building $builder failed, see $state/buildah-image.log"; exit 1; }
  rm -rf "$ctx"
  say "built $builder"
else
  say "reusing $builder"
fi
