package dev.slipway.build.image;

/**
 * An image in the registry.
 *
 * @param reference {@code registry/application:shortsha}
 * @param digest the manifest digest the registry serves
 * @param buildMs time spent building
 * @param pushMs time spent pushing (0 when the builder pushes as it builds)
 */
public record PushedImage(String reference, String digest, long buildMs, long pushMs) {}
