#!/usr/bin/python3
"""Writes rpm-vectors.tsv with rpm's own comparison (python3-rpm, rpm.ver: rpmverParseEVR + rpmverCmp,
the epoch:version-release order rpm and dnf use):  /usr/bin/python3 -I generate-rpm.py

Lines: "order<TAB>a<TAB>op<TAB>b" with op one of < = >. The version parts are those rpm's own test
suite compares (tests/rpmvercmp.at: separators, letters against digits, tilde, caret, leading
zeros); the EVRs are real Red Hat, Rocky, AlmaLinux and SUSE ones.
"""
import itertools
import random
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import rpm  # noqa: E402

VERSIONS = """
1.0 2.0 2.0.1 2.0.1a 5.5p1 5.5p2 5.5p10 5.6p1 6.5p1 10xyz 10.1xyz xyz10 xyz10.1 xyz.4 8 2 6.0.rc1
6.0 10b2 10a1 10a2 1.0aa 1.0a 10.0001 10.1 10.0039 4.999.9 5.0 20101121 20101122 2_0 2.0 a+ a_ +a
+_ _+ 1.0~rc1 1.0~rc2 1.0~rc1~git123 1.0arc1 1.0^ 1.0^git1 1.0^git2 1.0^git1~pre 1.0^20160101
1.0^20160102 1.0^20160101^git1 1.0~rc1^git1 1.01 1.0.1 0.6.17 0.6.19
1:1.0 0:1.0 2:0.1 1.0-1 1.0-2 1.0-1.el8 1.0-1.el9 1.0-10.el9 1.0-2.el9 1:1.0-1.el9
3.0.7-24.el9 3.0.7-25.el9 3.0.7-27.el9 1:3.0.7-24.el9 1:3.0.7-27.el9_4 1:3.0.7-28.el9_4 1:3.0.1-43.el9_0
2.4.21-9.EL 2.4.21-9.0.1.EL 3.10.0-229.el7 3.10.0-229.1.2.el7 3.10.0-229.4.2.ael7b 3.10.0-229.1.2.ael7b
1.20.1-10.module+el8.6.0+1234+abcd1234 1.20.1-10.module+el8.7.0+1000+abcd1234
7.76.1-26.el9_3.2 7.76.1-26.el9_3.3 7.76.1-29.el9_4 7.76.1-29.el9_4.1 8.0.1-150400.5.18.1 8.0.1-150400.5.21.1
2.36-9 2.36-9.1 1.1.1k-12.el8_9 1.1.1k-9.el8_7 0:1.1.1k-12.el8_9
""".split()


def op(a, b):
    c = rpm.ver(a).__cmp__(rpm.ver(b)) if hasattr(rpm.ver(a), "__cmp__") else (
        (rpm.ver(a) > rpm.ver(b)) - (rpm.ver(a) < rpm.ver(b)))
    return "<" if c < 0 else (">" if c > 0 else "=")


def main():
    versions = list(dict.fromkeys(VERSIONS))
    rows = [f"order\t{a}\t{op(a, b)}\t{b}" for a, b in itertools.combinations(versions, 2)]
    random.Random(4).shuffle(rows)
    with open("rpm-vectors.tsv", "w", encoding="utf-8") as out:
        out.write(f"# RPM vectors from rpm {rpm.__version__} (python3-rpm rpm.ver, epoch:version-release); "
                  "generate-rpm.py\n")
        out.write("\n".join(rows) + "\n")


main()
