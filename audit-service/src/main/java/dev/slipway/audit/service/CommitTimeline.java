package dev.slipway.audit.service;

import java.util.List;

/**
 * Every run of one commit, oldest first, a bounded page of rows at a time.
 *
 * @param commitSha the commit
 * @param runs its runs in this page, each in causal order
 * @param next where the next page starts (pass it as {@code after}); null on the last page
 */
public record CommitTimeline(String commitSha, List<RunTimeline> runs, String next) {}
