package dev.slipway.scan.version;

/** A version parsed in the order of one ecosystem; only versions of the same order compare. */
public interface ParsedVersion extends Comparable<ParsedVersion> {}
