package dev.slipway.build.rest;

import dev.slipway.build.Build;
import java.util.List;

/**
 * One page of builds, newest first.
 *
 * @param builds the builds of this page
 * @param next the cursor of the next page ({@code ?after=}), null on the last page
 */
public record BuildPage(List<Build> builds, String next) {}
