package io.poolkit.session.internal;

import io.poolkit.session.Language;
import io.poolkit.session.Limits;
import io.poolkit.session.SessionStartException;
import io.poolkit.session.Tool;
import io.poolkit.session.internal.wire.Frame;
import io.poolkit.session.internal.wire.Out;
import io.poolkit.session.internal.wire.ProtocolException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one worker: a private socket directory with a listening AF_UNIX socket, the JVM (in the
 * sandbox or not) started from the {@link Spawner} thread, the one-time token written to its stdin
 * (never argv: {@code /proc/PID/cmdline} is world-readable), then the first connection that says
 * HELLO with that token. The listener is closed and its socket file removed once the worker is in.
 */
public final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);
    private static final int MAX_IMPOSTORS = 8;
    /** A JVM with {@code -XX:+ExitOnOutOfMemoryError} exits with this status, and only then (or when a snippet calls {@code System.exit(3)}). */
    static final int JVM_OUT_OF_MEMORY_EXIT = 3;

    private Launcher() {
    }

    /**
     * @throws SessionStartException when the worker cannot be started or does not say HELLO in time
     * @throws InterruptedException when interrupted; nothing is left running
     */
    public static WorkerProcess start(SessionSettings s, String name) throws InterruptedException {
        long deadline = System.nanoTime() + s.startTimeout().toNanos();
        Sandbox.Tools sandbox = s.sandbox() ? Sandbox.check(s.bubblewrap()) : null;
        PythonWorker.Interpreter python = s.language() == Language.PYTHON ? PythonWorker.interpreter(s.interpreter()) : null;
        Path root;
        Path code;
        Path dir;
        boolean otherUser = sandbox != null && sandbox.setpriv() != null; // a root host: the sandbox runs as nobody
        if (python != null && sandbox != null) {
            PythonWorker.checkBindable(python);
            if (otherUser) {
                PythonWorker.checkReachableByOthers(python);
            }
        }
        if (s.language() == Language.R) {
            RWorker.check();
        }
        try {
            root = WorkDirs.ensurePrivate(s.workDirectory(), otherUser);
            code = python != null ? PythonWorker.ensureScript(root) : s.language() == Language.R ? RWorker.ensureScript(root)
                    : CodeCache.ensure(root);
            dir = WorkDirs.newSessionDir(root, otherUser);
        } catch (IOException e) {
            throw new SessionStartException(name + " - cannot prepare the worker's files under " + s.workDirectory() + ": " + e.getMessage(), e);
        }
        if (s.language() == Language.R) {
            return FifoLauncher.start(s, name, sandbox, code, dir, deadline);
        }
        Path socket = dir.resolve("ipc").resolve("w.sock");
        Process process = null;
        Cgroups cgroups = null;
        boolean started = false;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            server.bind(UnixDomainSocketAddress.of(socket));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            String token = WorkDirs.randomHex(32);
            List<String> cmd;
            if (sandbox != null) {
                if (sandbox.setpriv() != null) { // the sandbox runs as another user: its socket must be its to use
                    ownedBySandbox(socket.getParent());
                    ownedBySandbox(socket);
                }
                Sandbox.Layout layout = python != null ? PythonWorker.layout(python, s.limits(), code) : javaLayout(s.limits(), s.resetBetweenUses(), code);
                cmd = Sandbox.command(sandbox, s.limits(), layout, socket.getParent(), dir.resolve("launch"));
            } else if (python != null) {
                cmd = PythonWorker.plainCommand(python, s.limits(), code, socket);
            } else {
                Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
                cmd = Sandbox.plainCommand(s.limits(), javaCommand(s.limits(), s.resetBetweenUses(), false, java.toString(), code.toString(), socket.toString()));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().clear();
            pb.directory(dir.toFile());
            log.debug("{} - starting worker: {}", name, cmd);
            process = Spawner.spawn(pb);
            cgroups = confine(s, dir, process);
            Tail diagnostics = handOver(process, name, token);
            WorkerProcess w = await(s, name, server, selector, process, diagnostics, dir, token, deadline, cgroups);
            WorkDirs.deleteQuietly(dir.resolve("launch")); // read by bubblewrap long ago; it names host paths
            started = true;
            return w;
        } catch (IOException e) {
            throw new SessionStartException(name + " - cannot start the worker: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException ignored) {
                // the directory goes with the worker
            }
            if (!started) {
                if (process != null) {
                    Processes.killTreeAndWait(process, 5_000);
                }
                if (cgroups != null) {
                    cgroups.remove();
                }
                WorkDirs.deleteQuietly(dir);
            }
        }
    }

    /** The worker's own pids and memory cgroup (null where the host lets none be made), the process in it. */
    static Cgroups confine(SessionSettings s, Path dir, Process process) throws IOException {
        Cgroups cgroups = Cgroups.create("w-" + dir.getFileName().toString().substring(2), s.limits().maxProcesses() + 8L,
                memoryCap(s.limits()));
        if (cgroups != null) {
            cgroups.add(process.toHandle());
        }
        return cgroups;
    }

    /** Starts reading the worker's diagnostics and gives it its token on stdin; returns the diagnostics. */
    static Tail handOver(Process process, String name, String token) {
        Tail diagnostics = Tail.drain(process.getInputStream(), name + "-diagnostics");
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write((token + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the process died already: the caller reports it with its diagnostics
        }
        return diagnostics;
    }

    private static WorkerProcess await(SessionSettings s, String name, ServerSocketChannel server, Selector selector, Process process,
            Tail diagnostics, Path dir, String token, long deadline, Cgroups cgroups) throws IOException, InterruptedException {
        int impostors = 0;
        for (;;) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SessionStartException(name + " - the worker did not connect within " + s.startTimeout().toMillis()
                        + " ms (raise startTimeout on a slow or busy machine)" + said(diagnostics));
            }
            if (!process.isAlive()) {
                diagnostics.awaitEnd(1_000);
                throw new SessionStartException(name + " - the worker exited with code " + process.exitValue()
                        + " before it connected" + said(diagnostics));
            }
            selector.select(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
            selector.selectedKeys().clear();
            if (Thread.interrupted()) {
                throw new InterruptedException(name + " - interrupted while starting the worker");
            }
            SocketChannel ch = server.accept();
            if (ch == null) {
                continue;
            }
            Connection c = Connection.open(ch, name + "-reader");
            String javaVersion = hello(c, token, deadline);
            if (javaVersion != null) {
                if (cgroups != null) {
                    cgroups.add(process.toHandle()); // again, now that the whole tree exists: nothing forked early stays outside
                }
                c.send(Frame.TOOLS, tools(s.tools()));
                // a Python worker has no exit status that only running out of memory gives: its cap is the cgroup's
                return new WorkerProcess(name, process, c, diagnostics, dir, javaVersion, cgroups,
                        s.language() == Language.JAVA ? JVM_OUT_OF_MEMORY_EXIT : -1);
            }
            c.close("no valid HELLO");
            if (++impostors > MAX_IMPOSTORS) {
                throw new SessionStartException(name + " - " + impostors + " connections to the worker's socket without its token");
            }
            log.warn("{} - a connection to the worker's socket without the worker's token was refused", name);
        }
    }

    /** @return the worker's Java version when the first frame is a HELLO with the token and our protocol, else null */
    static String hello(Connection c, String token, long deadline) throws InterruptedException {
        return checkHello(c.poll(deadline - System.nanoTime()), token);
    }

    /** @return the worker's runtime version when {@code o} is a HELLO with the token and our protocol, else null */
    static String checkHello(Object o, String token) {
        if (!(o instanceof Frame f) || f.type() != Frame.HELLO) {
            return null;
        }
        try {
            Protocol.Hello h = Protocol.Hello.decode(f.in());
            boolean tokenOk = MessageDigest.isEqual(h.token().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
            if (!tokenOk) {
                return null;
            }
            if (h.version() != Frame.PROTOCOL_VERSION) {
                throw new SessionStartException("the worker speaks protocol " + h.version() + ", the host " + Frame.PROTOCOL_VERSION);
            }
            return h.runtimeVersion();
        } catch (ProtocolException e) {
            return null;
        }
    }

    static Out tools(List<Tool> tools) {
        Out out = new Out().writeInt(tools.size());
        for (Tool t : tools) {
            out.writeString(t.name()).writeString(t.description()).writeInt(t.parameters().size());
            t.parameters().forEach(out::writeString);
        }
        return out;
    }

    static String said(Tail diagnostics) {
        String text = diagnostics.text();
        return text.isEmpty() ? "" : "; it said: " + text;
    }

    /** The JVM worker inside the sandbox: the JDK and the worker module at neutral paths, the java launcher made non-dumpable. */
    static Sandbox.Layout javaLayout(Limits limits, boolean resetBetweenUses, Path code) throws IOException {
        Path home = Path.of(System.getProperty("java.home")).toRealPath();
        Map<String, Path> binds = new LinkedHashMap<>();
        binds.put(Sandbox.JDK, home);
        binds.putAll(Sandbox.jdkLinkTargets());
        binds.put(Sandbox.CODE, code);
        return new Sandbox.Layout(home.resolve("bin").resolve("java"), Sandbox.JAVA, binds,
                javaCommand(limits, resetBetweenUses, true, Sandbox.JAVA, Sandbox.CODE, Sandbox.IPC + "/w.sock"));
    }

    static void ownedBySandbox(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", Sandbox.ROOT_HOST_WORKER_UID, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", Sandbox.ROOT_HOST_WORKER_UID, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** The worker's memory cgroup cap: heap and metaspace, plus room for the JIT, javac's native memory and thread stacks. */
    static long memoryCap(Limits limits) {
        return limits.heapBytes() + limits.metaspaceBytes() + (384L << 20);
    }

    /**
     * The system modules a worker JVM resolves ({@code --limit-modules}) and its snippets compile
     * against: Java SE, JShell, and the JDK's locale data, charsets, crypto, zip file system and
     * small APIs — not {@code jdk.unsupported} ({@code sun.misc.Unsafe} reads any object's fields,
     * the worker's too), {@code jdk.management} (heap dumps), {@code jdk.jfr}, the serviceability
     * agent or the incubator modules (native access on JDK 17).
     */
    static final List<String> SNIPPET_MODULES = List.of("java.se", "jdk.jshell", "jdk.localedata", "jdk.charsets", "jdk.crypto.ec",
            "jdk.zipfs", "jdk.net", "jdk.httpserver", "jdk.naming.dns", "jdk.xml.dom", "jdk.security.auth", "jdk.security.jgss",
            "jdk.dynalink");

    /** @return {@link #SNIPPET_MODULES} that this JDK has (the worker runs the same java binary) */
    static List<String> snippetModules() {
        java.lang.module.ModuleFinder system = java.lang.module.ModuleFinder.ofSystem();
        return SNIPPET_MODULES.stream().filter(m -> system.find(m).isPresent()).toList();
    }

    /**
     * The worker JVM's command line: {@code java} (its path inside the sandbox, or this JVM's own),
     * the limits as JVM flags, the worker module from {@code modulePath}.
     */
    static List<String> javaCommand(Limits limits, boolean resetBetweenUses, boolean sandboxed, String java, String modulePath, String socket) {
        int feature = Runtime.version().feature();
        String modules = String.join(",", snippetModules());
        List<String> cmd = new ArrayList<>(List.of(java,
                "-Xmx" + limits.heapBytes(),
                "-XX:MaxMetaspaceSize=" + limits.metaspaceBytes(),
                "-XX:MaxDirectMemorySize=" + Math.min(limits.heapBytes(), 64L << 20),
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", // C1 only: a third less CPU to start, and warm snippets are no slower
                "-XX:-UsePerfData",
                "-XX:+DisableAttachMechanism",
                "-Xshare:auto",
                "-Djava.awt.headless=true",
                // before JDK 24 the worker installs its own (NativeGuard), which refuses native libraries to snippets and
                // refuses to be replaced; from JDK 24 none can be installed, and --illegal-native-access=deny does that job
                "-Djava.security.manager=" + (feature < 24 ? "allow" : "disallow"),
                "-Dfile.encoding=UTF-8",
                "-Dpoolkit.session.modules=" + modules,
                "--limit-modules", modules + "," + CodeCache.MODULE));
        if (sandboxed) {
            cmd.addAll(List.of("-Djava.io.tmpdir=/tmp", "-Duser.home=/tmp", "-Duser.dir=/tmp", "-Dpoolkit.session.sandboxed=true"));
        }
        if (resetBetweenUses) { // RetainedResources: the worker checks what an execution leaves reachable past the reset
            cmd.add("-Dpoolkit.session.resetBetweenUses=true");
        }
        if (feature >= 18) {
            cmd.add("--finalization=disabled"); // a snippet's finalize() would run on the JVM's thread, between callers
        }
        if (feature >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=deny");
        }
        if (feature >= 22 && feature < 24) {
            // the FFM API is final on JDK 22 and 23, and there only the modules named here may call its restricted
            // methods (JEP 454); no JDK 22 or 23 was at hand to check it
            cmd.add("--enable-native-access=" + CodeCache.MODULE);
        }
        if (feature >= 24) {
            cmd.add("--illegal-native-access=deny");
        }
        cmd.addAll(List.of("--module-path", modulePath, "-m", CodeCache.MODULE + "/" + CodeCache.MAIN, socket));
        return cmd;
    }
}
