package dev.slipway.build.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BuildSpecParserTest {

  private final BuildSpecParser parser = new BuildSpecParser();

  private BuildSpec parse(String yaml) {
    return parser.parse(yaml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void completeFileIsRead() {
    BuildSpec spec =
        parse(
            """
            version: 1
            toolchain: maven:3.9-eclipse-temurin-17
            timeout: 20m
            env: {MAVEN_OPTS: -Xmx1g, RETRIES: 3}
            secrets: {NPM_TOKEN: npm-token}
            cache: {key: [pom.xml], paths: [.m2/repository]}
            steps:
              - name: test
                run: mvn -B verify
                workdir: app
                timeout: 90s
                env: {PROFILE: ci}
            image: {builder: files, files: [target/app.jar], entrypoint: [java, -jar, /app/app.jar], port: 8080}
            sbom: target/bom.json
            ignores:
              - {id: CVE-2024-0001, reason: not reachable, expires: 2027-01-31}
            """);

    assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(20));
    assertThat(spec.env()).containsEntry("RETRIES", "3");
    assertThat(spec.steps().get(0).timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(spec.steps().get(0).workdir()).isEqualTo("app");
    assertThat(spec.image().builder()).isEqualTo(BuildSpec.Builder.FILES);
    assertThat(spec.image().workdir()).isEqualTo("/app");
    assertThat(spec.reports()).containsExactly("**/TEST-*.xml");
    assertThat(spec.ignores()).hasSize(1);
  }

  @Test
  void missingRequiredFieldIsNamedWithTheLineOfItsParent() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    version: 1
                    steps:
                      - name: test
                        run: echo
                      - name: lint
                    image: {builder: dockerfile}
                    """))
        .isInstanceOfSatisfying(
            BuildSpecException.class,
            e -> {
              assertThat(e.field()).isEqualTo("steps[1].run");
              assertThat(e.line()).isEqualTo(5);
              assertThat(e.getMessage()).contains("line 5: steps[1].run is required");
            });
  }

  @Test
  void unknownFieldAndPathOutsideTheWorkspaceAreNamed() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    version: 1
                    steps:
                      - name: test
                        run: echo
                        workdir: ../../etc
                    image: {builder: dockerfile}
                    imgae: typo
                    """))
        .isInstanceOfSatisfying(
            BuildSpecException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("line 5: steps[0].workdir")
                    .contains("line 7: imgae is not a known field"));
  }

  @Test
  void filesBuilderNeedsFilesAndEntrypoint() {
    assertThatThrownBy(
            () -> parse("version: 1\nsteps: [{name: a, run: b}]\nimage:\n  builder: files\n"))
        .isInstanceOfSatisfying(
            BuildSpecException.class,
            e -> assertThat(e.getMessage()).contains("image.files is required").contains("line 4"));
  }

  @Test
  void yamlThatDoesNotParseNamesItsLine() {
    assertThatThrownBy(() -> parse("version: 1\nsteps:\n  - name: [unclosed\n"))
        .isInstanceOfSatisfying(
            BuildSpecException.class,
            e -> assertThat(e.getMessage()).contains("not valid YAML").contains("line"));
  }
}
