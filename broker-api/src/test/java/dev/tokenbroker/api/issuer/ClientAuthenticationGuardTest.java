package dev.tokenbroker.api.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClientAuthenticationGuardTest {

    private final AtomicLong now = new AtomicLong();

    private ClientAuthenticationGuard guard(int perAddress, int perClient, int concurrent, Duration wait, int tracked) {
        return new ClientAuthenticationGuard(new ClientAuthenticationLimitProperties(perAddress, perClient, Duration.ofMinutes(1),
                concurrent, wait, tracked, Duration.ofHours(24)), now::get);
    }

    @Test
    void failuresPerAddressAreLimitedAndRefillOverTheWindow() {
        ClientAuthenticationGuard guard = guard(3, 1000, 1, Duration.ofMillis(10), 100);
        for (int i = 0; i < 3; i++) {
            assertThat(guard.admit("client-" + i, "192.0.2.1").allowed()).isTrue();
        }
        ClientAuthenticationGuard.Admission refused = guard.admit("client-x", "192.0.2.1");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(20); // 3 per minute: one every 20 s
        assertThat(guard.admit("client-x", "192.0.2.2").allowed()).as("another address").isTrue();

        now.addAndGet(Duration.ofSeconds(20).toNanos());
        assertThat(guard.admit("client-x", "192.0.2.1").allowed()).isTrue();
        assertThat(guard.admit("client-x", "192.0.2.1").allowed()).isFalse();
    }

    @Test
    void successGivesTheTokensBackAndMakesTheAddressKnownGoodForThatClient() {
        ClientAuthenticationGuard guard = guard(1000, 2, 1, Duration.ofMillis(10), 100);
        for (int i = 0; i < 5; i++) {
            guard.succeeded(guard.admit("victim", "192.0.2.1"));
        }
        // A distributed flood against the client id uses up its budget ...
        assertThat(guard.admit("victim", "198.51.100.1").allowed()).isTrue();
        assertThat(guard.admit("victim", "198.51.100.2").allowed()).isTrue();
        assertThat(guard.admit("victim", "198.51.100.3").allowed()).isFalse();
        // ... but not for the address it authenticated from before.
        assertThat(guard.admit("victim", "192.0.2.1").allowed()).isTrue();
    }

    @Test
    void memoryStaysBoundedWhateverTheNumberOfAddressesAndClientIds() {
        ClientAuthenticationGuard guard = guard(5, 5, 1, Duration.ofMillis(10), 50);
        for (int i = 0; i < 10_000; i++) {
            guard.succeeded(guard.admit("client-" + i, "10.0." + (i / 256) + "." + (i % 256)));
        }
        assertThat(guard.trackedEntries()).isLessThanOrEqualTo(3 * 50);
    }

    @Test
    void secretChecksBeyondTheConcurrencyLimitAreRefusedAfterTheWait() throws Exception {
        ClientAuthenticationGuard guard = guard(5, 5, 1, Duration.ofMillis(50), 100);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> holder = executor.submit(() -> guard.checkSecret(() -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            }));
            running.await();
            assertThatThrownBy(() -> guard.checkSecret(() -> true))
                    .isInstanceOf(ClientAuthenticationGuard.SecretCheckCapacityExceededException.class);
            // A known-good address of its client takes the priority lane instead of queueing behind the flood.
            guard.succeeded(guard.admit("client", "192.0.2.7"));
            guard.enter(guard.admit("client", "192.0.2.7"));
            try {
                assertThat(guard.checkSecret(() -> "lane")).isEqualTo("lane");
            } finally {
                guard.exit();
            }
            guard.enter(guard.admit("client", "192.0.2.8"));
            try {
                assertThatThrownBy(() -> guard.checkSecret(() -> true))
                        .isInstanceOf(ClientAuthenticationGuard.SecretCheckCapacityExceededException.class);
            } finally {
                guard.exit();
            }
            release.countDown();
            assertThat(holder.get()).isTrue();
            assertThat(guard.checkSecret(() -> "free again")).isEqualTo("free again");
        } finally {
            executor.shutdownNow();
        }
    }
}
