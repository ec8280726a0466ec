#!/bin/bash
# Writes centos-7/var/lib/rpm/Packages, rpm's Berkeley DB hash database (CentOS 7, RHEL 7, SLES 12
# and older), from headers rpm itself wrote: three tiny noarch packages built by rpmbuild are
# installed with --justdb into a scratch SQLite rpmdb (Debian's rpm 4.18 writes no BDB), their header
# blobs are loaded by Berkeley DB's own db5.3_load into a hash database keyed by the header instance
# (uint32, little-endian, as rpm keys it; key 0 holds the next instance, as rpm keeps it), and rpm's
# own bdb_ro backend reads the result back into centos-7/rpm-qa.txt, which the test compares with.
# One package has a description larger than a page, so its header lives on overflow pages.
# Needs: rpm, rpmbuild (apt-get install rpm), db5.3_load (apt-get install db5.3-util), python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
    for _ in $(seq "$6"); do echo "A package for scan tests, its description long enough to span pages."; done
    echo "%files"
  } > "$work/SPECS/$1.spec"
  rpmbuild --quiet --define "_topdir $work" -bb "$work/SPECS/$1.spec"
}
spec openssl-libs 1.0.2k 26.el7_9 1 "OpenSSL" 1
spec bash 4.2.46 35.el7_9 - "GPLv3+" 1
spec tzdata 2024a 1.el7 - "Public Domain" 150
mkdir -p "$work/sqlite"
rpm --define "_db_backend sqlite" --dbpath "$work/sqlite" --initdb
rpm --define "_db_backend sqlite" --dbpath "$work/sqlite" -i --justdb --nodeps --nosignature \
  "$work"/RPMS/noarch/*.rpm 2>/dev/null
python3 - "$work/sqlite/rpmdb.sqlite" > "$work/dump.txt" <<'PY'
import sqlite3, struct, sys
rows = list(sqlite3.connect(sys.argv[1]).execute("SELECT hnum, blob FROM Packages ORDER BY hnum"))
print("VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=4096\nHEADER=END")
print(" " + struct.pack("<I", 0).hex())
print(" " + struct.pack("<I", rows[-1][0] + 1).hex())
for hnum, blob in rows:
    print(" " + struct.pack("<I", hnum).hex())
    print(" " + bytes(blob).hex())
print("DATA=END")
PY
db="$here/centos-7/var/lib/rpm"
rm -rf "$db" && mkdir -p "$db"
db5.3_load -f "$work/dump.txt" "$db/Packages"
rpm --define "_db_backend bdb_ro" --dbpath "$db" -qa \
  --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM} %{LICENSE}\n' 2>/dev/null \
  | sort > "$here/centos-7/rpm-qa.txt"
cat "$here/centos-7/rpm-qa.txt"
ls -l "$db"
