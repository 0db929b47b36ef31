package dev.tokenbroker.testsupport;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * What a benchmark prints next to its numbers: the machine, the load average, and CPU time of this JVM plus the
 * PostgreSQL server it talks to. CPU time per unit of work stays meaningful when other work shares the cores;
 * wall-clock numbers do not. Benchmarks report; they never assert times.
 */
public final class BenchmarkEnvironment {

    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final long postmasterPid;

    private BenchmarkEnvironment(long postmasterPid) {
        this.postmasterPid = postmasterPid;
    }

    /**
     * Prints a result line ({@code BENCHMARK ...}) to standard output and, when the system property
     * {@code benchmark.reportFile} names a file, appends it there at once (surefire buffers redirected test output,
     * so run.sh follows this file to show progress while the benchmark runs).
     */
    public static synchronized void report(String format, Object... args) {
        String line = "BENCHMARK " + String.format(format, args);
        System.out.println(line);
        String file = System.getProperty("benchmark.reportFile");
        if (file != null && !file.isBlank()) {
            try {
                Files.writeString(Path.of(file), line + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.out.println("cannot append to " + file + ": " + e);
            }
        }
    }

    /** Finds the PostgreSQL server (postmaster) behind the data source: the parent of a backend process. */
    public static BenchmarkEnvironment of(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            long backend = rs.getLong(1);
            return new BenchmarkEnvironment(parentOf(backend));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String machine() {
        long memKb = 0;
        String model = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it unknown
        }
        return String.format("%d cores (%s), %.1f GiB RAM, JDK %s %s, max heap %d MiB",
                Runtime.getRuntime().availableProcessors(), model, memKb / 1048576.0, System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), Runtime.getRuntime().maxMemory() >> 20);
    }

    /** The 1/5/15-minute load averages, as in /proc/loadavg. */
    public static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** CPU time of this JVM (all threads, incl. GC and JIT), in nanoseconds. */
    public static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of the PostgreSQL server: postmaster and every child (backends, WAL writer, checkpointer...), ns. */
    public long postgresCpuNanos() {
        if (postmasterPid <= 0) {
            return 0;
        }
        // the postmaster's own time plus that of its children already gone (cutime/cstime): backends that exit
        // between two marks would otherwise take their CPU time with them
        String[] postmaster = stat(postmasterPid);
        long ticks = postmaster == null ? 0 : Long.parseLong(postmaster[11]) + Long.parseLong(postmaster[12])
                + Long.parseLong(postmaster[13]) + Long.parseLong(postmaster[14]);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            List<Path> pids = new ArrayList<>(procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList());
            for (Path pid : pids) {
                long p = Long.parseLong(pid.getFileName().toString());
                if (parentOf(p) == postmasterPid) {
                    ticks += ticks(p);
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND;
    }

    /** A point in time: wall clock, JVM CPU, PostgreSQL CPU. */
    public Mark mark() {
        return new Mark(System.nanoTime(), jvmCpuNanos(), postgresCpuNanos());
    }

    public record Mark(long wallNanos, long jvmCpuNanos, long postgresCpuNanos) {

        /** What happened since this mark, per unit of work. */
        public Span until(Mark end, long units) {
            return new Span(end.wallNanos - wallNanos, end.jvmCpuNanos - jvmCpuNanos, end.postgresCpuNanos - postgresCpuNanos, units);
        }
    }

    public record Span(long wallNanos, long jvmCpuNanos, long postgresCpuNanos, long units) {

        public double seconds() {
            return wallNanos / 1e9;
        }

        public double perSecond() {
            return units / seconds();
        }

        /** JVM + PostgreSQL CPU per unit, microseconds. */
        public double cpuMicrosPerUnit() {
            return (jvmCpuNanos + postgresCpuNanos) / 1000.0 / Math.max(1, units);
        }

        public double jvmCpuMicrosPerUnit() {
            return jvmCpuNanos / 1000.0 / Math.max(1, units);
        }

        public double postgresCpuMicrosPerUnit() {
            return postgresCpuNanos / 1000.0 / Math.max(1, units);
        }

        /** Units per CPU-second (JVM + PostgreSQL): a rate that does not depend on what else shares the cores. */
        public double perCpuSecond() {
            return units / ((jvmCpuNanos + postgresCpuNanos) / 1e9);
        }

        @Override
        public String toString() {
            return String.format("%d in %.2fs wall = %.0f/s; CPU/unit %.1fus (JVM %.1fus + PostgreSQL %.1fus) = %.0f per CPU-second; load %s",
                    units, seconds(), perSecond(), cpuMicrosPerUnit(), jvmCpuMicrosPerUnit(), postgresCpuMicrosPerUnit(),
                    perCpuSecond(), loadAverage());
        }
    }

    private static long parentOf(long pid) {
        String[] fields = stat(pid);
        return fields == null ? -1 : Long.parseLong(fields[1]);
    }

    private static long ticks(long pid) {
        String[] fields = stat(pid);
        return fields == null ? 0 : Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The fields of /proc/pid/stat after the command name: [0] state, [1] ppid, ..., [11] utime, [12] stime, [13] cutime, [14] cstime. */
    private static String[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
