package dev.tokenbroker.projections.chain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The offline verifier: {@code verify-export --export chain.ndjson --checkpoints checkpoints.ndjson
 * --jwks checkpoint-keys.json}. No database, no network: reads three files, prints the verdict as
 * JSON, exits 0 when the export is complete and unaltered between checkpoints, 1 when it is not,
 * 2 on bad usage.
 *
 * <p>Run it with {@code java -cp <projections jar and its dependencies> dev.tokenbroker.projections.chain.VerifyExportCommand ...}
 * or {@code java -jar token-broker.jar verify-export ...}.
 */
public final class VerifyExportCommand {

    private VerifyExportCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path export = null;
        Path checkpoints = null;
        Path jwks = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "verify-export" -> {
                    continue;
                }
                case "--export" -> export = Path.of(value);
                case "--checkpoints" -> checkpoints = Path.of(value);
                case "--jwks" -> jwks = Path.of(value);
                default -> {
                    err.println("unknown argument " + args[i]);
                    return usage(err);
                }
            }
            i++;
        }
        if (export == null || checkpoints == null || jwks == null) {
            return usage(err);
        }
        try {
            CheckpointVerifier keys = CheckpointVerifier.fromJwks(Files.readString(jwks));
            List<String> jws = new ArrayList<>();
            for (String line : Files.readAllLines(checkpoints, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    jws.add(CheckpointJson.jwsOf(line));
                }
            }
            ChainVerification result;
            try (BufferedReader reader = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
                result = new ExportVerifier(keys).verify(lines(reader), jws);
            }
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
            return result.ok() ? 0 : 1;
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            err.println("cannot verify: " + e.getMessage());
            return 2;
        }
    }

    private static Iterator<ChainLink> lines(BufferedReader reader) {
        return new Iterator<>() {
            private String line = advance();

            private String advance() {
                try {
                    String next;
                    do {
                        next = reader.readLine();
                    } while (next != null && next.isBlank());
                    return next;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean hasNext() {
                return line != null;
            }

            @Override
            public ChainLink next() {
                if (line == null) {
                    throw new NoSuchElementException();
                }
                ChainLink link = ChainLinkJson.read(line);
                line = advance();
                return link;
            }
        };
    }

    private static int usage(PrintStream err) {
        err.println("usage: verify-export --export <chain.ndjson> --checkpoints <checkpoints.ndjson> --jwks <keys.json>");
        return 2;
    }

}
