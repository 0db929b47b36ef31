package dev.tokenbroker.connectors.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Collects a response body up to {@code maxBytes} and cancels the subscription (which closes the connection) as soon
 * as more arrives or the declared {@code Content-Length} is larger: an oversized answer costs at most {@code maxBytes}
 * of memory, never the whole body. {@link #abort()} lets the caller give up on a body that trickles in (deadline).
 */
final class BoundedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {

    /** The body is larger than allowed; nothing more of it was read. */
    static final class OversizedResponseException extends IOException {
        private final int status;

        OversizedResponseException(int status, long limit) {
            super("response body larger than " + limit + " bytes");
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private final int status;
    private final long declaredLength;
    private final int maxBytes;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private volatile boolean aborted;

    BoundedBodySubscriber(HttpResponse.ResponseInfo info, int maxBytes) {
        this.status = info.statusCode();
        this.declaredLength = info.headers().firstValueAsLong("Content-Length").orElse(-1L);
        this.maxBytes = maxBytes;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        Objects.requireNonNull(s);
        if (!subscription.compareAndSet(null, s)) {
            s.cancel();
            return;
        }
        if (aborted) {
            s.cancel();
            return;
        }
        if (declaredLength > maxBytes) {
            s.cancel();
            result.completeExceptionally(new OversizedResponseException(status, maxBytes));
            return;
        }
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            int remaining = item.remaining();
            if (buffer.size() + (long) remaining > maxBytes) {
                cancelSubscription();
                result.completeExceptionally(new OversizedResponseException(status, maxBytes));
                return;
            }
            byte[] chunk = new byte[remaining];
            item.get(chunk);
            buffer.write(chunk, 0, chunk.length);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(buffer.toByteArray());
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    /** Stops reading: the connection is closed, not returned to the pool. */
    void abort() {
        aborted = true;
        cancelSubscription();
        result.completeExceptionally(new IOException("aborted"));
    }

    private void cancelSubscription() {
        Flow.Subscription s = subscription.get();
        if (s != null) {
            s.cancel();
        }
    }
}
