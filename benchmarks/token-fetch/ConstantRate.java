import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Constant-rate (open-model) HTTP load generator, wrk2-style, for latency below saturation (issue 17).
 *
 * <p>Request i is due at start + i / rate, whatever happened to earlier requests; its latency is measured
 * from that due time, not from when it was sent, so a stall shows up in the tail instead of being hidden by
 * the generator waiting for it (coordinated omission). Keep-alive HTTP/1.1 over plain sockets, one per worker;
 * workers pick up the next due request, so a slow server makes requests late, and late counts.
 *
 * <pre>java benchmarks/token-fetch/ConstantRate.java URL BEARER_TOKEN RATE_PER_S [SECONDS=30] [WORKERS=8] [WARMUP_S=5]</pre>
 */
public final class ConstantRate {

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java ConstantRate.java URL BEARER_TOKEN RATE_PER_S [SECONDS=30] [WORKERS=8] [WARMUP_S=5]");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        String token = args[1];
        double rate = Double.parseDouble(args[2]);
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int workers = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 5;

        long intervalNanos = (long) (1e9 / rate);
        long total = (long) (rate * (seconds + warmup));
        long warmupCount = (long) (rate * warmup);
        long[] latencies = new long[(int) total];
        AtomicLong next = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        byte[] request = ("GET " + url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery())
                + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort() + "\r\nAuthorization: Bearer " + token
                + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        long start = System.nanoTime() + 100_000_000L;

        Thread[] threads = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            threads[w] = new Thread(() -> {
                Connection connection = null;
                long i;
                while ((i = next.getAndIncrement()) < total) {
                    long due = start + i * intervalNanos;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    int status;
                    try {
                        if (connection == null) {
                            connection = new Connection(url.getHost(), url.getPort());
                        }
                        status = connection.exchange(request);
                        if (connection.closedByServer) {
                            // a complete answer with "Connection: close" (Tomcat's max-keep-alive-requests): not an
                            // error; the next request pays for the new connection, as a real client would
                            connection.close();
                            connection = null;
                        }
                    } catch (IOException e) {
                        status = -1;
                        if (connection != null) {
                            connection.close();
                        }
                        connection = null;
                    }
                    latencies[(int) i] = System.nanoTime() - due;
                    if (status != 200 && i >= warmupCount) {
                        errors.incrementAndGet();
                    }
                }
                if (connection != null) {
                    connection.close();
                }
            }, "worker-" + w);
            threads[w].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long elapsed = System.nanoTime() - start;

        long[] measured = Arrays.copyOfRange(latencies, (int) warmupCount, (int) total);
        Arrays.sort(measured);
        System.out.printf("rate=%.0f/s target, %.0f/s achieved over %d s (+%d s warm-up), workers=%d, requests=%d, errors=%d%n",
                rate, total * 1e9 / elapsed, seconds, warmup, workers, measured.length, errors.get());
        System.out.printf("latency from due time: p50=%s p90=%s p99=%s p99.9=%s max=%s%n",
                ms(measured, 0.50), ms(measured, 0.90), ms(measured, 0.99), ms(measured, 0.999),
                String.format("%.2fms", measured[measured.length - 1] / 1e6));
    }

    private static String ms(long[] sorted, double quantile) {
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return String.format("%.2fms", sorted[Math.max(0, index)] / 1e6);
    }

    /** One keep-alive connection: writes a request, reads one response (Content-Length or chunked). */
    private static final class Connection {

        /** The last answer said {@code Connection: close}. */
        boolean closedByServer;
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Connection(String host, int port) throws IOException {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        }

        int exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            String header;
            while (!(header = line()).isEmpty()) {
                String lower = header.toLowerCase();
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(header.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    close = true;
                }
            }
            if (chunked) {
                long size;
                while ((size = Long.parseLong(line().split(";")[0].trim(), 16)) > 0) {
                    skip(size);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length > 0) {
                skip(length);
            }
            closedByServer = close;
            return status;
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long skipped = in.skip(n);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("eof");
                    }
                    skipped = 1;
                }
                n -= skipped;
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("eof");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
