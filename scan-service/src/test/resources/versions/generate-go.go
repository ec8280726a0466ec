// Writes go-vectors.tsv with Go's own module version order, golang.org/x/mod/semver (Debian
// golang-golang-x-mod-dev), the order the go command uses for module versions:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run generate-go.go
//
// Lines: "order<TAB>a<TAB>op<TAB>b" (op < = >, semver.Compare) and "invalid<TAB>text"
// (semver.IsValid false). Pseudo-versions, +incompatible and the major-version forms are the
// ones real Go advisories and go.sum files carry.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/mod/semver"
)

var versions = strings.Fields(`
v0.0.0 v0.0.1 v0.1.0 v0.9.9 v0.10.0 v1.0.0 v1.0.1 v1.1.0 v1.2.3 v2.0.0 v1 v1.2 v1.2.0
v1.0.0-alpha v1.0.0-alpha.1 v1.0.0-alpha.beta v1.0.0-beta v1.0.0-beta.2 v1.0.0-beta.11
v1.0.0-rc.1 v1.0.0-rc1 v1.0.0-rc9 v1.0.0-rc10 v1.0.0-RC1 v1.0.0-0 v1.0.0-1 v1.0.0-10 v1.0.0-2
v1.2.3+build v1.2.3+otherbuild v3.2.0+incompatible v3.2.0 v3.2.1+incompatible v4.0.0-preview1
v4.0.0 v4.5.0 v4.5.1 v0.0.0-20190408214815-ec0a89a131e3 v0.0.0-20150717181359-44718f8a89b0
v0.0.0-20150101000000-aaaaaaaaaaaa v0.3.7 v0.3.8 v0.3.8-0.20220101000000-abcdefabcdef
v1.2.4-0.20191109021931-daa7c04131f5 v1.2.3-pre.0.20191109021931-daa7c04131f5 v1.2.3-pre
v2.0.0-20180818164646-67afb5ed74ec+incompatible v0.14.0 v0.15.0 v1.36.1 v1.37.0 v1.0.0-x.7.z.92
`)

// 1.2.3 without its v is no Go version, but OSV records spell Go versions so: it is read.
var invalid = append(strings.Fields(`v1.2.3.4 v01.2.3 v1.02.3 v1.2.3-01 v1.2.3- va.b.c V1.2.3
v1.2.3-a..b v1.2.3+`), "", "v1.2.3 beta")

func op(a, b string) string {
	switch semver.Compare(a, b) {
	case -1:
		return "<"
	case 1:
		return ">"
	}
	return "="
}

func main() {
	var rows []string
	for _, v := range versions {
		if !semver.IsValid(v) {
			panic(v + " is invalid, move it")
		}
	}
	for i := range versions {
		for j := i + 1; j < len(versions); j++ {
			rows = append(rows, fmt.Sprintf("order\t%s\t%s\t%s", versions[i], op(versions[i], versions[j]), versions[j]))
		}
	}
	for _, v := range invalid {
		if semver.IsValid(v) {
			panic(v + " is valid, move it")
		}
		rows = append(rows, "invalid\t"+v)
	}
	header := fmt.Sprintf("# Go module version vectors from golang.org/x/mod/semver (Debian golang-golang-x-mod-dev 0.7.0) on %s; generate-go.go\n", runtime.Version())
	if err := os.WriteFile("go-vectors.tsv", []byte(header+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		panic(err)
	}
}
