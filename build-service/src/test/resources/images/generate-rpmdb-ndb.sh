#!/bin/bash
# Writes sles-15/usr/lib/sysimage/rpm/Packages.db, rpm's own ndb package database (SUSE since SLES
# 15 SP3, openSUSE; rpm 4.15+ built with --enable-ndb), with rpm itself. Debian's rpm is built
# without ndb, so this script builds rpm 4.18.0 from Debian's own source package (bookworm's
# rpm_4.18.0+dfsg, fetched with apt-get source) with --enable-ndb, installs three tiny noarch
# packages built by rpmbuild into an empty ndb with --justdb, and has that rpm read the result back
# into sles-15/rpm-qa.txt, which the test compares with. One package has a description of several
# KiB, so its blob spans many blocks.
# Needs: rpm, rpmbuild (apt-get install rpm), gcc, make, pkg-config, libpopt-dev, liblua5.4-dev,
# libgcrypt20-dev, libmagic-dev, libsqlite3-dev, zlib1g-dev (apt-get install), deb.debian.org.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# rpm with ndb, from Debian's source package (deb-src in a private list, the system's untouched);
# RPM_SRC names a tree this script already built, to skip the build.
src=${RPM_SRC:-}
if [ -z "$src" ]; then
  mkdir -p "$work/apt/lists/partial"
  echo "deb-src http://deb.debian.org/debian bookworm main" > "$work/apt/sources.list"
  apt_src=(-o Dir::Etc::sourcelist="$work/apt/sources.list" -o Dir::Etc::sourceparts=-
    -o Dir::State::Lists="$work/apt/lists")
  apt-get -q "${apt_src[@]}" update >/dev/null
  (cd "$work" && apt-get -q "${apt_src[@]}" source -d rpm=4.18.0+dfsg-1+deb12u1 >/dev/null 2>&1)
  tar -C "$work" -xf "$work"/rpm_4.18.0+dfsg.orig.tar.xz
  src="$work/rpm-4.18.0"
  (cd "$src" && ./configure --prefix="$work/prefix" --enable-ndb --enable-sqlite --disable-bdb-ro \
    --disable-plugins --disable-openmp --without-archive --with-crypto=libgcrypt --disable-nls \
    --without-selinux --without-cap --without-acl --without-audit --without-fsverity \
    --without-imaevm --disable-inhibit-plugin >/dev/null)
  for dir in misc rpmio lib; do make -s -j2 -C "$src/$dir" >/dev/null; done
  make -s -C "$src" rpm macros rpmrc >/dev/null
fi
ndb_rpm() { "$src/rpm" --rcfile "$src/rpmrc" --macros "$src/macros" --define "_db_backend ndb" "$@"; }

mkdir -p "$work"/{SPECS,RPMS,BUILD,SOURCES,SRPMS,BUILDROOT}
spec() { # name version release epoch license description-repeats
  {
    echo "Name: $1"
    echo "Version: $2"
    echo "Release: $3"
    if [ "$4" != "-" ]; then echo "Epoch: $4"; fi
    echo "Summary: test package $1"
    echo "License: $5"
    echo "BuildArch: noarch"
    echo "%description"
    for _ in $(seq "$6"); do echo "A package for scan tests, its description long enough to span blocks."; done
    echo "%files"
  } > "$work/SPECS/$1.spec"
  rpmbuild --quiet --define "_topdir $work" -bb "$work/SPECS/$1.spec"
}
spec libopenssl3 3.0.8 150500.5.8.1 - "Apache-2.0" 1
spec bash 4.4 150400.27.3.2 - "GPL-3.0-or-later" 1
spec timezone 2024a 150000.75.28.1 1 "SUSE-Public-Domain" 150
db="$here/sles-15/usr/lib/sysimage/rpm"
rm -rf "$db" && mkdir -p "$db"
ndb_rpm --dbpath "$db" -i --justdb --nodeps --nosignature "$work"/RPMS/noarch/*.rpm 2>/dev/null
ndb_rpm --dbpath "$db" -qa \
  --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM} %{LICENSE}\n' \
  2>/dev/null | sort > "$here/sles-15/rpm-qa.txt"
rm -f "$db"/.rpm.lock "$db"/Index.db # Packages.db alone is the database; the index is derived
cat "$here/sles-15/rpm-qa.txt"
ls -l "$db"
