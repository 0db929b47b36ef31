package dev.tokenbroker.api.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbroker.core.crypto.KekSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class KekPropertiesTest {

    private static final Path DATA = Path.of("/srv/broker/data/postgres");

    @Test
    void bindsTheDocumentedSettingNames() {
        KekProperties properties = bind(Map.of(
                "broker.crypto.kek.key-uri", "gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k",
                "broker.crypto.kek.kms-credentials-file", "/etc/broker/kms.json"));

        KekSettings settings = properties.settings(false, DATA);

        assertThat(settings.keyUri()).isEqualTo("gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k");
        assertThat(settings.kmsCredentialsFile()).isEqualTo(Path.of("/etc/broker/kms.json"));
        assertThat(settings.localKeysetFile()).isEmpty();
    }

    @Test
    void bindsEnvironmentVariablesAsDockerComposeSetsThem() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SystemEnvironmentPropertySource("env",
                Map.of("BROKER_CRYPTO_KEK_GENERATE_INTO", "/var/lib/token-broker/kek")));

        KekProperties properties = Binder.get(environment).bind(KekSettings.PREFIX, KekProperties.class).get();

        assertThat(properties.settings(false, DATA).localKeysetFile())
                .contains(Path.of("/var/lib/token-broker/kek/kek-keyset.json"));
    }

    @Test
    void withNothingSetTheEmbeddedDatabaseGetsAKeysetGeneratedNextToItsFiles() {
        KekSettings settings = new KekProperties(null, null, null, " ", null).settings(true, DATA);

        assertThat(settings.generateInto()).isEqualTo(Path.of("/srv/broker/data/kek"));
    }

    @Test
    void withNothingSetAnExternalDatabaseGetsNoKekSoLoadingItNamesTheSettings() {
        KekSettings settings = new KekProperties(null, null, null, null, null).settings(false, DATA);

        assertThat(settings).isEqualTo(new KekSettings(null, null, null, null, null));
    }

    @Test
    void twoSourcesAreRefusedWithTheSettingsNamed() {
        assertThatThrownBy(() -> bind(Map.of(
                "broker.crypto.kek.keyset-file", "/etc/broker/kek.json",
                "broker.crypto.kek.keyset-base64", "c2VjcmV0")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("Set only one of")
                .hasMessageContaining("broker.crypto.kek.keyset-file, broker.crypto.kek.keyset-base64")
                .hasMessageNotContaining("c2VjcmV0");
    }

    @Test
    void theBase64KeysetIsNeverPrinted() {
        assertThat(new KekProperties(null, null, null, "c2VjcmV0", null).toString()).doesNotContain("c2VjcmV0");
    }

    private static KekProperties bind(Map<String, String> values) {
        return new Binder(ConfigurationPropertySources.from(new MapPropertySource("test",
                Map.copyOf(values)))).bind(KekSettings.PREFIX, KekProperties.class).get();
    }
}
