#!/bin/bash
# Writes rocky-9/var/lib/rpm/rpmdb.sqlite with rpm itself (Debian's rpm 4.18, SQLite backend): two
# tiny noarch packages built by rpmbuild and installed into an empty database with --justdb, so
# the file is the real format rpm 4.16+ (RHEL 9, Rocky 9, Fedora) keeps, headers and all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{SPECS,RPMS,BUILD,SOURCES,SRPMS,BUILDROOT}
spec() { # name version release epoch license
  cat > "$work/SPECS/$1.spec" <<SPEC
Name: $1
Version: $2
Release: $3
Epoch: $4
Summary: test package $1
License: $5
BuildArch: noarch
%description
A package for scan tests.
%files
SPEC
  rpmbuild --quiet --define "_topdir $work" -bb "$work/SPECS/$1.spec"
}
spec openssl-libs 3.0.7 27.el9 1 "Apache-2.0"
spec bash 5.1.8 9.el9 0 "GPL-3.0-or-later"
db="$here/rocky-9/var/lib/rpm"
rm -rf "$db" && mkdir -p "$db"
rpm --define "_db_backend sqlite" --dbpath "$db" --initdb
rpm --define "_db_backend sqlite" --dbpath "$db" -i --justdb --nodeps --nosignature \
  "$work"/RPMS/noarch/*.rpm
rm -f "$db"/*-shm "$db"/*-wal "$db"/.rpm.lock
ls -l "$db"
