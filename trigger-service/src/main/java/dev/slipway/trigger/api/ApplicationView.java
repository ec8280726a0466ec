package dev.slipway.trigger.api;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * An application as the API shows it: everything but the webhook secret, with the defaults of every
 * optional setting filled in.
 *
 * @param webhookUrl the application's own webhook URL, {@code .../webhooks/{provider}/{name}}: the
 *     one to configure on the Git host (the host-wide {@code /webhooks/{provider}} still works)
 * @param environments the promotion chain; {@code promotion} says how a run enters each one
 * @param build the default branch, protected refs and secret grants of its builds
 */
public record ApplicationView(
    String name,
    String repositoryUrl,
    String provider,
    String webhookUrl,
    List<String> branches,
    List<String> tags,
    List<EnvironmentBody> environments,
    ScanPolicyBody scanPolicy,
    SourceBody source,
    String team,
    BuildBody build,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt) {}
