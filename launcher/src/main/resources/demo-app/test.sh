#!/bin/sh
# The shop's tests: the page names the shop and the health endpoint answers ok. Writes a JUnit
# XML report, as any test runner would, so the build reports the counts. Each check takes a second,
# as real tests take a while: long enough to follow the build's log live in the console.
set -e
mkdir -p reports
pass=0
fail=0
cases=""
check() {
  if grep -q "$2" "$3"; then
    pass=$((pass + 1))
    cases="$cases<testcase classname=\"site\" name=\"$1\"/>"
  else
    fail=$((fail + 1))
    cases="$cases<testcase classname=\"site\" name=\"$1\"><failure message=\"$2 not in $3\"/></testcase>"
  fi
}
echo "site tests: checking the front page"
sleep 1
check "index names the shop" "Slipway demo shop" site/index.html
echo "site tests: checking the health endpoint"
sleep 1
check "health answers ok" "ok" site/healthz
echo "<testsuite name=\"site\" tests=\"$((pass + fail))\" failures=\"$fail\">$cases</testsuite>" >reports/TEST-site.xml
echo "site tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
