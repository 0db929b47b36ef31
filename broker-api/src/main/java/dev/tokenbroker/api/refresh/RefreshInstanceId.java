package dev.tokenbroker.api.refresh;

/** This instance's name in refresh leases and schedule claims. */
public record RefreshInstanceId(String value) {
}
