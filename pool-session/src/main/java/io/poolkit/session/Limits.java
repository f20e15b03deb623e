package io.poolkit.session;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The limits of one worker and of each execution in it. Immutable and thread-safe; build one with
 * {@link #builder()}, or take {@link #defaults()}.
 *
 * {@snippet class=io.poolkit.session.examples.SessionSnippets region=limits}
 *
 * <p>How each is enforced:
 * <ul>
 * <li>{@code heap}, {@code metaspace}: the worker JVM's {@code -Xmx} and {@code -XX:MaxMetaspaceSize}
 *     with {@code -XX:+ExitOnOutOfMemoryError}: a snippet that runs out ends the worker, and the
 *     result is a {@link ExecutionError.Kind#LIMIT} error.
 * <li>{@code maxOutputBytes} (stdout and stderr together), {@code maxCodeLength}: checked by the host
 *     (and, for output, by the worker as well); exceeding one is a {@code LIMIT} error.
 * <li>{@code maxWallTime}: the longest any execution may run, whatever timeout the caller gave.
 * <li>{@code maxToolCalls}: tool calls per execution; past it {@code tools.call} throws in the snippet.
 * <li>{@code maxFileSize}, {@code maxOpenFiles}, {@code maxProcesses}: the kernel's
 *     {@code RLIMIT_FSIZE}, {@code RLIMIT_NOFILE}, {@code RLIMIT_NPROC} (threads and processes of
 *     the sandbox; applied only with the sandbox on), set with {@code prlimit}; core dumps are off.
 *     {@code RLIMIT_AS} is never used: it crashes a JVM. A snippet that exceeds one sees an
 *     exception ("File too large", "Too many open files", "unable to create native thread").
 * <li>Where the host lets this process create cgroups (root, or a delegated cgroup v2 subtree),
 *     each worker also gets its own {@code pids.max} ({@code maxProcesses}) and a memory cap of
 *     heap + metaspace + 384 MiB, which bounds native memory as well; the kernel exempts root from
 *     {@code RLIMIT_NPROC}, so on a root host without cgroups {@code maxProcesses} is not enforced
 *     (logged once at WARN).
 * <li>{@code tmpSize}: the size of the sandbox's private {@code /tmp}.
 * <li>For a {@link Language#PYTHON} worker, heap + metaspace is the evaluator's address space
 *     ({@code RLIMIT_AS}, safe for CPython): an allocation past it raises {@code MemoryError} in the
 *     snippet (an {@link ExecutionError.Kind#EXCEPTION}); the memory cgroup, where there is one,
 *     caps the whole worker at 384 MiB more, and its OOM kill is a {@code LIMIT}.
 * </ul>
 */
public final class Limits {
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;
    private static final Limits DEFAULTS = builder().build();

    private final long heap;
    private final long metaspace;
    private final int maxOutputBytes;
    private final int maxCodeLength;
    private final Duration maxWallTime;
    private final int maxToolCalls;
    private final long maxFileSize;
    private final int maxOpenFiles;
    private final int maxProcesses;
    private final long tmpSize;

    private Limits(Builder b) {
        this.heap = b.heap;
        this.metaspace = b.metaspace;
        this.maxOutputBytes = b.maxOutputBytes;
        this.maxCodeLength = b.maxCodeLength;
        this.maxWallTime = b.maxWallTime;
        this.maxToolCalls = b.maxToolCalls;
        this.maxFileSize = b.maxFileSize;
        this.maxOpenFiles = b.maxOpenFiles;
        this.maxProcesses = b.maxProcesses;
        this.tmpSize = b.tmpSize;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return heap 256m, metaspace 256m, maxOutputBytes 1 MiB, maxCodeLength 64 Ki characters,
     *     maxWallTime 60 s, maxToolCalls 100, maxFileSize 16m, maxOpenFiles 256, maxProcesses 256,
     *     tmpSize 64m
     */
    public static Limits defaults() {
        return DEFAULTS;
    }

    /** @return the worker's heap bound in bytes ({@code -Xmx}) */
    public long heapBytes() {
        return heap;
    }

    /** @return the worker's metaspace bound in bytes ({@code -XX:MaxMetaspaceSize}) */
    public long metaspaceBytes() {
        return metaspace;
    }

    /** @return the bytes one execution may print, stdout and stderr together */
    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    /** @return the longest code one execution may send, in characters */
    public int maxCodeLength() {
        return maxCodeLength;
    }

    /** @return the longest one execution may run, whatever timeout its caller gave */
    public Duration maxWallTime() {
        return maxWallTime;
    }

    /** @return the tool calls one execution may make */
    public int maxToolCalls() {
        return maxToolCalls;
    }

    /** @return the largest file the worker may write, in bytes ({@code RLIMIT_FSIZE}) */
    public long maxFileSizeBytes() {
        return maxFileSize;
    }

    /** @return the files and sockets the worker may have open at once ({@code RLIMIT_NOFILE}) */
    public int maxOpenFiles() {
        return maxOpenFiles;
    }

    /** @return the threads and processes the sandbox may hold at once ({@code RLIMIT_NPROC}) */
    public int maxProcesses() {
        return maxProcesses;
    }

    /** @return the size of the sandbox's private {@code /tmp} in bytes */
    public long tmpSizeBytes() {
        return tmpSize;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Limits l && heap == l.heap && metaspace == l.metaspace && maxOutputBytes == l.maxOutputBytes
                && maxCodeLength == l.maxCodeLength && maxWallTime.equals(l.maxWallTime) && maxToolCalls == l.maxToolCalls
                && maxFileSize == l.maxFileSize && maxOpenFiles == l.maxOpenFiles && maxProcesses == l.maxProcesses
                && tmpSize == l.tmpSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(heap, metaspace, maxOutputBytes, maxCodeLength, maxWallTime, maxToolCalls, maxFileSize,
                maxOpenFiles, maxProcesses, tmpSize);
    }

    /** A wall time of a year or more stands for "no limit" (ChronoUnit.FOREVER and the like, whose nanoseconds overflow a long). */
    static final Duration NO_LIMIT = Duration.ofDays(365);

    /** maxWallTime for toString(): "none" from {@link #NO_LIMIT} on. */
    private String wallTime() {
        return maxWallTime.compareTo(NO_LIMIT) >= 0 ? "none" : maxWallTime.toMillis() + " ms";
    }

    @Override
    public String toString() {
        return "Limits[heap=" + size(heap) + ", metaspace=" + size(metaspace) + ", maxOutputBytes=" + maxOutputBytes
                + ", maxCodeLength=" + maxCodeLength + ", maxWallTime=" + wallTime() + ", maxToolCalls="
                + maxToolCalls + ", maxFileSize=" + size(maxFileSize) + ", maxOpenFiles=" + maxOpenFiles
                + ", maxProcesses=" + maxProcesses + ", tmpSize=" + size(tmpSize) + "]";
    }

    static String size(long bytes) {
        if (bytes % GIB == 0) {
            return bytes / GIB + "g";
        }
        if (bytes % MIB == 0) {
            return bytes / MIB + "m";
        }
        if (bytes % KIB == 0) {
            return bytes / KIB + "k";
        }
        return Long.toString(bytes);
    }

    /**
     * Parses a size the way the JVM's {@code -Xmx} does: digits, optionally followed by {@code k},
     * {@code m} or {@code g} (either case).
     */
    static long parseSize(String option, String text) {
        Objects.requireNonNull(text, option);
        String t = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!t.isEmpty()) {
            char last = t.charAt(t.length() - 1);
            unit = last == 'k' ? KIB : last == 'm' ? MIB : last == 'g' ? GIB : 1;
            if (unit != 1) {
                t = t.substring(0, t.length() - 1);
            }
        }
        if (t.isEmpty() || t.length() > 12 || !t.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(option + " must be a size like 128m, 1g or 65536, but was '" + text + "'");
        }
        return Long.parseLong(t) * unit;
    }

    /** Builds {@link Limits}; every setter checks its value. Not thread-safe. */
    public static final class Builder {
        private long heap = 256 * MIB;
        private long metaspace = 256 * MIB;
        private int maxOutputBytes = (int) MIB;
        private int maxCodeLength = 64 * 1024;
        private Duration maxWallTime = Duration.ofSeconds(60);
        private int maxToolCalls = 100;
        private long maxFileSize = 16 * MIB;
        private int maxOpenFiles = 256;
        private int maxProcesses = 256;
        private long tmpSize = 64 * MIB;

        private Builder() {
        }

        private static long between(String option, long value, long min, long max, String hint) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(option + " must be between " + size(min) + " and " + size(max) + hint
                        + ", but was " + size(value));
            }
            return value;
        }

        private static int between(String option, int value, int min, int max, String hint) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(option + " must be between " + min + " and " + max + hint + ", but was " + value);
            }
            return value;
        }

        /**
         * @param size the worker's heap, like {@code "128m"}: 64m (JShell's compiler needs about that) to 64g; default 256m
         * @return this builder
         */
        public Builder heap(String size) {
            heap = between("heap", parseSize("heap", size), 64 * MIB, 64 * GIB, " (JShell's compiler needs about 64m)");
            return this;
        }

        /**
         * @param size the worker's metaspace, 64m to 4g; default 256m
         * @return this builder
         */
        public Builder metaspace(String size) {
            metaspace = between("metaspace", parseSize("metaspace", size), 64 * MIB, 4 * GIB, " (JShell's compiler needs about 48m)");
            return this;
        }

        /**
         * @param bytes what one execution may print, stdout and stderr together: 1 to 64 MiB; default 1 MiB
         * @return this builder
         */
        public Builder maxOutputBytes(int bytes) {
            maxOutputBytes = between("maxOutputBytes", bytes, 1, 64 << 20, "");
            return this;
        }

        /**
         * @param chars the longest code one execution may send: 1 to 262144 characters (a frame holds 1 MiB); default 65536
         * @return this builder
         */
        public Builder maxCodeLength(int chars) {
            maxCodeLength = between("maxCodeLength", chars, 1, 256 * 1024, " (a frame holds 1 MiB)");
            return this;
        }

        /**
         * @param wallTime the longest one execution may run, more than zero; default 60 s
         * @return this builder
         */
        public Builder maxWallTime(Duration wallTime) {
            Objects.requireNonNull(wallTime, "maxWallTime");
            if (wallTime.isNegative() || wallTime.isZero()) {
                throw new IllegalArgumentException("maxWallTime must be more than zero, but was " + wallTime);
            }
            maxWallTime = wallTime;
            return this;
        }

        /**
         * @param calls tool calls one execution may make, 0 (no tools) to 1,000,000; default 100
         * @return this builder
         */
        public Builder maxToolCalls(int calls) {
            maxToolCalls = between("maxToolCalls", calls, 0, 1_000_000, "");
            return this;
        }

        /**
         * @param size the largest file the worker may write, 64k to 64g; default 16m
         * @return this builder
         */
        public Builder maxFileSize(String size) {
            maxFileSize = between("maxFileSize", parseSize("maxFileSize", size), 64 * KIB, 64 * GIB, "");
            return this;
        }

        /**
         * @param files files and sockets open at once: 64 (the JVM itself needs about 40) to 1,048,576; default 256
         * @return this builder
         */
        public Builder maxOpenFiles(int files) {
            maxOpenFiles = between("maxOpenFiles", files, 64, 1 << 20, " (the JVM itself needs about 40)");
            return this;
        }

        /**
         * @param tasks threads and processes in the sandbox at once: 64 (the JVM itself needs about 30) to 1,000,000; default 256
         * @return this builder
         */
        public Builder maxProcesses(int tasks) {
            maxProcesses = between("maxProcesses", tasks, 64, 1_000_000, " (the JVM itself needs about 30)");
            return this;
        }

        /**
         * @param size the sandbox's private {@code /tmp}, 1m to 64g; default 64m
         * @return this builder
         */
        public Builder tmpSize(String size) {
            tmpSize = between("tmpSize", parseSize("tmpSize", size), MIB, 64 * GIB, "");
            return this;
        }

        /** @return the limits */
        public Limits build() {
            return new Limits(this);
        }
    }
}
