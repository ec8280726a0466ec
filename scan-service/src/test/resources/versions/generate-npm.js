// Writes npm-vectors.tsv with node-semver itself, the order npm uses:
//   mkdir /tmp/ns && cd /tmp/ns && npm install semver && NODE_PATH=/tmp/ns/node_modules node generate-npm.js
// Numeric identifiers above 2^53 are left out: node-semver turns them into JS numbers, which
// round (9007199254740993 = 9007199254740992), and no registry version relies on that.
// Lines: "order<TAB>a<TAB>op<TAB>b" (op < = >, semver.compare) and "invalid<TAB>text" (semver.valid null).
const fs = require('fs');
const semver = require('semver');
const pkg = require('semver/package.json');

const VERSIONS = `
0.0.0 0.0.1 0.1.0 0.9.9 0.10.0 0.99.0 1.0.0 1.0.1 1.1.0 1.2.3 2.0.0 2.7.2+asdf 3.0.0 v1.2.3
1.0.0-alpha 1.0.0-alpha.1 1.0.0-alpha.beta 1.0.0-beta 1.0.0-beta.2 1.0.0-beta.11 1.0.0-rc.1
1.0.0-rc1 1.0.0-rc2 1.0.0-rc9 1.0.0-rc10 1.0.0-rc.9 1.0.0-rc.10 1.0.0-RC1 1.0.0-0 1.0.0-1 1.0.0-10
1.0.0-2 1.0.0-a 1.0.0-A 1.0.0-a-b 1.0.0-a.b.c.5.d.100 1.0.0-a.b.c.10.d.5 1.0.0-x.7.z.92
1.2.3-asdf 1.2.3-4 1.2.3-4-foo 1.2.3-5 1.2.3-5-foo 1.2.3-5-Foo 1.2.3-a.5 1.2.3-a.10 1.2.3-a.b
1.2.3-r2 1.2.3-r100 1.2.3-R2 1.2.3+build 1.2.3+otherbuild 1.2.3-beta+build 1.2.3-beta+otherbuild
1.2.5 1.2.6-beta.1 1.2.6-beta.2 1.2.6 1.2.6+build.5 4.17.20 4.17.21 5.7.1 5.7.2 6.3.0 7.5.1 7.5.2
0.0.0-20190408214815-ec0a89a131e3 0.0.0-preview1 4.0.0-preview1 1.0.0-alpha.0 1.0.0-alpha.00a
9007199254740991.0.0 10.20.30 1.1.2-prerelease+meta
1.0.0-alpha+001 1.0.0+20130313144700 1.0.0-beta+exp.sha.5114f85 1.0.0-0.3.7 1.0.0--1 1.0.0---
`.split(/\s+/).filter(Boolean);

const INVALID = `
1 1.2 1.2.3.4 01.2.3 1.02.3 1.2.03 1.2.3-01 1.2.3-0123 1.2 1.2.3- 1.2.3+ 1.2.3-a..b +1.2.3
=1.2.3 a.b.c 1.2.3-ü 1.2.3.DEV 1.2-SNAPSHOT 1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788 latest *
`.split(/\s+/).filter(Boolean).concat(['', ' ', '1.2.3 beta']);

const op = (a, b) => { const c = semver.compare(a, b); return c < 0 ? '<' : (c > 0 ? '>' : '='); };
const rows = [];
for (const v of VERSIONS) {
  if (semver.valid(v) === null) throw new Error(`${v} is invalid, move it`);
}
for (let i = 0; i < VERSIONS.length; i++) {
  for (let j = i + 1; j < VERSIONS.length; j++) {
    rows.push(`order\t${VERSIONS[i]}\t${op(VERSIONS[i], VERSIONS[j])}\t${VERSIONS[j]}`);
  }
}
for (const v of INVALID) {
  if (semver.valid(v) !== null) throw new Error(`${v} is valid, move it`);
  rows.push(`invalid\t${v}`);
}
fs.writeFileSync('npm-vectors.tsv',
  `# npm (SemVer 2.0 as npm orders it) vectors from node-semver ${pkg.version} (semver.compare, semver.valid); generate-npm.js\n`
  + rows.join('\n') + '\n');
