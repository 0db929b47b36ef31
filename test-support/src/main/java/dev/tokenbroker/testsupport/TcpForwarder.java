package dev.tokenbroker.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on a fixed local port that can be cut (listening socket and every open connection
 * closed: clients see resets, then "connection refused") and restored on the same port. For outage
 * tests: a server that advertises this port (Kafka's {@code advertised.listeners}) becomes unreachable
 * and reachable again without being restarted.
 *
 * <p>It can also {@link #freeze()}: connections stay open and new ones are accepted, but no byte goes through
 * in either direction until {@link #thaw()} — what a paused server or a network black hole looks like to a client.
 */
public final class TcpForwarder implements AutoCloseable {

    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile int port;
    private volatile int targetPort = -1;
    private volatile ServerSocket server;
    private final Object thawed = new Object();
    private volatile boolean frozen;

    private TcpForwarder() {
    }

    /** Listens on a free local port; connections are closed at once until {@link #forwardTo} is set. */
    public static TcpForwarder onFreePort() {
        TcpForwarder forwarder = new TcpForwarder();
        forwarder.bind(0);
        return forwarder;
    }

    /** The port it listens on, the same after {@link #restore()}. */
    public int port() {
        return port;
    }

    public TcpForwarder forwardTo(int targetPort) {
        this.targetPort = targetPort;
        return this;
    }

    public boolean isOpen() {
        ServerSocket current = server;
        return current != null && !current.isClosed();
    }

    /** Stops accepting and closes every forwarded connection. */
    public synchronized void cut() {
        ServerSocket current = server;
        if (current != null) {
            closeQuietly(current);
        }
        sockets.forEach(TcpForwarder::closeQuietly);
        sockets.clear();
    }

    /** Holds every byte in both directions, on open and new connections alike, until {@link #thaw()}. */
    public void freeze() {
        frozen = true;
    }

    /** Lets the held bytes and everything after them through. */
    public void thaw() {
        synchronized (thawed) {
            frozen = false;
            thawed.notifyAll();
        }
    }

    private void awaitThaw() throws IOException {
        synchronized (thawed) {
            while (frozen) {
                try {
                    thawed.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while frozen", e);
                }
            }
        }
    }

    /** Listens again on the same port. */
    public synchronized void restore() {
        if (isOpen()) {
            return;
        }
        bind(port);
    }

    private void bind(int bindPort) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), bindPort));
            server = socket;
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen on port " + bindPort, e);
        }
        ServerSocket listening = server;
        Thread acceptor = new Thread(() -> accept(listening), "tcp-forwarder-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept(ServerSocket listening) {
        while (!listening.isClosed()) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return; // closed by cut() or close()
            }
            int target = targetPort;
            if (target < 0) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    awaitThaw();
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // the connection was cut or closed by either side
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-forwarder-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // already closed
        }
    }

    @Override
    public void close() {
        thaw();
        cut();
    }
}
