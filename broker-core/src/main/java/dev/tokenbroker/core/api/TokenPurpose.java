package dev.tokenbroker.core.api;

/**
 * Which token of a token set a ciphertext holds. Part of the associated data of every ciphertext, so a
 * refresh-token ciphertext copied into the access-token field does not decrypt.
 */
public enum TokenPurpose { ACCESS, REFRESH, ID }
