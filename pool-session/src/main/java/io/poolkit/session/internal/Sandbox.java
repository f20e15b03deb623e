package io.poolkit.session.internal;

import io.poolkit.session.Limits;
import io.poolkit.session.SandboxUnavailableException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The bubblewrap sandbox of a worker: finding and checking {@code bwrap}, and the command line.
 *
 * <p>The flags (DESIGN "pool-session"): {@code --unshare-all} (network, pid, ipc, uts, cgroup,
 * mount), {@code --unshare-user --disable-userns} (its own user namespace, and none inside it),
 * {@code --uid 65534 --gid 65534} (never root inside, even when the host runs as root),
 * {@code --die-with-parent}, {@code --new-session}, {@code --cap-drop ALL}, {@code --clearenv}.
 * Mounts: read-only binds of the JDK (and the files outside it that its symlinks name), the system
 * library directories, {@code /etc/ld.so.cache}, {@code prlimit}, the worker code
 * ({@code /poolkit/code}) and the worker's socket directory ({@code /poolkit/ipc}); a fresh
 * {@code /proc} (own pid namespace) and a minimal {@code /dev} (null, zero, random, urandom, tty;
 * its tmpfs remounted read-only); a private size-capped tmpfs {@code /tmp}; then the root is
 * remounted read-only, so nothing outside {@code /tmp} can be written. Inside, the
 * command is {@code prlimit} setting the rlimits (file size, open files, threads and processes, no
 * core dumps), which then runs the worker JVM.
 *
 * <p>A flag the installed bwrap lacks is an error that names it, never a protection silently dropped.
 */
public final class Sandbox {
    /** Where things are inside the sandbox. */
    public static final String CODE = "/poolkit/code";
    public static final String IPC = "/poolkit/ipc";
    private static final String PRLIMIT_INSIDE = "/usr/bin/prlimit";

    static final List<String> REQUIRED_FLAGS = List.of("--unshare-all", "--unshare-user", "--disable-userns", "--uid", "--gid",
            "--die-with-parent", "--new-session", "--cap-drop", "--clearenv", "--ro-bind", "--symlink", "--proc", "--dev",
            "--tmpfs", "--size", "--remount-ro", "--chdir", "--hostname");
    private static final List<String> LIBRARY_DIRS = List.of("/lib", "/lib64", "/usr/lib", "/usr/lib64");
    private static final Set<String> JDK_SKIP = Set.of("legal", "man", "include", "jmods", "demo", "sample", "docs", "src.zip");

    private static final Map<Path, Object> CHECKED = new ConcurrentHashMap<>();
    private static volatile List<String> jdkBinds;

    /** A checked bubblewrap and the prlimit to run inside it. */
    public record Tools(Path bwrap, String version, Path prlimit) {
    }

    private Sandbox() {
    }

