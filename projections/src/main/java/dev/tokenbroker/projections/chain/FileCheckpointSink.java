package dev.tokenbroker.projections.chain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checkpoints appended to {@code checkpoints.ndjson} in a directory, one JSON line each, forced to the
 * disk ({@code fsync}) before {@link #append} returns. Point the directory at storage the database
 * writer cannot alter (another host's mount, a WORM bucket's sync, a log shipper's input).
 *
 * <p>Several instances may share one directory: appends are serialised within a process and written
 * in one {@code write} with {@code O_APPEND}; a checkpoint already in the file is not written twice.
 */
public final class FileCheckpointSink implements CheckpointSink {

    public static final String FILE_NAME = "checkpoints.ndjson";

    private final Path file;
    private long last;

    public FileCheckpointSink(Path directory) {
        Objects.requireNonNull(directory, "directory");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the checkpoint directory " + directory, e);
        }
        this.file = directory.resolve(FILE_NAME);
        this.last = readLastChainIndex();
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void append(Checkpoint checkpoint) throws IOException {
        if (checkpoint.chainIndex() <= last) {
            last = Math.max(last, readLastChainIndex());
            if (checkpoint.chainIndex() <= last) {
                return;
            }
        }
        byte[] line = (CheckpointJson.toLine(checkpoint) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        last = checkpoint.chainIndex();
    }

    @Override
    public synchronized long lastChainIndex() {
        return last;
    }

    /** Every checkpoint line's JWS in the file (for verification). */
    public List<String> readJws() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            List<String> jws = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    jws.add(CheckpointJson.jwsOf(line));
                }
            }
            return jws;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private long readLastChainIndex() {
        long max = -1;
        for (String jws : readJws()) {
            try {
                max = Math.max(max, CheckpointVerifier.unverified(jws).chainIndex());
            } catch (IllegalArgumentException e) {
                // a torn or foreign line: the verifier reports it, the sink carries on
            }
        }
        return max;
    }

    @Override
    public String toString() {
        return "FileCheckpointSink[" + file + "]";
    }
}
