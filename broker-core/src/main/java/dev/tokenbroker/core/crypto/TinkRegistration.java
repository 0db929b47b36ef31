package dev.tokenbroker.core.crypto;

import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.jwt.JwtSignatureConfig;
import java.security.GeneralSecurityException;

/**
 * The one place the broker registers Tink primitives. Registration is explicit (Tink no longer discovers
 * key managers or KMS clients on the classpath) and the broker uses AEAD ({@code AES256_GCM}, for data
 * keys and the KEK) and JWT signatures ({@code ES256}, for the event chain's checkpoints): classes that build Tink primitives call {@link #ensureRegistered()} first.
 *
 * @see <a href="https://developers.google.com/tink/tink-setup#register_primitive_implementations">Tink: registering primitives</a>
 */
public final class TinkRegistration {

    static {
        try {
            AeadConfig.register();
            JwtSignatureConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TinkRegistration() {
    }

    /** Registers Tink's AEAD and JWT signature key managers once per class loader; later calls do nothing. */
    public static void ensureRegistered() {
        // the static initializer does the work, exactly once
    }
}
