package dev.tokenbroker.api.connect;

import java.net.URI;
import java.util.Objects;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** The broker's own URLs in the connect flow: from {@code broker.connect.public-url}, or the request. */
public final class ConnectUrls {

    private final ConnectProperties properties;

    public ConnectUrls(ConnectProperties properties) {
        this.properties = Objects.requireNonNull(properties, "properties");
    }

    public URI connectUrl(String sessionId) {
        return URI.create(base() + "/v1/connect/" + sessionId);
    }

    public URI callbackUrl() {
        return URI.create(base() + "/v1/oauth/callback");
    }

    private String base() {
        if (properties.publicUrl() != null) {
            String url = properties.publicUrl().toString();
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
        return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
    }
}
