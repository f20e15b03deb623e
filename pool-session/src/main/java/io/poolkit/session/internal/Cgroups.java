package io.poolkit.session.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's own control groups, where the host lets this process create them: {@code pids.max}
 * (threads and processes) and a memory cap (heap, metaspace and native memory together), nested
 * under this JVM's own cgroup so workers stay inside whatever bounds the host already has.
 *
 * <p>Why both this and {@code RLIMIT_NPROC}: the kernel exempts root's processes from
 * {@code RLIMIT_NPROC}, and a sandbox started by a root host still runs as root in the host's user
 * namespace, so on a root host only a pids cgroup bounds a fork or thread bomb. cgroup v1 (the
 * {@code pids} and {@code memory} hierarchies) and v2 (a delegated subtree with both controllers)
 * are supported; where neither can be created the worker runs without, and that is logged once.
 */
final class Cgroups {
    private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final java.util.concurrent.ScheduledExecutorService CLEANER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "poolkit-session-cgroup-cleaner");
                t.setDaemon(true);
                return t;
            });

    private final List<Path> dirs;
    private final Path memoryEvents;

    private Cgroups(List<Path> dirs, Path memoryEvents) {
        this.dirs = dirs;
        this.memoryEvents = memoryEvents;
    }

    /**
     * Creates the worker's cgroups, or returns null when this host does not allow it (logged once).
     *
     * @param name unique per worker
     * @param pidsMax the most threads and processes
     * @param memoryMax the most memory in bytes
     */
    static Cgroups create(String name, long pidsMax, long memoryMax) {
        String why;
        List<Path> made = new ArrayList<>();
        try {
            Map<String, String> own = ownCgroups();
            if (own.containsKey("pids") && own.containsKey("memory")) {
                Path pids = make(ROOT.resolve("pids"), own.get("pids"), name);
                made.add(pids);
                Path memory = make(ROOT.resolve("memory"), own.get("memory"), name);
                made.add(memory);
                Files.writeString(pids.resolve("pids.max"), Long.toString(pidsMax));
                Files.writeString(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryMax));
                trySwapCap(memory.resolve("memory.memsw.limit_in_bytes"), memoryMax);
                return new Cgroups(List.of(pids, memory), memory.resolve("memory.oom_control"));
            }
            if (own.containsKey("") && Files.exists(ROOT.resolve("cgroup.controllers"))) {
                Path dir = make(ROOT, own.get(""), name);
                if (!Files.exists(dir.resolve("pids.max")) || !Files.exists(dir.resolve("memory.max"))) {
                    remove(dir);
                    throw new IOException("the pids and memory controllers are not delegated to " + dir.getParent());
                }
                Files.writeString(dir.resolve("pids.max"), Long.toString(pidsMax));
                Files.writeString(dir.resolve("memory.max"), Long.toString(memoryMax));
                trySwapCap(dir.resolve("memory.swap.max"), 0);
                return new Cgroups(List.of(dir), dir.resolve("memory.events"));
            }
            why = "no pids and memory cgroup hierarchy is mounted under " + ROOT;
        } catch (IOException | RuntimeException e) {
            why = e.getMessage();
            made.forEach(Cgroups::remove);
        }
        if (WARNED.compareAndSet(false, true)) {
            boolean root = isRoot();
            if (root) {
                log.warn("session workers run without a pids and memory cgroup ({}); this host runs as root, and the kernel exempts"
                        + " root from RLIMIT_NPROC, so Limits.maxProcesses is not enforced and native memory is bounded only by the"
                        + " OOM killer (workers have oom_score_adj 1000)", why);
            } else {
                log.info("session workers run without a pids and memory cgroup ({}); RLIMIT_NPROC bounds their threads and processes", why);
            }
        }
        return null;
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** This process's cgroup per controller ({@code ""} for v2), from /proc/self/cgroup. */
    private static Map<String, String> ownCgroups() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
            String[] parts = line.split(":", 3);
            if (parts.length != 3) {
                continue;
            }
            for (String controller : parts[1].split(",")) {
                if (controller.equals("pids") || controller.equals("memory") || controller.isEmpty()) {
                    out.put(controller, parts[2]);
                }
            }
        }
        return out;
    }

    private static Path make(Path mount, String own, String name) throws IOException {
        Path parent = mount.resolve(own.startsWith("/") ? own.substring(1) : own).resolve("poolkit");
        if (!Files.isDirectory(parent)) {
            try {
                Files.createDirectory(parent);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made by another worker
            }
        }
        if (mount.equals(ROOT)) { // v2: let the subtree use both controllers
            Files.writeString(parent.resolve("cgroup.subtree_control"), "+pids +memory");
        }
        return Files.createDirectory(parent.resolve(name));
    }

    private static void trySwapCap(Path file, long bytes) {
        try {
            if (Files.exists(file)) {
                Files.writeString(file, Long.toString(bytes));
            }
        } catch (IOException ignored) {
            // swap accounting off: the memory cap still holds for RAM
        }
    }

    /** Moves {@code root} and everything it has started into the worker's cgroups (twice, for children forked meanwhile). */
    void add(ProcessHandle root) throws IOException {
        for (int pass = 0; pass < 2; pass++) {
            List<Long> pids = new ArrayList<>();
            pids.add(root.pid());
            root.descendants().forEach(p -> pids.add(p.pid()));
            for (Path d : dirs) {
                for (long pid : pids) {
                    try {
                        Files.writeString(d.resolve("cgroup.procs"), Long.toString(pid));
                    } catch (IOException e) {
                        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                            throw e;
                        }
                    }
                }
            }
        }
    }

    /** @return whether the kernel's OOM killer ended something in the memory cgroup */
    boolean oomKilled() {
        try {
            for (String line : Files.readAllLines(memoryEvents)) {
                if (line.startsWith("oom_kill ") && !line.endsWith(" 0")) {
                    return true;
                }
            }
        } catch (IOException ignored) {
            // gone
        }
        return false;
    }

    /**
     * Removes the worker's cgroups once its processes are gone: at once when it can, else retried in
     * the background (killed tasks take a moment to leave; a fork bomb's many), for up to a minute.
     */
    void remove() {
        for (Path d : dirs) {
            if (!remove(d)) {
                retry(d, 600);
            }
        }
    }

    private static final java.util.Set<Path> PENDING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        // a JVM that exits right after its last worker: one bounded last try for what is still pending
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
            while (!PENDING.isEmpty() && System.nanoTime() - deadline < 0) {
                PENDING.removeIf(Cgroups::remove);
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
        }, "poolkit-session-cgroup-cleanup"));
    }

    private static void retry(Path d, int attemptsLeft) {
        PENDING.add(d);
        CLEANER.schedule(() -> {
            if (remove(d)) {
                PENDING.remove(d);
            } else if (attemptsLeft > 1) {
                retry(d, attemptsLeft - 1);
            } else {
                PENDING.remove(d);
                log.debug("could not remove cgroup {}: tasks are still in it", d);
            }
        }, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** @return true when {@code d} is gone */
    private static boolean remove(Path d) {
        try {
            Files.deleteIfExists(d);
            return true;
        } catch (IOException busy) {
            return false; // tasks still exiting after SIGKILL
        }
    }
}
