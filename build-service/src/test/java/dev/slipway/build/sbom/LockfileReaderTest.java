package dev.slipway.build.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each lockfile format against the packages written by hand in it. */
class LockfileReaderTest {

  private final LockfileReader reader = new LockfileReader();

  @Test
  void mavenDependencyListGivesMavenPurlsWithTypeAndClassifier() {
    String list =
        """
        The following files have been resolved:
           org.slf4j:slf4j-api:jar:2.0.9:compile -- module org.slf4j
           io.netty:netty-transport-native-epoll:jar:linux-x86_64:4.1.100.Final:runtime
           org.junit.jupiter:junit-jupiter:jar:5.10.0:test
        """;
    assertThat(reader.maven(list))
        .extracting(LockfileReader.Package::purl)
        .containsExactly(
            "pkg:maven/org.slf4j/slf4j-api@2.0.9",
            "pkg:maven/io.netty/netty-transport-native-epoll@4.1.100.Final?classifier=linux-x86_64",
            "pkg:maven/org.junit.jupiter/junit-jupiter@5.10.0");
    assertThat(reader.maven(list).get(2).development()).isTrue();
  }

  @Test
  void pinnedRequirementsOnly() {
    String requirements =
        """
        # web
        Flask==3.0.0
        requests[socks]==2.31.0 ; python_version >= "3.8"
        Zope.Interface===6.1 --hash=sha256:abc
        numpy>=1.26
        -r other.txt
        """;
    assertThat(reader.requirements(requirements))
        .extracting(LockfileReader.Package::purl)
        .containsExactly(
            "pkg:pypi/flask@3.0.0", "pkg:pypi/requests@2.31.0", "pkg:pypi/zope-interface@6.1");
  }

  @Test
  void poetryLockPackages() throws Exception {
    String lock =
        """
        [[package]]
        name = "Django"
        version = "4.2.7"
        category = "main"

        [[package]]
        name = "pytest"
        version = "7.4.3"
        category = "dev"
        """;
    var packages = reader.poetry(lock.getBytes(StandardCharsets.UTF_8));
    assertThat(packages)
        .extracting(LockfileReader.Package::purl)
        .containsExactly("pkg:pypi/django@4.2.7", "pkg:pypi/pytest@7.4.3");
    assertThat(packages.get(1).development()).isTrue();
  }

  @Test
  void goSumModulesWithContentHashes() {
    String sum =
        """
        github.com/pkg/errors v0.9.1 h1:FEBLx1zS214owpjy7qsBeixbURkuhQAwrK5UwLGTwt4=
        github.com/pkg/errors v0.9.1/go.mod h1:bwawxfHBFNV+L2hUp1rHADufV3IMtnDRdf1r5NINEl0=
        golang.org/x/text v0.14.0/go.mod h1:18ZOQIKpY8NJVqYksKHtTdi31H5itFRjB5/qKTNYzSU=
        """;
    assertThat(reader.goSum(sum))
        .extracting(LockfileReader.Package::purl)
        .containsExactly("pkg:golang/github.com/pkg/errors@v0.9.1");
  }

  @Test
  void goModulePathsKeepTheirCapitals() {
    // packageurl-java lower-cases golang namespaces; Go advisories spell github.com/Azure/...
    String sum =
        "github.com/Azure/azure-sdk-for-go/sdk/azidentity v1.5.2"
            + " h1:FDif4R1+UUR+00q6wquyX90K7A8dN+R5E8GEadoP7sU=\n";
    assertThat(reader.goSum(sum))
        .extracting(LockfileReader.Package::purl)
        .containsExactly("pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.5.2");
  }

  @Test
  void npmLockfilesCarryTheirLicences() throws Exception {
    String lock =
        """
        {"lockfileVersion": 3, "packages": {
          "": {"name": "shop"},
          "node_modules/ms": {"version": "2.1.3", "license": "MIT"},
          "node_modules/left": {"version": "1.0.0"}}}
        """;
    assertThat(reader.npm(lock.getBytes(StandardCharsets.UTF_8)))
        .extracting(LockfileReader.Package::name, LockfileReader.Package::license)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ms", "MIT"),
            org.assertj.core.groups.Tuple.tuple("left", null));
  }
}
