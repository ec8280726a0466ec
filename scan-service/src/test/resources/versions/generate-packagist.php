<?php
// Writes packagist-vectors.tsv with Composer's own composer/semver (Debian php-composer-semver):
//   php generate-packagist.php
// Composer normalises a version (VersionParser::normalize, e.g. v1.0 -> 1.0.0.0) and compares
// normalised versions (Comparator, PHP's version_compare with Composer's dev handling).
// Lines: "order<TAB>a<TAB>op<TAB>b" (op < = >) and "invalid<TAB>text" (normalize throws).
// Most versions are real ones from Packagist advisories.
require '/usr/share/php/Composer/Semver/autoload.php';

use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;

$versions = preg_split('/\s+/', trim(<<<'V'
6.7.6 1.3.0-alpha.2374 3.0.30 3.17.3+190429 3.17.4 0.0.3 6.8.16 1.3.9 3.0.34 3.17.6+190624 
3.17.7 0.0.7 7.0.0-RC1 1.4.11 3.0.4 3.18.0+190923 3.18.1 0.1.1 7.1.0 1.5.1a2 3.0.5 
3.19.1+191009 3.19.2 0.1.12 7.2.3 1.6.15 3.0.7-rc1 3.2.0+180206 3.2.0-RC1 0.1.16 7.4.3 
1.7.0-beta.2 3.1.0-RC1 3.2.0-alpha.2.1 3.2.0-alpha.3 0.1.20 7.6.41633 1.7.2.0-rc.1.0 
3.1.0-beta.4 3.2.0-alpha.6.2 3.2.0-alpha.6.3 0.1.5-beta 8.0.0 1.7.7.0-rc.1 3.1.0-beta2 
3.2.0-beta.2 3.2.0-beta.3 0.1.8-beta 8.0.0-beta9 1.9 3.1.0-rc2 3.2.0-rc.2 3.2.0-rc.3 0.10.1 
8.0.44273 11.0.4 3.1.10 3.2.0rc1.post1 3.2.0rc2 0.10.15 8.1.0 16.0.0 3.1.13 3.2.1-rc2 3.2.10 
0.10.20 8.1.46433 19.10.15 3.1.16 3.2.16 3.2.17 0.10.25 8.2.0-beta2 2.0.10 3.1.17.2 3.2.2-rc1 
3.2.2-rc2 0.10.3 8.2.47369 2.0.32 3.1.19-rc1 3.2.24 3.2.25 0.10.34.1 8.3.1 2.1.1p2 3.1.2.2 
3.2.3 3.2.3-rc.1 0.10.5 8.4.0 2.1.56 3.1.21.1 3.2.32 3.2.33 0.11.0 8.4.50565 2.14.2 3.1.27 
3.2.38 3.2.39 0.12.1 8.5.10 2.2.2579 3.1.3-rc2 3.2.41 3.2.42 0.12.5 8.5.51340 2.3.2623 
1 2 10 1.0 1.1 1.2 1.0.1 1.0-dev 1.0a1 1.0b1 1.0RC1 1.0rc1 1.0pl1 v1.0pl1 1.0.0 v1.0.0 V1.0.0
1.0.0.0 1.0.0-alpha 1.0.0-alpha2 1.0.0-alpha10 1.0.0-beta 1.0.0-beta.2 1.0.0-BETA3 1.0.0-RC1
1.0.0-rc.1 1.0.0-patch1 1.0.0-p1 1.0.0-pl2 1.0.0+build 2.0.0-dev 5.4.20 5.4.3 5.4.30 v5.4.30
6.4.0-BETA1 6.4.0-RC2 6.4.0 10.0.0 9.5.28 2.4.11-stable 1.0.0-stable 2023.01.01 1.0.0.1 1.0.0.10
V
));
$invalid = ['junk', '1.0.0-foo', '1..0', '1.0 beta', '.1', 'x.y.z'];

$parser = new VersionParser();
$norm = [];
foreach (array_unique($versions) as $v) {
  try { $norm[$v] = $parser->normalize($v); } catch (UnexpectedValueException $e) { $invalid[] = $v; }
}
$rows = [];
$keys = array_keys($norm);
for ($i = 0; $i < count($keys); $i++) {
  for ($j = $i + 1; $j < count($keys); $j++) {
    $a = $norm[$keys[$i]]; $b = $norm[$keys[$j]];
    $op = Comparator::lessThan($a, $b) ? '<' : (Comparator::equalTo($a, $b) ? '=' : '>');
    $rows[] = "order\t{$keys[$i]}\t$op\t{$keys[$j]}";
  }
}
foreach ($invalid as $v) {
  try { $parser->normalize($v); throw new Exception("$v is valid, move it"); }
  catch (UnexpectedValueException $e) { $rows[] = "invalid\t$v"; }
}
file_put_contents('packagist-vectors.tsv',
  "# Packagist vectors from composer/semver " . trim(shell_exec("dpkg-query -W -f '\${Version}' php-composer-semver")) .
  " (VersionParser::normalize, Comparator) on PHP " . PHP_VERSION . "; generate-packagist.php\n" . implode("\n", $rows) . "\n");
