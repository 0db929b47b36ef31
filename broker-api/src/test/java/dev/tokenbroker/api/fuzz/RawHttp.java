package dev.tokenbroker.api.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 client over a plain socket, so a fuzzer can send what {@code java.net.http} refuses
 * to: raw request targets, duplicate and odd headers, invalid percent-encodings. One request per
 * connection ({@code Connection: close}); a read timeout turns a hang into a failure.
 */
final class RawHttp {

    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final int port;
    private final int timeoutMillis;

    RawHttp(int port, int timeoutMillis) {
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    Response send(String method, String target, List<String[]> headers, byte[] body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            head.append("Host: localhost:").append(port).append("\r\n");
            head.append("Connection: close\r\n");
            for (String[] header : headers) {
                head.append(header[0]).append(": ").append(header[1]).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static Response read(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (split < 0) {
            throw new IOException("no complete response head: " + new String(all, StandardCharsets.ISO_8859_1));
        }
        String[] lines = new String(all, 0, split, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        byte[] rest = java.util.Arrays.copyOfRange(all, split + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(rest);
        }
        return new Response(status, headers, new String(rest, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int position = 0;
        while (position < data.length) {
            int lineEnd = indexOf(data, "\r\n".getBytes(StandardCharsets.US_ASCII), position);
            if (lineEnd < 0) {
                break;
            }
            String sizeLine = new String(data, position, lineEnd - position, StandardCharsets.US_ASCII).split(";")[0].trim();
            int size = Integer.parseInt(sizeLine, 16);
            if (size == 0) {
                break;
            }
            out.write(data, lineEnd + 2, Math.min(size, data.length - lineEnd - 2));
            position = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        return indexOf(data, pattern, 0);
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static List<String[]> headers(String... nameValues) {
        List<String[]> list = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            list.add(new String[] {nameValues[i], nameValues[i + 1]});
        }
        return list;
    }
}
