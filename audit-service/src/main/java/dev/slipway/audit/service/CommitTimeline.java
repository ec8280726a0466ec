package dev.slipway.audit.service;

import java.util.List;

/**
 * Every run of one commit, oldest first.
 *
 * @param commitSha the commit
 * @param runs its runs, each in causal order
 */
public record CommitTimeline(String commitSha, List<RunTimeline> runs) {}
