package io.poolkit.session.internal;

import io.poolkit.session.internal.wire.Out;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running worker as the host sees it: the process (bwrap, or the JVM when unsandboxed), its
 * connection, its diagnostics, and its socket directory. Thread-safe.
 */
public final class WorkerProcess {
    private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);
    private static final long KILL_WAIT_MILLIS = 5_000;

    private final String name;
    private final Process process;
    private final Connection connection;
    private final Tail diagnostics;
    private final Path sessionDir;
    private final String javaVersion;
    private final Cgroups cgroups;
    private final int outOfMemoryExit;
    private volatile String deathReason;

    /**
     * @param outOfMemoryExit the exit status the worker's runtime uses only when it runs out of memory
     *     (a JVM with {@code -XX:+ExitOnOutOfMemoryError}: 3), or -1 when it has none
     */
    WorkerProcess(String name, Process process, Connection connection, Tail diagnostics, Path sessionDir, String javaVersion,
            Cgroups cgroups, int outOfMemoryExit) {
        this.name = name;
        this.process = process;
        this.connection = connection;
        this.diagnostics = diagnostics;
        this.sessionDir = sessionDir;
        this.javaVersion = javaVersion;
        this.cgroups = cgroups;
        this.outOfMemoryExit = outOfMemoryExit;
        connection.onViolation(this::kill); // a worker that breaks the protocol is not used again, idle or not
    }

    public String name() {
        return name;
    }

    public Connection connection() {
        return connection;
    }

    public long pid() {
        return process.pid();
    }

    /** @return the process the host started (bwrap, or the worker JVM when unsandboxed) */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    public String javaVersion() {
        return javaVersion;
    }

    /** @return true while the process runs and its connection is open */
    public boolean isAlive() {
        return deathReason == null && connection.closedReason() == null && process.isAlive();
    }

    public boolean send(byte type, Out payload) {
        return connection.send(type, payload);
    }

    /** @return why it died, or null while it is alive */
    public String deathReason() {
        if (deathReason != null) {
            return deathReason;
        }
        if (!process.isAlive()) {
            return "the worker exited with code " + process.exitValue();
        }
        return connection.closedReason();
    }

    /** Waits briefly for the process to end and returns its last words (JVM warnings, an out-of-memory notice). */
    public String diagnostics(long waitMillis) {
        if (waitMillis > 0) {
            diagnostics.awaitEnd(waitMillis);
        }
        return diagnostics.text();
    }

    /** @return whether the kernel's OOM killer ended something in the worker's memory cgroup */
    public boolean oomKilled() {
        return cgroups != null && cgroups.oomKilled();
    }

    /** @return whether the worker runs in its own pids and memory cgroups */
    public boolean hasCgroups() {
        return cgroups != null;
    }

    /** @return the exit code, or null while it runs */
    public Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** Waits up to {@code millis} for the process to end; @return its exit code, or null when it still runs */
    public Integer awaitExit(long millis) {
        try {
            if (process.waitFor(millis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /** @return whether {@code exitCode} is the status the worker's runtime exits with only when out of memory */
    public boolean outOfMemoryExit(int exitCode) {
        return outOfMemoryExit >= 0 && exitCode == outOfMemoryExit;
    }

    /** Kills the process tree, closes the connection and removes the socket directory; idempotent. */
    public void kill(String reason) {
        synchronized (this) {
            if (deathReason == null) {
                deathReason = reason;
            }
        }
        connection.close(reason);
        if (!Processes.killTreeAndWait(process, KILL_WAIT_MILLIS)) {
            log.warn("{} - worker pid {} did not exit within {} ms of SIGKILL", name, process.pid(), KILL_WAIT_MILLIS);
        }
        WorkDirs.deleteQuietly(sessionDir);
        if (cgroups != null) {
            cgroups.remove();
        }
        log.debug("{} - worker pid {} ended: {}", name, process.pid(), reason);
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + (isAlive() ? "" : ", dead: " + deathReason()) + "]";
    }
}
