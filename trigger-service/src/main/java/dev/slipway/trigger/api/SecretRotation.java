package dev.slipway.trigger.api;

import java.util.List;

/**
 * Answer of {@code POST /api/admin/rotate-secrets}.
 *
 * @param keyId the key every readable secret is now encrypted with
 * @param rotated secrets re-encrypted by this call
 * @param alreadyCurrent secrets that were encrypted with that key already
 * @param unreadable applications whose secret no configured key opens; set them again with PUT
 */
public record SecretRotation(
    String keyId, int rotated, int alreadyCurrent, List<String> unreadable) {}
