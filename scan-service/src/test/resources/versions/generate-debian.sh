#!/bin/bash
# Writes debian-vectors.tsv with dpkg itself (dpkg --compare-versions), the order of Debian and
# Ubuntu packages: "order<TAB>a<TAB>op<TAB>b", op < = >.
set -euo pipefail
versions=(0 1 1.0 1.0-1 1.0-2 1.0-1.1 1.0-1ubuntu1 1.0-1+deb12u1 1.0-1+b1 1.0~rc1-1 1.0~~ 1.0~
  1.0+dfsg-1 1.0a 1.0a-1 1.0.1-1 1:0.9-1 1:1.0-1 2:0.1 0:1.0-1 1.00 1.000-1 1.2.3-4 1.2.10-1
  3.0.11-1~deb12u2 3.0.11-1 3.0.13-1~deb12u1 3.0.9-1 7.88.1-10+deb12u5 7.88.1-10+deb12u12
  2.36-9+deb12u4 2.36-9 1.0-0 1.0-a 1.0-A 1.0-~ 10 9 1.0.0 1.0.0~alpha 1.0-1~bpo12+1
  3.0.20-1~deb12u2 3.0.2-0ubuntu1.15 3.0.2-0ubuntu1.10 1.1.1f-1ubuntu2.22 2.35-0ubuntu3.8
  1:1.2.13.dfsg-1 1:1.2.11.dfsg-2+deb11u2 2.6.1 2.6.1+deb12u1 5.2.15-2+b13 5.2.15-2)
{
  echo "# Debian version order from $(dpkg --version | head -1); generate-debian.sh"
  for ((i = 0; i < ${#versions[@]}; i++)); do
    for ((j = i + 1; j < ${#versions[@]}; j++)); do
      a=${versions[i]} b=${versions[j]}
      if dpkg --compare-versions "$a" lt "$b"; then op='<'
      elif dpkg --compare-versions "$a" eq "$b"; then op='='
      else op='>'; fi
      printf 'order\t%s\t%s\t%s\n' "$a" "$op" "$b"
    done
  done
} > debian-vectors.tsv
