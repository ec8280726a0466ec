package dev.slipway.scan.rest;

import dev.slipway.scan.Scan;
import java.util.List;

/**
 * One page of scans, newest first.
 *
 * @param items the scans
 * @param next the cursor of the next page (pass it as {@code after}); null on the last page
 */
public record ScanPage(List<Scan> items, String next) {}