    /**
     * Finds bubblewrap ({@code configured}, else {@code bwrap} on the PATH, else /usr/bin/bwrap) and
     * prlimit, checks the flags and that a sandbox can really be built here; cached per path.
     *
     * @throws SandboxUnavailableException saying what is missing and how to get it or opt out
     */
    public static Tools check(Path configured) {
        String os = System.getProperty("os.name", "?");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            throw unavailable("the sandbox needs Linux with bubblewrap, and this is " + os);
        }
        Path bwrap = configured != null ? configured : onPath("bwrap");
        if (bwrap == null || !Files.isExecutable(bwrap)) {
            throw unavailable("bubblewrap (bwrap) is not installed" + (configured != null ? " at " + configured : " (looked on the PATH and in /usr/bin)")
                    + ": install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)");
        }
        Object cached = CHECKED.computeIfAbsent(bwrap, Sandbox::probe);
        if (cached instanceof SandboxUnavailableException e) {
            throw new SandboxUnavailableException(e.getMessage());
        }
        return (Tools) cached;
    }

    private static Object probe(Path bwrap) {
        try {
            String version = run(List.of(bwrap.toString(), "--version")).strip();
            String help = run(List.of(bwrap.toString(), "--help"));
            List<String> missing = REQUIRED_FLAGS.stream().filter(f -> !help.contains(f + " ") && !help.contains(f + "\n")).toList();
            if (!missing.isEmpty()) {
                return unavailable(bwrap + " (" + version + ") lacks " + String.join(", ", missing)
                        + ", which the sandbox needs (bubblewrap 0.8.0 or newer): upgrade bubblewrap");
            }
            Path prlimit = onPath("prlimit");
            if (prlimit == null) {
                return unavailable("prlimit (util-linux) is not installed; the sandbox sets its rlimits (file size, open files,"
                        + " processes) with it: install util-linux");
            }
            List<String> cmd = new ArrayList<>(List.of(bwrap.toString(), "--unshare-all", "--unshare-user", "--disable-userns",
                    "--uid", "65534", "--gid", "65534", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"));
            cmd.addAll(libraryBinds());
            cmd.addAll(List.of("--ro-bind", prlimit.toRealPath().toString(), PRLIMIT_INSIDE, "--proc", "/proc", "--dev", "/dev",
                    "--", PRLIMIT_INSIDE, "--nofile=64:64", "--", PRLIMIT_INSIDE, "--version"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().clear();
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return unavailable("bubblewrap (" + version + ") cannot build a sandbox here: " + out
                        + ". User namespaces are probably disabled: enable them (sysctl kernel.unprivileged_userns_clone=1;"
                        + " on Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for bwrap)");
            }
            return new Tools(bwrap, version, prlimit.toRealPath());
        } catch (IOException e) {
            return unavailable("bubblewrap at " + bwrap + " cannot be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted while checking bubblewrap at " + bwrap);
        }
    }

    private static SandboxUnavailableException unavailable(String what) {
        return new SandboxUnavailableException(what + ". Or opt out, at your own risk, with sandbox(false): the worker then"
                + " runs unsandboxed, as this user, with the host's files and network");
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** @return an executable named {@code name} on the PATH, in /usr/bin or /bin, or null */
    public static Path onPath(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toAbsolutePath();
            }
        }
        return null;
    }

    /**
     * The full bubblewrap command of one worker.
     *
     * @param tools the checked bwrap and prlimit
     * @param limits the rlimits and the tmpfs size
     * @param codeDir the worker code on the host
     * @param sessionDir the worker's socket directory on the host
     * @param java the JVM's command line as it runs inside ({@code java} first)
     */
    public static List<String> command(Tools tools, Limits limits, Path codeDir, Path sessionDir, List<String> java) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(tools.bwrap().toString(),
                "--unshare-all", "--unshare-user", "--disable-userns",
                "--uid", "65534", "--gid", "65534",
                "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv",
                "--hostname", "poolkit-worker"));
        cmd.addAll(libraryBinds());
        cmd.addAll(jdkBinds());
        cmd.addAll(List.of(
                "--ro-bind", tools.prlimit().toString(), PRLIMIT_INSIDE,
                "--ro-bind", codeDir.toString(), CODE,
                "--ro-bind", sessionDir.toString(), IPC,
                "--proc", "/proc",
                "--dev", "/dev",
                "--remount-ro", "/dev",
                "--size", Long.toString(limits.tmpSizeBytes()), "--tmpfs", "/tmp",
                "--remount-ro", "/",
                "--chdir", "/tmp",
                "--", PRLIMIT_INSIDE,
                "--fsize=" + limits.maxFileSizeBytes(),
                "--nofile=" + limits.maxOpenFiles(),
                "--nproc=" + limits.maxProcesses(),
                "--core=0",
                "--"));
        cmd.addAll(java);
        return cmd;
    }

    /** The command of an unsandboxed worker: prlimit (file size, open files, no core dumps) when installed, then the JVM. */
    public static List<String> plainCommand(Limits limits, List<String> java) {
        Path prlimit = onPath("prlimit");
        List<String> cmd = new ArrayList<>();
        if (prlimit != null) {
            cmd.addAll(List.of(prlimit.toString(), "--fsize=" + limits.maxFileSizeBytes(), "--nofile=" + limits.maxOpenFiles(),
                    "--core=0", "--"));
        }
        cmd.addAll(java);
        return cmd;
    }

    /** The system library directories, bound read-only; those that are symlinks (merged /usr) recreated as symlinks. */
    private static List<String> libraryBinds() throws IOException {
        List<String> out = new ArrayList<>();
        for (String d : LIBRARY_DIRS) {
            Path p = Path.of(d);
            if (Files.isSymbolicLink(p)) {
                out.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), d));
            } else if (Files.isDirectory(p)) {
                out.addAll(List.of("--ro-bind", d, d));
            }
        }
        if (Files.exists(Path.of("/etc/ld.so.cache"))) {
            out.addAll(List.of("--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"));
        }
        return out;
    }

    /**
     * The JDK, bound read-only where it is, plus each file outside it that one of its symlinks names
     * (Debian's JDK keeps its configuration in /etc/java-N-openjdk and its CA certificates in /etc/ssl).
     */
    static List<String> jdkBinds() throws IOException {
        List<String> b = jdkBinds;
        if (b == null) {
            Path home = Path.of(System.getProperty("java.home")).toRealPath();
            Map<String, String> binds = new LinkedHashMap<>(); // inside path -> host path
            binds.put(home.toString(), home.toString());
            List<Path> links;
            try (Stream<Path> walk = Files.walk(home)) {
                links = walk.filter(p -> !skipped(home, p)).filter(Files::isSymbolicLink).toList();
            }
            for (Path link : links) {
                Path target = link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
                if (!Files.exists(target) || target.startsWith(home) || isLibraryPath(target)) {
                    continue;
                }
                Path real = target.toRealPath();
                binds.putIfAbsent(target.toString(), real.toString());
                binds.putIfAbsent(real.toString(), real.toString());
            }
            List<String> args = new ArrayList<>();
            binds.forEach((inside, host) -> args.addAll(List.of("--ro-bind", host, inside)));
            b = List.copyOf(args);
            jdkBinds = b;
        }
        return b;
    }

    private static boolean skipped(Path home, Path p) {
        Path rel = home.relativize(p);
        return rel.getNameCount() > 0 && JDK_SKIP.contains(rel.getName(0).toString());
    }

    private static boolean isLibraryPath(Path p) {
        return LIBRARY_DIRS.stream().anyMatch(d -> p.startsWith(d) && Files.isDirectory(Path.of(d), LinkOption.NOFOLLOW_LINKS));
    }
}
