package dev.tokenbroker.connectors;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The shipped presets. Both are plain OIDC providers: the preset only saves typing.
 *
 * <ul>
 *   <li>{@code entra-id}: Microsoft Entra ID (v2.0 endpoints) for one tenant; requires {@code tenant}.
 *       Multi-tenant ({@code common}) is not covered: its discovery document's issuer is a template
 *       that fails OIDC issuer validation.</li>
 *   <li>{@code gitlab}: GitLab.com; set {@code issuer} for a self-managed instance.</li>
 * </ul>
 *
 * @see <a href="https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc">Entra ID OIDC</a>
 * @see <a href="https://docs.gitlab.com/integration/openid_connect_provider/">GitLab as OIDC provider</a>
 */
public final class ConnectorPresets {

    private static final Map<String, ConnectorPreset> PRESETS = Map.of(
            "entra-id", new ConnectorPreset("entra-id", "Microsoft Entra ID", "oidc",
                    Map.of("issuer", "https://login.microsoftonline.com/{tenant}/v2.0",
                            "scopes", "openid profile email offline_access"),
                    List.of(ConfigurationProperty.required("tenant",
                            "Directory (tenant) id of your Entra ID tenant, from the app registration's overview page."))),
            "gitlab", new ConnectorPreset("gitlab", "GitLab", "oidc",
                    Map.of("issuer", "https://gitlab.com",
                            "scopes", "openid profile email"),
                    List.of()));

    private ConnectorPresets() {
    }

    public static Optional<ConnectorPreset> find(String name) {
        return Optional.ofNullable(PRESETS.get(name));
    }

    public static Set<String> names() {
        return new TreeSet<>(PRESETS.keySet());
    }
}
