package io.poolkit.session.internal;

import io.poolkit.session.Limits;
import io.poolkit.session.SessionStartException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an R session's worker is: Debian's R ({@code r-base-core}: {@code R_HOME} {@value #HOME}, the
 * binary {@code bin/exec/R} run directly, without the {@code R} shell script), the worker script
 * {@value #SCRIPT} (a resource of this module, copied to a content-addressed directory the sandbox
 * binds read-only), its command line, and what it needs inside the sandbox.
 *
 * <p>The script is two processes (see its header): a supervisor that owns the host's two FIFOs and
 * never runs snippet code, and an evaluator, a fresh R it starts (through {@code /bin/sh}, R's only
 * way to start a process) with only pipes and FIFOs of its own. R has no FFI to install a seccomp
 * filter on its evaluator, so the sandbox's own filter guards the supervisor ({@link Sandbox.Layout#guardsSupervisor}).
 * The host treats the pair exactly as it treats a JVM worker: the same frames, caps and
 * protocol-violation handling ({@link Protocol}, {@link Connection}, {@link Execution}).
 */
public final class RWorker {
    /** Debian's R home: where {@code r-base-core} installs R. */
    public static final Path HOME = Path.of("/usr/lib/R");
    /** The R binary itself; {@code Rscript} and {@code R} are a launcher and a shell script that end in it. */
    public static final Path BINARY = HOME.resolve("bin/exec/R");
    /** The worker script's name, in this package's resources and in its code directory. */
    static final String SCRIPT = "poolkit_worker.R";
    static final String PRLIMIT_INSIDE = "/poolkit/bin/prlimit";
    /** The path R's {@code Sys.which} runs, fixed when R was built. */
    private static final Path WHICH = Path.of("/usr/bin/which");

    private static final WorkerScript INSTALLED = new WorkerScript(RWorker.class, SCRIPT, "r-", "R worker");

    private RWorker() {
    }

    /**
     * @throws SessionStartException when R is not installed where Debian puts it, saying how to install it
     */
    public static void check() {
        if (!Files.isRegularFile(BINARY) || !Files.isExecutable(BINARY)) {
            throw new SessionStartException("R is not installed: " + BINARY + " is missing (Debian/Ubuntu: apt-get install"
                    + " r-base-core, or source .ci/services/interpreters.sh as root)");
        }
    }

    /**
     * The environment of the supervisor, inherited by its evaluators. The {@code R} shell script would
     * set {@code R_HOME} and the share, include and doc directories; R reads {@code R_HOME} at start
     * and nothing else of them. A UTF-8 locale (C.UTF-8 is part of glibc), so a snippet's text is not
     * escaped. One BLAS and OpenMP thread: the supervisor must stay a single thread (its threads are
     * not covered by the seccomp guard, which knows pids), and OpenBLAS starts its threads when R loads it.
     * No JIT (see below).
     */
    static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("R_HOME", HOME.toString());
        env.put("LANG", "C.UTF-8");
        env.put("R_DEFAULT_PACKAGES", "NULL"); // the supervisor needs base only; it unsets this for its evaluators
        env.put("OPENBLAS_NUM_THREADS", "1");
        env.put("OMP_NUM_THREADS", "1");
        // R's JIT compiles a closure or top-level loop before it runs: its first compile took 0.7 s on a loaded
        // machine, more than a cold worker takes without it and more than most snippets run; R's own packages
        // are compiled when installed. A snippet may turn it on: compiler::enableJIT(3)
        env.put("R_ENABLE_JIT", "0");
        return env;
    }

    /**
     * The R worker inside the sandbox, with what R needs bound read-only and nothing more (R's own
     * files are under {@code /usr/lib}, already bound with the system libraries):
     * <ul>
     * <li>the R binary, execute-only at its own path (so the supervisor and every evaluator are
     *     non-dumpable: no process of the sandbox opens their {@code /proc/PID/fd});
     * <li>{@code /etc/R/Renviron}, which {@code R_HOME/etc/Renviron} links to: R reads it at start;
     * <li>each link outside {@code /usr/lib} that R's BLAS and LAPACK resolve through (Debian's
     *     {@code /etc/alternatives/libblas.so.3-*}): the dynamic linker follows them;
     * <li>{@code /bin/sh}: R starts a process only through it ({@code pipe()}, {@code system()}), and
     *     the supervisor starts each evaluator so;
     * <li>the worker script at {@link Sandbox#CODE}.
     * </ul>
     */
    static Sandbox.Layout layout(Limits limits, Path code) throws IOException {
        Map<String, Path> binds = new LinkedHashMap<>();
        Path renviron = HOME.resolve("etc/Renviron");
        if (Files.isSymbolicLink(renviron)) {
            Path target = renviron.getParent().resolve(Files.readSymbolicLink(renviron)).normalize();
            binds.put(target.toString(), target.toRealPath());
        }
        binds.putAll(libraryLinks());
        binds.put("/bin/sh", Path.of("/bin/sh").toRealPath());
        if (Files.isExecutable(WHICH)) {
            binds.put(WHICH.toString(), WHICH.toRealPath());
        }
        binds.put(Sandbox.CODE, code);
        return new Sandbox.Layout(BINARY.toRealPath(), BINARY.toString(), binds,
                command(BINARY.toString(), Sandbox.CODE + "/" + SCRIPT, Sandbox.IPC, true, limits, PRLIMIT_INSIDE), env(), true);
    }

    /**
     * The links outside the library directories that R's BLAS and LAPACK are reached through (Debian
     * switches them with /etc/alternatives), each bound where the link chain expects it, to the real file.
     */
    static Map<String, Path> libraryLinks() throws IOException {
        Map<String, Path> binds = new LinkedHashMap<>();
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/usr/lib")));
        try (DirectoryStream<Path> sub = Files.newDirectoryStream(Path.of("/usr/lib"), "*-linux-gnu*")) {
            sub.forEach(dirs::add);
        }
        for (Path d : dirs) {
            for (String lib : List.of("libblas.so.3", "liblapack.so.3")) {
                Path cur = d.resolve(lib);
                for (int hops = 0; hops < 8 && Files.isSymbolicLink(cur); hops++) {
                    Path next = cur.getParent().resolve(Files.readSymbolicLink(cur)).normalize();
                    if (!next.startsWith("/usr/lib") && !next.startsWith("/lib") && Files.exists(next)) {
                        binds.put(next.toString(), next.toRealPath());
                    }
                    cur = next;
                }
            }
        }
        return binds;
    }

    /** The unsandboxed worker's command: prlimit when installed, then R. */
    static List<String> plainCommand(Limits limits, Path code, Path ipcDir) throws IOException {
        Path prlimit = Sandbox.onPath("prlimit");
        return Sandbox.plainCommand(limits, command(BINARY.toRealPath().toString(), code.resolve(SCRIPT).toString(), ipcDir.toString(),
                false, limits, prlimit == null ? "" : prlimit.toString()));
    }

    private static List<String> command(String r, String script, String ipc, boolean sandboxed, Limits limits, String prlimit) {
        return List.of(r, "--no-echo", "--no-restore", "--vanilla", "--file=" + script, "--args", "supervisor", ipc + "/in",
                ipc + "/out", sandboxed ? "sandbox" : "plain", Long.toString(PythonWorker.addressSpace(limits)), r, prlimit, script);
    }

    /** @return the verified directory under {@code root} holding {@link #SCRIPT}, written on first use */
    static Path ensureScript(Path root) throws IOException {
        return INSTALLED.install(root);
    }
}
