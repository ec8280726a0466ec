package dev.slipway.events.attestation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import dev.slipway.events.Require;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The predicate of a SLSA v1 build provenance ({@code https://slsa.dev/provenance/v1}) as
 * build-service writes it for every image and deploy-service and {@code ./slipway verify-image}
 * read it: which builder built what, from which source commit and {@code .slipway.yaml}, with which
 * steps, toolchain images and base images. The field names are SLSA's; {@code externalParameters}
 * and {@code internalParameters} are Slipway's build type {@link #BUILD_TYPE}.
 *
 * @param buildDefinition what was asked for and what it resolved to
 * @param runDetails who built it, when, and what else it produced
 */
@JsonPropertyOrder({"buildDefinition", "runDetails"})
public record SlsaProvenance(BuildDefinition buildDefinition, RunDetails runDetails) {

  /** Slipway's build type: the meaning of its parameters. */
  public static final String BUILD_TYPE = "https://slipway.dev/build/v1";

  /** {@code slipway.dev/role} of a resolved dependency: the Git commit built. */
  public static final String ROLE_SOURCE = "source";

  /** {@code slipway.dev/role} of a resolved dependency: an image the steps ran in. */
  public static final String ROLE_TOOLCHAIN = "toolchain";

  /** {@code slipway.dev/role} of a resolved dependency: an image the built image starts from. */
  public static final String ROLE_BASE_IMAGE = "base-image";

  /** Annotation naming a resolved dependency's role. */
  public static final String ROLE = "slipway.dev/role";

  public SlsaProvenance {
    Require.present(buildDefinition, "buildDefinition");
    Require.present(runDetails, "runDetails");
  }

  /** Reads the predicate of a provenance statement. */
  public static SlsaProvenance of(Statement statement) {
    return EventJson.readPayload(statement.predicate(), SlsaProvenance.class);
  }

  /** This predicate as the JSON tree a {@link Statement} carries. */
  public JsonNode toTree() {
    return EventJson.mapper().valueToTree(this);
  }

  /**
   * What was built.
   *
   * @param buildType {@link #BUILD_TYPE}
   * @param externalParameters what the repository and the push asked for
   * @param internalParameters what the platform chose
   * @param resolvedDependencies the source commit, toolchain and base images, each by digest
   */
  @JsonPropertyOrder({
    "buildType",
    "externalParameters",
    "internalParameters",
    "resolvedDependencies"
  })
  public record BuildDefinition(
      String buildType,
      ExternalParameters externalParameters,
      InternalParameters internalParameters,
      List<ResourceDescriptor> resolvedDependencies) {
    public BuildDefinition {
      Require.text(buildType, "buildDefinition.buildType");
      Require.present(externalParameters, "buildDefinition.externalParameters");
      resolvedDependencies = resolvedDependencies == null ? List.of() : resolvedDependencies;
    }
  }

  /**
   * The parameters the tenant controls.
   *
   * @param source the repository, ref and commit of the push
   * @param config the build file at that commit, by digest
   * @param steps the steps run, in order, as the build file names them
   * @param toolchain the toolchain image the build file names, as written (null: the platform's)
   * @param image how the image was made: {@code files} (Jib) or {@code dockerfile} (Buildah)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"source", "config", "steps", "toolchain", "image"})
  public record ExternalParameters(
      Source source, ConfigFile config, List<Step> steps, String toolchain, String image) {
    public ExternalParameters {
      Require.present(source, "buildDefinition.externalParameters.source");
      steps = steps == null ? List.of() : steps;
    }
  }

  /**
   * Where the code came from.
   *
   * @param repository the application's repository URL, as registered
   * @param ref the full Git ref pushed, e.g. {@code refs/heads/main}
   * @param commit the commit built
   */
  @JsonPropertyOrder({"repository", "ref", "commit"})
  public record Source(String repository, String ref, String commit) {
    public Source {
      Require.text(repository, "buildDefinition.externalParameters.source.repository");
      Require.text(commit, "buildDefinition.externalParameters.source.commit");
    }
  }

  /**
   * The build file.
   *
   * @param path e.g. {@code .slipway.yaml}
   * @param digest {@code sha256} of its bytes at the commit
   */
  public record ConfigFile(String path, Map<String, String> digest) {}

  /**
   * One step.
   *
   * @param name the step's name
   * @param run its shell command, as written
   * @param workdir its working directory in the workspace
   */
  public record Step(String name, String run, String workdir) {}

  /**
   * What the platform decided for the build.
   *
   * @param application the application
   * @param buildId the build (also {@code runDetails.metadata.invocationId})
   * @param runId the pipeline run
   * @param attempt the attempt of the run
   * @param executor {@code local} or {@code kubernetes}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record InternalParameters(
      String application, String buildId, String runId, Integer attempt, String executor) {}

  /**
   * An artifact in SLSA's (in-toto's) ResourceDescriptor form.
   *
   * @param name a name, e.g. {@code sbom}
   * @param uri where it is, e.g. {@code oci://registry/repo@sha256:...} or {@code git+https://...}
   * @param digest algorithm to hex ({@code sha256}, {@code gitCommit})
   * @param mediaType its media type, when it is a document
   * @param annotations e.g. {@link #ROLE}
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonPropertyOrder({"name", "uri", "digest", "mediaType", "annotations"})
  public record ResourceDescriptor(
      String name,
      String uri,
      Map<String, String> digest,
      String mediaType,
      Map<String, String> annotations) {

    /** The {@link #ROLE} annotation, or null. */
    public String role() {
      return annotations == null ? null : annotations.get(ROLE);
    }
  }

  /**
   * The run.
   *
   * @param builder who built
   * @param metadata the build id and its times
   * @param byproducts what else it produced (the SBOM)
   */
  @JsonPropertyOrder({"builder", "metadata", "byproducts"})
  public record RunDetails(
      Builder builder, BuildMetadata metadata, List<ResourceDescriptor> byproducts) {
    public RunDetails {
      Require.present(builder, "runDetails.builder");
      byproducts = byproducts == null ? List.of() : byproducts;
    }
  }

  /**
   * The builder.
   *
   * @param id e.g. {@code https://slipway.dev/build-service}
   * @param version component to version
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Builder(String id, Map<String, String> version) {
    public Builder {
      Require.text(id, "runDetails.builder.id");
    }
  }

  /**
   * When.
   *
   * @param invocationId the build id
   * @param startedOn when the build started
   * @param finishedOn when the image and its SBOM were pushed
   */
  @JsonPropertyOrder({"invocationId", "startedOn", "finishedOn"})
  public record BuildMetadata(String invocationId, Instant startedOn, Instant finishedOn) {}
}
