package io.poolkit.session.internal;

import io.poolkit.session.Limits;
import io.poolkit.session.SessionStartException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What a Python session's worker is: the interpreter (checked once per binary: a real CPython 3.9+
 * binary, its installation prefix), the worker script {@value #SCRIPT} (a resource of this module,
 * copied to a content-addressed directory the sandbox binds read-only, like the Java worker's code),
 * and its command line.
 *
 * <p>The script is two processes (see its header): a supervisor that owns the host's socket and never
 * runs snippet code, and an evaluator forked from it that runs the snippets with no descriptor of the
 * socket. The host treats the pair exactly as it treats a JVM worker: the same frames, caps and
 * protocol-violation handling ({@link Protocol}, {@link Connection}, {@link Execution}).
 *
 * <p>Inside the sandbox the interpreter runs from an execute-only copy at its own path (so the kernel
 * makes the supervisor and the evaluator non-dumpable, as it does the JVM), its standard library comes
 * with the system library directories when the prefix is {@code /usr} (Debian's python3), and any
 * other prefix is bound read-only. The evaluator's address space is capped ({@code RLIMIT_AS}, safe
 * for CPython, never used for a JVM) at {@link #addressSpace}.
 */
public final class PythonWorker {
    /** The worker script's name, in this package's resources and in its code directory. */
    static final String SCRIPT = "poolkit_worker.py";
    /** Debian's python3: not whatever {@code python3} comes first on the PATH (often a pyenv shim, a script). */
    public static final Path DEFAULT_INTERPRETER = Path.of("/usr/bin/python3");

    private static final Map<Path, Object> CHECKED = new ConcurrentHashMap<>();
    private static final WorkerScript INSTALLED = new WorkerScript(PythonWorker.class, SCRIPT, "py-", "Python worker");

    /**
     * A checked interpreter.
     *
     * @param binary the real binary (symlinks resolved)
     * @param version its version, for example {@code 3.11.2}
     * @param prefix its {@code sys.base_prefix}
     */
    public record Interpreter(Path binary, String version, Path prefix) {
    }

    private PythonWorker() {
    }

    /**
     * @param configured the interpreter asked for, or null for {@link #DEFAULT_INTERPRETER}
     * @return the checked interpreter, probed once per path
     * @throws SessionStartException saying what is wrong with it and what to do
     */
    public static Interpreter interpreter(Path configured) {
        Path p = configured != null ? configured : DEFAULT_INTERPRETER;
        Object o = CHECKED.computeIfAbsent(p, PythonWorker::probe);
        if (o instanceof SessionStartException e) {
            throw new SessionStartException(e.getMessage());
        }
        return (Interpreter) o;
    }

    private static Object probe(Path p) {
        try {
            if (!Files.isRegularFile(p)) {
                return new SessionStartException("the Python interpreter " + p + " is not there: install python3 (Debian/Ubuntu:"
                        + " apt-get install python3) or give another with interpreter(Path)");
            }
            Path real = p.toRealPath();
            byte[] head;
            try (InputStream in = Files.newInputStream(real)) {
                head = in.readNBytes(4);
            }
            if (head.length < 4 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
                return new SessionStartException("the Python interpreter " + p + " is not a binary (a pyenv or virtualenv shim is a"
                        + " script): give the real python3 binary with interpreter(Path), for example /usr/bin/python3");
            }
            ProcessBuilder pb = new ProcessBuilder(real.toString(), "-I", "-S", "-c",
                    "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.base_prefix)").redirectErrorStream(true);
            pb.environment().clear();
            Process proc = pb.start();
            String out = new String(proc.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
            if (!proc.waitFor(20, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
                return new SessionStartException("the Python interpreter " + p + " did not say its version within 20 s");
            }
            String[] lines = out.strip().split("\n");
            if (proc.exitValue() != 0 || lines.length != 2 || !lines[0].matches("\\d+\\.\\d+\\.\\d+")) {
                return new SessionStartException("the Python interpreter " + p + " does not run (exit code " + proc.exitValue() + "): "
                        + out.strip());
            }
            String[] v = lines[0].split("\\.");
            int major = Integer.parseInt(v[0]);
            int minor = Integer.parseInt(v[1]);
            if (major != 3 || minor < 9) {
                return new SessionStartException("the Python interpreter " + p + " is Python " + lines[0]
                        + ", and a session needs CPython 3.9 or newer: install python3 or give another with interpreter(Path)");
            }
            return new Interpreter(real, lines[0], Path.of(lines[1].strip()));
        } catch (IOException e) {
            return new SessionStartException("the Python interpreter " + p + " cannot be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new SessionStartException("interrupted while checking the Python interpreter " + p);
        }
    }

    /** @return the verified directory under {@code root} holding {@link #SCRIPT}, written on first use */
    static Path ensureScript(Path root) throws IOException {
        return INSTALLED.install(root);
    }

    /**
     * On a root host the sandbox runs as {@link Sandbox#ROOT_HOST_WORKER_UID}, which must be able to
     * reach the interpreter's prefix to bind it (bubblewrap would only say "Permission denied").
     *
     * @throws SessionStartException naming the directory that keeps it out
     */
    static void checkReachableByOthers(Interpreter python) {
        if (python.prefix().equals(Path.of("/usr"))) {
            return;
        }
        checkBindable(python);
        for (Path p = python.prefix(); p != null; p = p.getParent()) {
            try {
                java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                boolean ok = perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)
                        && (!p.equals(python.prefix()) || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
                if (!ok) {
                    throw new SessionStartException("the Python interpreter's installation " + python.prefix() + " cannot be bound into"
                            + " the sandbox: this host runs as root, the sandbox as user " + Sandbox.ROOT_HOST_WORKER_UID + ", and " + p
                            + " is closed to other users (" + PosixFilePermissions.toString(perms) + "): install the interpreter where"
                            + " others can read it (/usr/local, /opt) or use /usr/bin/python3");
                }
            } catch (IOException e) {
                throw new SessionStartException("cannot check " + p + " for the Python interpreter: " + e.getMessage());
            }
        }
    }

    /**
     * An installation under a directory the sandbox makes its own ({@code /tmp}, {@code /proc},
     * {@code /dev}) or under the worker's own paths would be hidden inside.
     *
     * @throws SessionStartException naming the prefix and why
     */
    static void checkBindable(Interpreter python) {
        for (String own : List.of("/tmp", "/proc", "/dev", "/poolkit")) {
            if (python.prefix().startsWith(own)) {
                throw new SessionStartException("the Python interpreter's installation " + python.prefix() + " is under " + own
                        + ", which the sandbox replaces with its own: install the interpreter elsewhere (/usr/local, /opt)"
                        + " or use /usr/bin/python3");
            }
        }
    }

    /** The Python worker inside the sandbox: the interpreter execute-only at its own path, its prefix when not /usr, the script. */
    static Sandbox.Layout layout(Interpreter python, Limits limits, Path code) {
        Map<String, Path> binds = new LinkedHashMap<>();
        if (!python.prefix().equals(Path.of("/usr"))) {
            binds.put(python.prefix().toString(), python.prefix());
        }
        binds.put(Sandbox.CODE, code);
        String inside = python.binary().toString();
        return new Sandbox.Layout(python.binary(), inside, binds,
                command(inside, Sandbox.CODE + "/" + SCRIPT, Sandbox.IPC + "/w.sock", true, limits));
    }

    /** The unsandboxed worker's command: prlimit when installed, then the interpreter. */
    static List<String> plainCommand(Interpreter python, Limits limits, Path code, Path socket) {
        return Sandbox.plainCommand(limits, command(python.binary().toString(), code.resolve(SCRIPT).toString(), socket.toString(),
                false, limits));
    }

    /**
     * The evaluator's {@code RLIMIT_AS}: heap + metaspace, the two areas a JVM worker's limits bound.
     * Below the memory cgroup's cap ({@link Launcher#memoryCap}, 384 MiB more) on purpose: the
     * allocation fails in the snippet ({@code MemoryError}) before the cgroup reclaims the
     * interpreter's own pages and the worker thrashes.
     */
    static long addressSpace(Limits limits) {
        return limits.heapBytes() + limits.metaspaceBytes();
    }

    private static List<String> command(String python, String script, String socket, boolean sandboxed, Limits limits) {
        return new ArrayList<>(List.of(python, "-I", "-B", script, socket, sandboxed ? "sandbox" : "plain",
                Long.toString(addressSpace(limits))));
    }
}
