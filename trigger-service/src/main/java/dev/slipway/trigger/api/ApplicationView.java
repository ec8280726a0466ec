package dev.slipway.trigger.api;

import java.time.OffsetDateTime;
import java.util.List;

/** An application as the API shows it: everything but the webhook secret. */
public record ApplicationView(
    String name,
    String repositoryUrl,
    String provider,
    List<String> branches,
    List<String> tags,
    List<EnvironmentBody> environments,
    ScanPolicyBody scanPolicy,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt) {}
