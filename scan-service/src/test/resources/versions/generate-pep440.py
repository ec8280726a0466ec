#!/usr/bin/python3
"""Writes pep440-vectors.tsv with Debian's python3-packaging (the reference PEP 440 implementation).

Run with the system interpreter so the Debian package answers: /usr/bin/python3 -I generate-pep440.py
Lines: "order<TAB>a<TAB>op<TAB>b" with op one of < = >, "invalid<TAB>text".
"""
import itertools
import random
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import packaging  # noqa: E402
from packaging.version import InvalidVersion, Version  # noqa: E402

VERSIONS = """
0 0.0 0.0.0 0.1 0.9 0.10 1 1.0 1.0.0 1.0.0.0 1.0.1 1.1 1.2 1.10 1.11 2 2.0 10.0 2014.04 2024.1.1
1.0.dev0 1.0.dev1 1.0.dev456 1.0a1.dev1 1.0a1 1.0a2 1.0a12 1.0a12.dev456 1.0b1.dev456 1.0b1 1.0b2
1.0b2.post345.dev456 1.0b2.post345 1.0b2-346 1.0c1.dev456 1.0c1 1.0rc1 1.0rc2 1.0c3 1.0
1.0.post456.dev34 1.0.post456 1.0.post1 1.0-1 1.0-r4 1.0.rev5 1.0post7 1.1.dev1 1.1a1 1.1
1!0.5 1!1.0 1!1.0a1 2!0.1 1.0+abc.5 1.0+abc.7 1.0+abc.10 1.0+5 1.0+10 1.0+ubuntu-1 1.0+ubuntu.1
1.0+local.ABC 1.0.0+1 v1.0 V1.0 1.0-alpha1 1.0.ALPHA.1 1.0_beta_2 1.0-preview3 1.0pre4 1.0-c5 1.0a-1
1.0.dev 1.0a 1.0.post 1.0-dev2 1.0-DEV3 2.31.0 2.30.0 2.3.0 2.2.9 2.31.0rc1 2.31.0.post1 2.31.1
3.1.3 3.1.2 3.1.3a1 3.1.3.dev0 3.1.3+local 1.11.0 1.11.0.post1 1.11.1.dev0 1.10.9 1.11
4.17.21 0.0.1 00.01 1.01 1.00.0 01!1.0 1.0RC1 1.0.0rc01 1.0.0-rc.1 1.0.0.a0 1.0.0.b0
""".split()

INVALID = """
1.0.x 1.0+ +1.0 1.0++1 1.0+_foo 1.0.post1.post2 1.0-foo french toast 1.0+local+x 1.0!0 a1.0
1.0..1 .1.0 1.0.dev1.dev2 1.0a1a2 1.0+ü 1,0 1.0-+1
""".split() + ["", " ", "1.0 beta"]


def op(a, b):
    return "<" if a < b else (">" if a > b else "=")


def main():
    rows = []
    parsed = [(text, Version(text)) for text in VERSIONS]
    for (ta, va), (tb, vb) in itertools.combinations(parsed, 2):
        rows.append(f"order\t{ta}\t{op(va, vb)}\t{tb}")
    rng = random.Random(440)
    rng.shuffle(rows)
    for text in INVALID:
        try:
            Version(text)
            raise SystemExit(f"{text!r} is valid, move it")
        except InvalidVersion:
            rows.append(f"invalid\t{text}")
    out = open("pep440-vectors.tsv", "w", encoding="utf-8")
    out.write(f"# PEP 440 vectors from Debian python3-packaging {packaging.__version__}; generate-pep440.py\n")
    out.write("\n".join(rows) + "\n")


main()
