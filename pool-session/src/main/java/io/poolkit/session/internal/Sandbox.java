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
 * Mounts: read-only binds of the system library directories, {@code /etc/ld.so.cache},
 * {@code prlimit} ({@code /poolkit/bin/prlimit}), the worker's {@link Layout} (for the JVM worker:
 * the JDK at {@code /poolkit/jdk}, the files outside it that its symlinks name, the worker code at
 * {@code /poolkit/code}, its {@code java} as an execute-only copy) and the socket directory
 * ({@code /poolkit/ipc}); a fresh {@code /proc} (own pid namespace) and a minimal {@code /dev}
 * (null, zero, random, urandom, tty; its tmpfs remounted read-only); a private size-capped tmpfs
 * {@code /tmp}; then the root is remounted read-only, so nothing outside {@code /tmp} can be
 * written. The {@link Seccomp} filter is installed on the worker's tree. Inside, the command is
 * {@code prlimit} setting the rlimits (file size, open files, threads and processes, no core
 * dumps), which then runs the worker. Host paths appear only in the argument file bubblewrap reads
 * ({@code --args}), never on a command line visible inside; a root host starts bubblewrap as
 * {@link #ROOT_HOST_WORKER_UID}.
 *
 * <p>A flag the installed bwrap lacks is an error that names it, never a protection silently dropped.
 */
public final class Sandbox {
    /** Where things are inside the sandbox: neutral paths, so nothing inside names the host's layout or user. */
    public static final String CODE = "/poolkit/code";
    public static final String IPC = "/poolkit/ipc";
    public static final String JDK = "/poolkit/jdk";
    public static final String JAVA = JDK + "/bin/java";
    private static final String PRLIMIT_INSIDE = "/poolkit/bin/prlimit";

    static final List<String> REQUIRED_FLAGS = List.of("--unshare-all", "--unshare-user", "--disable-userns", "--uid", "--gid",
            "--die-with-parent", "--new-session", "--cap-drop", "--clearenv", "--ro-bind", "--symlink", "--proc", "--dev",
            "--tmpfs", "--size", "--remount-ro", "--chdir", "--hostname", "--args", "--seccomp", "--ro-bind-data", "--perms", "--setenv");
    private static final List<String> LIBRARY_DIRS = List.of("/lib", "/lib64", "/usr/lib", "/usr/lib64");
    private static final Set<String> JDK_SKIP = Set.of("legal", "man", "include", "jmods", "demo", "sample", "docs", "src.zip");

    private static final Map<Path, Object> CHECKED = new ConcurrentHashMap<>();
    private static volatile Map<String, Path> jdkBinds;

    /**
     * A checked bubblewrap, the prlimit to run inside it, and (when this host runs as root) the
     * setpriv that drops to {@link #ROOT_HOST_WORKER_UID} before bubblewrap starts, else null.
     */
    public record Tools(Path bwrap, String version, Path prlimit, Path setpriv) {
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
            Path setpriv = null;
            if (isRoot()) {
                setpriv = onPath("setpriv");
                if (setpriv == null) {
                    return unavailable("setpriv (util-linux) is not installed; this host runs as root, and the sandbox drops to"
                            + " user " + ROOT_HOST_WORKER_UID + " with it so that no worker is root on the host: install util-linux");
                }
                setpriv = setpriv.toRealPath();
            }
            Seccomp.filter(System.getProperty("os.arch")); // an architecture it has no numbers for fails here, with the reason
            return new Tools(bwrap, version, prlimit.toRealPath(), setpriv);
        } catch (IllegalArgumentException e) {
            return unavailable(e.getMessage());
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

    /** @return whether this process runs as root (uid 0) */
    static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
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
     * What one worker needs inside the sandbox besides the system libraries, for any interpreter (a
     * JVM today; a Python or R worker would bind its interpreter and its bootstrap script the same way).
     *
     * @param launcher the interpreter's binary on the host: bound at {@code launcherInside} as a copy
     *     that can be executed but not read, so the kernel makes the process non-dumpable (its
     *     {@code /proc/self/mem} and file descriptors are closed to itself and to its children)
     * @param launcherInside where it runs from inside
     * @param binds inside path -> host path, bound read-only (the interpreter's files and the worker
     *     code; the system library directories and the socket directory are bound for every worker)
     * @param command the worker's command line inside, the launcher first
     * @param env environment variables set inside (bubblewrap clears the host's)
     * @param guardsSupervisor whether the sandbox's seccomp filter also refuses every process in it
     *     every way to signal the worker's first process (pid 2, its supervisor) or init
     *     ({@link Seccomp#supervisorGuard}): for a worker whose supervisor cannot give its
     *     evaluator a filter of its own (R has no FFI)
     */
    public record Layout(Path launcher, String launcherInside, Map<String, Path> binds, List<String> command, Map<String, String> env,
            boolean guardsSupervisor) {

        public Layout {
            binds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(binds));
            command = List.copyOf(command);
            env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }

        /** A layout with no environment and the sandbox's filter only. */
        public Layout(Path launcher, String launcherInside, Map<String, Path> binds, List<String> command) {
            this(launcher, launcherInside, binds, command, Map.of(), false);
        }
    }

    /** The host user id a sandbox runs as when this host runs as root: nobody, never root itself. */
    public static final int ROOT_HOST_WORKER_UID = 65534;

    /**
     * The command that starts one sandboxed worker. A shell opens the files bubblewrap reads from
     * descriptors (its arguments, the seccomp filter, the launcher), raises its
     * own {@code oom_score_adj} (inherited by the whole sandbox, which the non-dumpable worker could
     * not write itself), drops to {@link #ROOT_HOST_WORKER_UID} with {@code setpriv} when the host
     * runs as root, and execs {@code bwrap --args 3 -- COMMAND}. So bubblewrap's own command line
     * (pid 1 inside) and the worker's name no host path: the binds are in the argument file.
     *
     * @param tools the checked bwrap, prlimit and setpriv
     * @param limits the rlimits and the tmpfs size
     * @param layout the worker's binds and command
     * @param ipcDir the worker's socket directory on the host, bound at {@link #IPC}
     * @param launchDir a private directory, not bound, for the argument and filter files
     */
    public static List<String> command(Tools tools, Limits limits, Layout layout, Path ipcDir, Path launchDir) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--unshare-all", "--unshare-user", "--disable-userns",
                "--uid", "65534", "--gid", "65534",
                "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv",
                "--hostname", "poolkit-worker"));
        List<Path> fdFiles = new ArrayList<>();
        Path argFile = launchDir.resolve("args");
        Path filter = launchDir.resolve("seccomp.bpf");
        fdFiles.add(argFile); // fd 3
        fdFiles.add(filter); // fd 4
        args.addAll(libraryBinds());
        Map<String, Path> binds = new LinkedHashMap<>(layout.binds());
        binds.put(IPC, ipcDir);
        for (Map.Entry<String, Path> e : binds.entrySet()) {
            args.addAll(List.of("--ro-bind", e.getValue().toString(), e.getKey()));
        }
        fdFiles.add(layout.launcher());
        args.addAll(List.of("--perms", "0111", "--ro-bind-data", Integer.toString(2 + fdFiles.size()), layout.launcherInside()));
        args.addAll(List.of(
                "--ro-bind", tools.prlimit().toString(), PRLIMIT_INSIDE,
                "--seccomp", "4",
                "--proc", "/proc",
                "--dev", "/dev",
                "--remount-ro", "/dev",
                "--size", Long.toString(limits.tmpSizeBytes()), "--tmpfs", "/tmp",
                "--remount-ro", "/",
                "--chdir", "/tmp"));
        for (Map.Entry<String, String> e : layout.env().entrySet()) {
            args.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        }
        writeArgs(argFile, args);
        String arch = System.getProperty("os.arch");
        Files.write(filter, layout.guardsSupervisor() ? Seccomp.supervisorGuard(arch) : Seccomp.filter(arch));

        StringBuilder script = new StringBuilder("echo 1000 > /proc/self/oom_score_adj || exit 125; exec");
        for (int i = 0; i < fdFiles.size(); i++) {
            script.append(' ').append(3 + i).append("<\"$").append(i + 1).append('"');
        }
        script.append(" || exit 126; shift ").append(fdFiles.size()).append("; exec \"$@\"");
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "poolkit-sandbox"));
        fdFiles.forEach(f -> cmd.add(f.toString()));
        if (tools.setpriv() != null) {
            cmd.addAll(List.of(tools.setpriv().toString(), "--reuid=" + ROOT_HOST_WORKER_UID, "--regid=" + ROOT_HOST_WORKER_UID,
                    "--clear-groups", "--"));
        }
        cmd.addAll(List.of(tools.bwrap().toString(), "--args", "3", "--", PRLIMIT_INSIDE,
                "--fsize=" + limits.maxFileSizeBytes(),
                "--nofile=" + limits.maxOpenFiles(),
                "--nproc=" + limits.maxProcesses(),
                "--core=0",
                "--"));
        cmd.addAll(layout.command());
        return cmd;
    }

    private static void writeArgs(Path file, List<String> args) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String a : args) {
            if (a.indexOf('\0') >= 0) {
                throw new IOException("a sandbox argument holds a NUL character: " + a);
            }
            b.append(a).append('\0');
        }
        Files.writeString(file, b, StandardCharsets.UTF_8);
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
     * The files outside the JDK that its absolute symlinks name, each bound read-only where the link
     * expects it (Debian's JDK keeps its configuration in /etc/java-N-openjdk, Temurin's CA
     * certificates may be in /etc/ssl); the JDK itself is bound at {@link #JDK} by the worker's layout.
     */
    static Map<String, Path> jdkLinkTargets() throws IOException {
        Map<String, Path> b = jdkBinds;
        if (b == null) {
            Path home = Path.of(System.getProperty("java.home")).toRealPath();
            Map<String, Path> binds = new LinkedHashMap<>(); // inside path -> host path
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
                binds.putIfAbsent(target.toString(), real);
                binds.putIfAbsent(real.toString(), real);
            }
            b = java.util.Collections.unmodifiableMap(binds);
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
