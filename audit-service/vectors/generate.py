#!/usr/bin/env python3
"""Writes the audit log's golden vectors (merkle.json, rows.json) from first principles.

Independent of both Java implementations that read them (audit-service's log and the offline
verifier in launcher/): the Merkle values follow RFC 9162 section 2.1 word for word, anchored by
RFC 6962's published roots of its eight test leaves and by transparency-dev/merkle's happy-path
proofs of that tree (asserted below); the canonical content of each row follows
audit-service/README.md ("The log: rows, chain, Merkle tree, checkpoints"). Run it only to add a
vector: a change to an existing value is a change of the log's format.
"""
import base64, hashlib, json, os, re
from datetime import datetime
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))


def sha(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def leaf(data):
    return sha(b"\x00", data)


def node(l, r):
    return sha(b"\x01", l, r)


def k_of(n):  # the largest power of two smaller than n
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if not leaves:
        return sha()
    if len(leaves) == 1:
        return leaves[0]
    k = k_of(len(leaves))
    return node(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):  # RFC 9162 2.1.3.1
    if len(leaves) <= 1:
        return []
    k = k_of(len(leaves))
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, b):  # RFC 9162 2.1.4.1
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = k_of(n)
    if m <= k:
        return subproof(m, leaves[:k], b) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def consistency(m, leaves):
    return [] if m in (0, len(leaves)) else subproof(m, leaves, True)


def frontier(leaves):  # roots of the perfect subtrees that make up the tree, largest first
    out, start, n = [], 0, len(leaves)
    for level in range(63, -1, -1):
        if n & (1 << level):
            out.append(mth(leaves[start:start + (1 << level)]))
            start += 1 << level
    return out


hx = lambda b: b.hex()
b64 = lambda s: base64.b64decode(s).hex()

