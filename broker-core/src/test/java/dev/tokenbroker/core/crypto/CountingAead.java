package dev.tokenbroker.core.crypto;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicInteger;

/** A KEK that counts its calls, standing in for a KMS round trip. */
final class CountingAead implements Aead {

    final AtomicInteger encrypts = new AtomicInteger();
    final AtomicInteger decrypts = new AtomicInteger();
    private final Aead delegate;

    CountingAead(Aead delegate) {
        this.delegate = delegate;
    }

    int calls() {
        return encrypts.get() + decrypts.get();
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        encrypts.incrementAndGet();
        return delegate.encrypt(plaintext, associatedData);
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        decrypts.incrementAndGet();
        return delegate.decrypt(ciphertext, associatedData);
    }
}
