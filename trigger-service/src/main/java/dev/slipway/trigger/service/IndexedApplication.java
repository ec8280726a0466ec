package dev.slipway.trigger.service;

import dev.slipway.events.PipelineSnapshot;
import dev.slipway.trigger.GitProvider;
import java.util.List;

/**
 * What the webhook path needs of one registered application, held in memory by {@link
 * ApplicationIndex}: its decrypted secret (or why it could not be decrypted), filters and pipeline.
 *
 * @param secret the webhook secret in clear; null when {@code secretProblem} says why not
 * @param secretProblem why the stored secret cannot be decrypted, or null
 * @param version the registry row's version this was read from
 */
public record IndexedApplication(
    String name,
    GitProvider provider,
    String repoUrl,
    byte[] secret,
    String secretProblem,
    List<String> branchFilters,
    List<String> tagFilters,
    PipelineSnapshot pipeline,
    long version) {}