# --- merkle.json ---------------------------------------------------------------------------
RFC_DATA = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f"]
RFC_ROOTS = {  # RFC 6962's reference roots of the first n test leaves
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
# transparency-dev/merkle testdata/{inclusion,consistency}/*/happy-path.json (base64 there)
PUBLISHED_INCLUSION = [
    (0, 8, ["lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="]),
    (5, 8, ["vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
    (2, 3, ["+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU="]),
    (1, 5, ["bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="]),
]
PUBLISHED_CONSISTENCY = [
    (1, 8, ["lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="]),
    (6, 8, ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
    (2, 5, ["Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=", "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="]),
    (6, 7, ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
]

rfc = [leaf(bytes.fromhex(d)) for d in RFC_DATA]
for n, root in RFC_ROOTS.items():
    assert hx(mth(rfc[:n])) == root, n
for m, n, p in PUBLISHED_INCLUSION:
    assert [hx(h) for h in path(m, rfc[:n])] == [b64(h) for h in p], (m, n)
for m, n, p in PUBLISHED_CONSISTENCY:
    assert [hx(h) for h in consistency(m, rfc[:n])] == [b64(h) for h in p], (m, n)


def tree_vectors(leaves, sizes, inclusions, consistencies):
    return {
        "roots": [{"size": n, "root": hx(mth(leaves[:n]))} for n in sizes],
        "frontiers": [{"size": n, "hashes": [hx(h) for h in frontier(leaves[:n])]}
                      for n in sizes if n > 0],
        "inclusion": [{"index": m, "size": n, "path": [hx(h) for h in path(m, leaves[:n])]}
                      for m, n in inclusions],
        "consistency": [{"first": m, "second": n,
                         "proof": [hx(h) for h in consistency(m, leaves[:n])]}
                        for m, n in consistencies],
    }


small = tree_vectors(
    rfc, range(0, 9),
    [(m, n) for n in range(1, 9) for m in range(n)],
    [(m, n) for n in range(1, 9) for m in range(0, n + 1)])
small["leaves"] = RFC_DATA
small["leafHashes"] = [hx(h) for h in rfc]

# A tree large enough to cross the stored levels (8, 16) of tiles of 256 hashes.
BIG = 70000
big_leaves = [leaf(("leaf %d" % i).encode()) for i in range(BIG)]
sizes = [1, 255, 256, 257, 511, 512, 65535, 65536, 65537, 66049, BIG]
big = tree_vectors(
    big_leaves, sizes,
    [(0, 257), (255, 256), (256, 257), (300, 511), (65535, 65536), (65536, 65537),
     (12345, 66049), (66048, 66049), (69999, BIG), (4242, BIG)],
    [(1, 257), (255, 257), (256, 257), (256, 65536), (300, 65537), (65536, 65537),
     (65537, 66049), (65535, BIG), (257, BIG), (69999, BIG)])
big["leafRule"] = "leaf i = SHA-256(0x00 || UTF-8(\"leaf \" + i)), i from 0"
big["leafCount"] = BIG

with open(os.path.join(HERE, "merkle.json"), "w") as f:
    json.dump({
        "about": "RFC 6962 / RFC 9162 Merkle tree vectors over SHA-256, hashes in hex. 'rfc6962':"
                 " the RFC's eight test leaves (data in hex), its reference roots, every inclusion"
                 " path and consistency proof of trees up to 8 leaves (they include"
                 " transparency-dev/merkle's published happy paths). 'tiles': a 70,000-leaf tree"
                 " whose leaves follow leafRule, across the stored levels 8 and 16. 'frontiers':"
                 " the roots of the perfect subtrees making up each size, largest first."
                 " Written by generate.py.",
        "rfc6962": small, "tiles": big}, f, indent=1)
    f.write("\n")

# --- rows.json -----------------------------------------------------------------------------
CONTENT = ["topic", "topicId", "partition", "offset", "key", "eventId", "type", "source",
           "application", "runId", "causationId", "commitSha", "environment", "actor", "status",
           "eventTime", "quarantined", "problem", "event", "headers", "seq", "recordedAt",
           "conflictOf"]


def jstr(s):
    out = ['"']
    for c in s:
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def canonical(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return "0" if v == 0 else format(v.normalize(), "f")
    if isinstance(v, str):
        return jstr(v)
    if isinstance(v, list):
        return "[" + ",".join(canonical(x) for x in v) + "]"
    keys = sorted(v.keys(), key=lambda k: k.encode("utf-16-be"))  # UTF-16 code unit order
    return "{" + ",".join(jstr(k) + ":" + canonical(v[k]) for k in keys) + "}"


def micros(text):
    t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(t.timestamp()) * 1_000_000 + t.microsecond


def content(row):
    parts = []
    for name in CONTENT:
        v = row.get(name)
        if name in ("eventTime", "recordedAt") and v is not None:
            parts.append(str(micros(v)))
        elif isinstance(v, int) and not isinstance(v, bool):
            parts.append(str(v))
        else:
            parts.append(canonical(v))
    return "[" + ",".join(parts) + "]"


def load(text):
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


ROWS = [
    # An event as a producer wrote it: members in the producer's order.
    """{"seq":1,"recordedAt":"2025-03-01T09:30:16.000001Z","conflictOf":null,
    "topic":"commit.received","topicId":"3f0c2a8e-6a4b-4f0e-9d1c-2b7a1e5c9f10","partition":2,
    "offset":41,"key":"shop","eventId":"b1c5b1e2-7c0e-4f8a-9a51-6f2d0e8c4a11",
    "type":"dev.slipway.commit.received.v1","source":"/slipway/trigger-service",
    "application":"shop","runId":"run-1","causationId":null,
    "commitSha":"9fceb02d0ae598e95dc970b74767f19372d61af8","environment":null,"actor":"ada",
    "status":null,"eventTime":"2025-03-01T09:30:15.123456Z","quarantined":false,"problem":null,
    "event":{"specversion":"1.0","id":"b1c5b1e2-7c0e-4f8a-9a51-6f2d0e8c4a11",
      "source":"/slipway/trigger-service","type":"dev.slipway.commit.received.v1",
      "time":"2025-03-01T09:30:15.123456Z","subject":"shop","runid":"run-1",
      "commitsha":"9fceb02d0ae598e95dc970b74767f19372d61af8",
      "data":{"provider":"github","ref":"refs/heads/main","actor":"ada","count":3}},
    "headers":null}""",
    # Escapes, key order in UTF-16 units, numbers in every notation, an offset time, headers.
    """{"seq":2,"recordedAt":"2025-03-01T09:30:16.500001Z","conflictOf":1,
    "topic":"deploy.done.dlq","topicId":"0b6f1a44-29d3-4c41-8f7e-7d0a55e3c2b9","partition":0,
    "offset":0,"key":"shop \\"quoted\\" \\\\ back","eventId":"e-2",
    "type":"dev.slipway.deploy.done.v1","source":"/slipway/deploy-service","application":"shop",
    "runId":"run-1","causationId":"b1c5b1e2-7c0e-4f8a-9a51-6f2d0e8c4a11",
    "commitSha":"9fceb02d0ae598e95dc970b74767f19372d61af8","environment":"prod",
    "actor":"ada,grace","status":"ROLLED_BACK","eventTime":"2000-01-01T01:59:59.999999+02:00",
    "quarantined":false,
    "problem":"data: status is not one of SUCCEEDED, FAILED\\nline two\\ttab \\u0001 ctl",
    "event":{"z":1.50,"Z":1e2,"a":-0.0,"\\u00e9":0.000,"\\ud83d\\ude00":12345678901234567890123,
      "\\uff61":1E-7,"b":-12.5e-3,"c":[true,false,null,"x",{},[]],
      "d":{"y":"caf\\u00e9 \\ud83d\\ude00","x":"\\u001f\\u007f/"}},
    "headers":{"x-repeated":["one","two"],"dead-letter-reason":"bad \\"data\\"",
      "x-binary":{"base64":"AAEC"}}}""",
    # A quarantined record: raw bytes in base64, the reason, most columns absent.
    """{"seq":3,"recordedAt":"2025-03-01T09:31:01.000002Z","conflictOf":null,
    "topic":"build.done","topicId":"c4d2e0f1-5a6b-4c7d-8e9f-0a1b2c3d4e5f","partition":1,
    "offset":7,"key":null,"eventId":null,"type":null,"source":null,"application":null,
    "runId":null,"causationId":null,"commitSha":null,"environment":null,"actor":null,
    "status":null,"eventTime":"2025-03-01T09:31:00.123Z","quarantined":true,
    "problem":"quarantined: the header ce_id is not UTF-8 text",
    "event":{"quarantined":{"key_base64":null,"value_base64":"eyJ4IjoxfQ==",
      "headers":[{"name":"ce_id","value_base64":"/w=="}],"timestamp":1740821460123,
      "timestampType":"CreateTime"}},
    "headers":null}""",
    # The service's own row about a read: no Kafka coordinates.
    """{"seq":4,"recordedAt":"2025-03-01T09:32:00.000003Z","conflictOf":null,
    "topic":"audit.read","topicId":null,"partition":null,"offset":null,"key":null,
    "eventId":"7d3f0f9e-1c1a-4b54-a3d2-5b6c7d8e9f00","type":"dev.slipway.audit.read.v1",
    "source":"/slipway/audit-service","application":null,"runId":null,"causationId":null,
    "commitSha":null,"environment":null,"actor":"audrey","status":null,
    "eventTime":"2025-03-01T09:32:00.000003Z","quarantined":false,"problem":null,
    "event":{"specversion":"1.0","id":"7d3f0f9e-1c1a-4b54-a3d2-5b6c7d8e9f00",
      "source":"/slipway/audit-service","type":"dev.slipway.audit.read.v1",
      "time":"2025-03-01T09:32:00.000003Z",
      "data":{"operation":"export","actor":"audrey","roles":["auditor"],
        "query":{"format":"ndjson"}}},
    "headers":null}""",
]

# The canonical event of row 2, written out by hand: members in UTF-16 order ("Z" < "a" < "z" <
# U+00E9 < U+1F600 as the surrogate pair D83D DE00 < U+FF61), numbers plain and without trailing
# zeros, control characters as \\u00xx, everything else as it is.
ROW2_EVENT = ('{"Z":100,"a":0,"b":-0.0125,"c":[true,false,null,"x",{},[]],'
              '"d":{"x":"\\u001f\x7f/","y":"caf\u00e9 \U0001F600"},"z":1.5,'
              '"\u00e9":0,"\U0001F600":12345678901234567890123,"\uff61":0.0000001}')

vectors, prev, leaves = [], bytes(32), []
for text in ROWS:
    row = load(text)
    for name in ("seq", "partition", "offset", "conflictOf"):
        if row.get(name) is not None:
            row[name] = int(row[name])
    c = content(row)
    lh = leaf(c.encode("utf-8"))
    h = sha(prev, lh)
    line = re.sub(r"\n\s*", "", text)  # the export's one line; numbers as the producer wrote them
    assert load(line) == load(text)
    vectors.append({"line": line, "content": c, "leafHash": hx(lh),
                    "prevHash": hx(prev), "hash": hx(h)})
    prev = h
    leaves.append(lh)
assert canonical(load(ROWS[1])["event"]) == ROW2_EVENT, canonical(load(ROWS[1])["event"])

# A checkpoint of those four rows, signed with a key made for these vectors only (Ed25519 signs
# deterministically): a C2SP signed note (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

ORIGIN = "slipway.dev/audit"
seed = sha(b"slipway audit log vectors: a test-only key")
key = Ed25519PrivateKey.from_private_bytes(seed)
public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
key_id = sha((ORIGIN + "\n").encode(), b"\x01", public)[:4]
text = "%s\n%d\n%s\n" % (ORIGIN, len(leaves), base64.b64encode(mth(leaves)).decode())
signature = key.sign(text.encode())
checkpoint = {
    "privateKey": "PRIVATE+KEY+%s+%s+%s" % (ORIGIN, key_id.hex(),
                                             base64.b64encode(b"\x01" + seed).decode()),
    "verifierKey": "%s+%s+%s" % (ORIGIN, key_id.hex(), base64.b64encode(b"\x01" + public).decode()),
    "note": text + "\n\u2014 %s %s\n" % (ORIGIN, base64.b64encode(key_id + signature).decode()),
}

with open(os.path.join(HERE, "rows.json"), "w", encoding="utf-8") as f:
    json.dump({
        "about": "Rows of the audit log as lines of an NDJSON export ('line', without the"
                 " hashes, numbers in a producer's notation), the canonical content each gives (audit-service/README.md) and the"
                 " hashes: leafHash = SHA-256(0x00 || UTF-8(content)), hash = SHA-256(prevHash ||"
                 " leafHash); the rows are seq 1..4 of one log, so 'rangeRoot' is the Merkle root"
                 " of their leaves, and 'checkpoint' signs that root at tree size 4 with a key"
                 " made for these vectors only. Written by generate.py.",
        "rows": vectors, "rangeRoot": hx(mth(leaves)), "checkpoint": checkpoint},
        f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote merkle.json and rows.json")
