package dev.slipway.build.executor;

import dev.slipway.build.workspace.BuildWorkspace;
import java.time.Instant;

/**
 * A Dockerfile image to build in the build's own container (or pod) and push.
 *
 * @param buildId the build
 * @param application the application built
 * @param workspace the build's folders
 * @param dockerfile the Dockerfile, relative to the checkout, checked to stay inside it
 * @param context the build context, relative to the checkout, checked likewise
 * @param reference where to push, {@code registry/application:shortsha}
 * @param deadline when the image stage must be over
 */
public record ImageBuildRequest(
    String buildId,
    String application,
    BuildWorkspace workspace,
    String dockerfile,
    String context,
    String reference,
    Instant deadline) {}
