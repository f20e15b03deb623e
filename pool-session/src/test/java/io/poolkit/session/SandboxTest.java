package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.PoolChecks;
import io.poolkit.testkit.Threads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile snippets against the real bubblewrap sandbox: each tries to reach what it must not, and
 * the test checks from the host that it did not. Skipped (with the reason) without bubblewrap
 * locally; with CI=true a missing sandbox fails the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class SandboxTest {
    private SecureSession session;

    @BeforeAll
    void start() {
        TestSessions.requireSandbox();
        session = SecureSession.builder().name("hostile").sandbox(true)
                .limits(TestSessions.smallLimits().tmpSize("8m").maxFileSize("32m").build()).start();
    }

    @AfterAll
    void stop() {
        if (session != null) {
            session.close();
        }
    }

    /** Runs a probe in a clean session: @return its result, which must be a success */
    private ExecutionResult probe(String code) {
        if (!session.isAlive() || session.recycleReason() != null) {
            session.restart();
        }
        ExecutionResult r = session.execute(code, T);
        assertThat(r.isSuccess()).as("the probe itself ran: %s", r).isTrue();
        return r;
    }

    private String value(String code) {
        return probe(code).value();
    }

    @Test
    void noConnectionToAListenerOnTheHostsLoopback() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = listener.getLocalPort();
            String got = value("String outcome; try (var s = new java.net.Socket()) { s.connect(new java.net.InetSocketAddress(\"127.0.0.1\", "
                    + port + "), 2000); outcome = \"CONNECTED\"; } catch (Exception e) { outcome = e.toString(); } outcome");
            assertThat(got).doesNotContain("CONNECTED").containsAnyOf("ConnectException", "NoRouteToHost", "SocketException",
                    "SocketTimeoutException");
            listener.setSoTimeout(200);
            try {
                listener.accept().close();
                throw new AssertionError("the host's listener accepted a connection from the sandbox");
            } catch (SocketTimeoutException expected) {
                // nothing came in
            }
            String interfaces = value("java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()"
                    + ".map(n -> n.getName()).toList()");
            assertThat(interfaces).as("only its own loopback").matches("\\[(lo)?\\]");
        }
    }

    @Test
    void noReadingASecretFileInTheHostsHome() throws Exception {
        Path secret = Path.of(System.getProperty("user.home"), ".poolkit-sandbox-secret-" + ProcessHandle.current().pid());
        Files.writeString(secret, "the host's secret");
        try {
            String got = value("String outcome; try { outcome = Files.readString(Path.of(\"" + secret + "\")); }"
                    + " catch (Exception e) { outcome = e.toString(); } outcome");
            assertThat(got).doesNotContain("the host's secret").contains("NoSuchFileException");
            String home = value("new java.io.File(\"" + secret.getParent() + "\").exists()");
            assertThat(home).as("the host's home is not there at all").isEqualTo("false");
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    @Test
    void onlyTheMinimalBindsAreVisible() {
        String root = value("String.join(\",\", new java.io.File(\"/\").list())");
        assertThat(Set.of(root.replace("\"", "").split(","))).isSubsetOf("tmp", "dev", "proc", "poolkit", "etc", "usr", "lib", "lib64",
                "lib32", "libx32", "bin", "sbin");
        String etc = value("String.join(\",\", new java.io.File(\"/etc\").list())");
        assertThat(etc).doesNotContain("passwd").doesNotContain("shadow").doesNotContain("hosts");
    }

    @Test
    void noWritingOutsideTmp() throws Exception {
        Path hostDir = Path.of("target").toAbsolutePath();
        String marker = "escape-" + ProcessHandle.current().pid();
        List<String> targets = List.of("/" + marker, "/etc/" + marker, "/usr/" + marker, "/usr/lib/" + marker,
                "/poolkit/code/" + marker, "/poolkit/ipc/" + marker, hostDir + "/" + marker, System.getProperty("java.home") + "/" + marker,
                "/proc/" + marker, "/dev/" + marker);
        StringBuilder code = new StringBuilder("var wrote = new ArrayList<String>();\n");
        for (String t : targets) {
            code.append("try { Files.writeString(Path.of(\"").append(t).append("\"), \"x\"); wrote.add(\"").append(t)
                    .append("\"); } catch (Exception e) { }\n");
        }
        code.append("Files.writeString(Path.of(\"/tmp/").append(marker).append("\"), \"inside\"); wrote.add(\"tmp\"); wrote");
        String got = value(code.toString());
        assertThat(got).as("only the private /tmp is writable").isEqualTo("[tmp]");
        assertThat(Files.exists(Path.of("/tmp", marker))).as("the sandbox's /tmp is its own").isFalse();
        assertThat(Files.exists(hostDir.resolve(marker))).isFalse();
    }

    @Test
    void privateTmpIsSizeCapped() {
        String got = value("String outcome = \"filled\"; try (var out = Files.newOutputStream(Path.of(\"/tmp/fill\"))) {"
                + " byte[] mb = new byte[1 << 20]; for (int i = 0; i < 16; i++) out.write(mb); } catch (IOException e) { outcome = e.getMessage(); }"
                + " finally { Files.deleteIfExists(Path.of(\"/tmp/fill\")); } outcome");
        assertThat(got).contains("No space left on device");
    }

    @Test
    void noHostProcessesVisible() {
        long hostPid = ProcessHandle.current().pid();
        String count = value("ProcessHandle.allProcesses().count()");
        assertThat(Long.parseLong(count)).as("bwrap's init and the worker, nothing of the host's").isLessThanOrEqualTo(3);
        assertThat(value("ProcessHandle.of(" + hostPid + "L).isPresent()")).isEqualTo("false");
        assertThat(value("Arrays.stream(new java.io.File(\"/proc\").list()).filter(n -> n.chars().allMatch(Character::isDigit)).count()"))
                .satisfies(n -> assertThat(Long.parseLong(n)).isLessThanOrEqualTo(3));
    }

    @Test
    void noHostEnvironmentVariables() {
        String keys = value("String.join(\",\", new TreeSet<>(System.getenv().keySet()))").replace("\"", "");
        assertThat(System.getenv()).as("the host has variables to leak").isNotEmpty();
        Set<String> inside = keys.isEmpty() ? Set.of() : Set.of(keys.split(","));
        assertThat(inside).as("nothing but the working directory bubblewrap sets").isSubsetOf("PWD");
        for (String k : inside) {
            assertThat(value("System.getenv(\"" + k + "\")")).isNotEqualTo("\"" + System.getenv(k) + "\"");
        }
    }

    @Test
    void notRootInsideAndWithoutCapabilities() {
        ExecutionResult r = session.execute("System.out.print(Files.readString(Path.of(\"/proc/self/status\")));", T);
        String status = r.stdout();
        assertThat(status).containsPattern("Uid:\\s+65534\\s+65534\\s+65534\\s+65534");
        assertThat(status).containsPattern("Gid:\\s+65534\\s+65534\\s+65534\\s+65534");
        assertThat(status).containsPattern("CapEff:\\s+0+\n").containsPattern("CapPrm:\\s+0+\n").containsPattern("CapBnd:\\s+0+\n");
        assertThat(status).containsPattern("NoNewPrivs:\\s+1");
        assertThat(value("Files.readString(Path.of(\"/proc/self/oom_score_adj\")).strip()")).as("the OOM killer takes a worker first")
                .isEqualTo("\"1000\"");
    }

    @Test
    void forkAndThreadBombsAndAMemoryBombEndInErrorsWhileTheHostAndOtherSessionsWork() throws Exception {
        try (SecureSessionPool pool = SecureSessionPool.builder().name("bombs").size(2).sandbox(true)
                .limits(TestSessions.smallLimits().maxProcesses(128).build()).closeTimeout(Duration.ofSeconds(10)).build()) {
            String threadBomb = "var keep = new ArrayList<Thread>(); while (true) { Thread t = new Thread(() -> {"
                    + " try { Thread.sleep(120_000); } catch (InterruptedException e) { } }); t.setDaemon(true); t.start(); keep.add(t); }";
            String forkBomb = "var java = ProcessHandle.current().info().command().orElseThrow(); var kids = new ArrayList<Process>();"
                    + " while (true) kids.add(new ProcessBuilder(java, \"-Xmx16m\", \"-Xshare:auto\", \"-cp\", \"/poolkit/code\","
                    + " \"io.poolkit.session.internal.worker.WorkerMain\", \"/nowhere\").start());";
            String memoryBomb = "var hoard = new ArrayList<long[]>(); while (true) hoard.add(new long[1 << 20]);";
            List<ExecutionResult> bombs = new CopyOnWriteArrayList<>();
            AtomicInteger fine = new AtomicInteger();
            CompletableFuture<Void> bombing = CompletableFuture.runAsync(() -> {
                for (String bomb : List.of(threadBomb, forkBomb, memoryBomb)) {
                    bombs.add(pool.execute(bomb, Duration.ofSeconds(15), Duration.ofSeconds(30)));
                }
            });
            Threads.run(2, Duration.ofSeconds(80), i -> {
                if (i == 0) {
                    while (!bombing.isDone()) { // another session keeps answering meanwhile
                        ExecutionResult r = pool.execute("21 * 2", T, Duration.ofSeconds(30));
                        assertThat(r.value()).as("%s", r).isEqualTo("42");
                        fine.incrementAndGet();
                    }
                } else {
                    bombing.get(75, TimeUnit.SECONDS);
                }
            });
            assertThat(bombs).hasSize(3);
            for (ExecutionResult r : bombs) {
                assertThat(r.isSuccess()).as("%s", r).isFalse();
            }
            ExecutionResult threads = bombs.get(0);
            assertThat(threads.error().orElseThrow().kind()).as("the thread bomb ends at the limit, not the clock: %s", threads)
                    .isNotEqualTo(Kind.TIMEOUT);
            assertThat(threads.error().orElseThrow().message()).as("%s", threads).containsAnyOf("unable to create native thread",
                    "unable to create new native thread", "out of memory", "ran out of memory");
            // the fork bomb usually ends at the limit too (EAGAIN); it may also churn until its timeout when
            // the child JVMs themselves fail to start at the limit and exit: either way an error, and bounded
            assertThat(bombs.get(1).error().orElseThrow().kind()).as("%s", bombs.get(1)).isIn(Kind.EXCEPTION, Kind.TIMEOUT, Kind.LIMIT);
            assertThat(bombs.get(2).error().orElseThrow().kind()).as("%s", bombs.get(2)).isEqualTo(Kind.LIMIT);
            assertThat(fine.get()).isPositive();
            Threads.run(8, Duration.ofSeconds(10), i -> assertThat(Arrays.asList(1, 2)).hasSize(2)); // the host still makes threads
            Await.until(Duration.ofSeconds(60), () -> pool.status().idle() == 2 && pool.status().starting() == 0,
                    () -> "every bombed session replaced: " + pool);
            assertThat(pool.execute("1 + 1", T).value()).isEqualTo("2");
            PoolChecks.assertCountsRule(pool::stats);
        }
    }

    @Test
    void nativeMemoryBombIsEndedByTheMemoryCgroup() {
        value("1");
        io.poolkit.testkit.Services.require(session.worker().hasCgroups(), "this host lets no pids and memory cgroup be created"
                + " for the worker (run as root, or delegate a cgroup v2 subtree)");
        for (ProcessHandle p : session.worker().handle().descendants().toList()) {
            try {
                assertThat(Files.readString(Path.of("/proc/" + p.pid() + "/cgroup"))).as("process %s is in the worker's cgroups", p.pid())
                        .contains("/poolkit/w-");
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        int feature = Runtime.version().feature();
        // -Xmx bounds neither: the FFM API from JDK 22 on; before it, a thread whose stack it may grow to 2 GiB
        String bomb = feature >= 22
                ? "var arena = java.lang.foreign.Arena.global(); while (true) { arena.allocate(64 << 20).fill((byte) 1); }"
                : "class Deep { static long down(long a, long b, long c, long d, long e, long f, long g, long h) {"
                + " return down(a + 1, b, c, d, e, f, g, h) + a + b + c + d + e + f + g + h; } }\n"
                + "var t = new Thread(null, () -> Deep.down(1, 2, 3, 4, 5, 6, 7, 8), \"deep\", 2L << 30); t.start(); t.join();";
        ExecutionResult r = session.execute(bomb, Duration.ofSeconds(10)); // at the cap it usually ends in well under a second
        ExecutionError e = r.error().orElseThrow();
        // cgroup v1 without swap may reclaim the JVM's own file pages for a while before its OOM killer
        // acts: then the clock ends the bomb, still bounded by the cap and the timeout
        assertThat(e.kind()).as("%s", r).isIn(Kind.LIMIT, Kind.TIMEOUT);
        if (e.kind() == Kind.LIMIT) {
            assertThat(e.message()).contains("exceeded its memory cap");
            assertThat(session.isAlive()).isFalse();
        }
    }

    /** sun.misc.Unsafe reads and writes any object's fields, the worker's own too: its module is not in a worker's module graph. */
    @Test
    void unsafeIsNotThere() {
        if (!session.isAlive() || session.recycleReason() != null) {
            session.restart();
        }
        ExecutionResult r = session.execute("var f = sun.misc.Unsafe.class.getDeclaredField(\"theUnsafe\"); f.setAccessible(true);", T);
        assertThat(r.error().orElseThrow().kind()).as("%s", r).isEqualTo(Kind.COMPILE_ERROR);
        assertThat(r.error().orElseThrow().message()).contains("sun.misc is not visible");
        assertThat(value("String outcome; try { Class.forName(\"sun.misc.Unsafe\"); outcome = \"FOUND\"; }"
                + " catch (ClassNotFoundException e) { outcome = \"none\"; } outcome")).isEqualTo("\"none\"");
    }

    private String stdout(String code) {
        return probe(code).stdout();
    }

    /**
     * The seccomp filter (issue 13): a native program a snippet writes to /tmp and runs is refused
     * ptrace, io_uring, the key ring, bpf, userfaultfd, unshare and personality with EPERM, while an
     * ordinary syscall works. Before, it could ptrace the worker and use io_uring and keyctl.
     */
    @Test
    void aNativeProbeIsRefusedWhatTheSeccompFilterDenies() throws Exception {
        Path gcc = io.poolkit.session.internal.Sandbox.onPath("gcc");
        io.poolkit.testkit.Services.require(gcc != null, "gcc is not installed (the test compiles a native probe):"
                + " run `bash .ci/services/bubblewrap.sh` as root, or apt-get install gcc");
        Path dir = Files.createTempDirectory("kernel-probe");
        try {
            Path source = dir.resolve("probe.c");
            try (var in = SandboxTest.class.getResourceAsStream("kernel-probe.c")) {
                Files.write(source, in.readAllBytes());
            }
            Path binary = dir.resolve("probe");
            Process cc = new ProcessBuilder(gcc.toString(), "-O2", "-o", binary.toString(), source.toString()).redirectErrorStream(true).start();
            String ccOut = new String(cc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(cc.waitFor()).as("gcc: %s", ccOut).isZero();
            String base64 = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(binary));
            String out = stdout("var p = Path.of(\"/tmp/kernel-probe\"); Files.write(p, Base64.getDecoder().decode(\"" + base64 + "\"));"
                    + " p.toFile().setExecutable(true); var pr = new ProcessBuilder(p.toString()).redirectErrorStream(true).start();"
                    + " System.out.print(new String(pr.getInputStream().readAllBytes())); pr.waitFor(); Files.delete(p);");
            java.util.Map<String, String> got = new java.util.TreeMap<>();
            out.lines().filter(l -> l.contains("=")).forEach(l -> got.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
            String eperm = "1";
            assertThat(got).as("errno per syscall: %s", out).containsEntry("ptrace", eperm).containsEntry("io_uring_setup", eperm)
                    .containsEntry("keyctl", eperm).containsEntry("add_key", eperm).containsEntry("bpf", eperm)
                    .containsEntry("userfaultfd", eperm).containsEntry("unshare", eperm).containsEntry("personality", eperm)
                    .containsEntry("getpid", "0");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /**
     * Path hiding (issue 13): bubblewrap is pid 1 inside, and its command line used to list every
     * host path it bound (the JDK, the work directory with the user's name); the worker's own did too.
     */
    @Test
    void noHostPathShowsInsideTheSandbox() throws IOException {
        String inside = stdout("for (String f : List.of(\"/proc/1/cmdline\", \"/proc/self/cmdline\")) {"
                + " System.out.println(f + \": \" + Files.readString(Path.of(f)).replace('\\0', ' ')); }"
                + " for (String fd : new java.io.File(\"/proc/self/fd\").list()) { try { System.out.println(\"fd \" + fd + \": \""
                + " + Files.readSymbolicLink(Path.of(\"/proc/self/fd\", fd))); } catch (IOException e) { } }"
                + " System.out.println(\"java.home: \" + System.getProperty(\"java.home\"));"
                + " System.out.println(\"module path: \" + System.getProperty(\"jdk.module.path\"));");
        assertThat(inside).contains("/proc/1/cmdline: ").contains("/proc/self/cmdline: /poolkit/jdk/bin/java ")
                .contains("java.home: /poolkit/jdk").contains("module path: /poolkit/code");
        String pid1 = inside.lines().filter(l -> l.startsWith("/proc/1/cmdline")).findFirst().orElseThrow();
        assertThat(pid1).as("bubblewrap's arguments came from a file").contains("--args 3 --");
        Path jdk = Path.of(System.getProperty("java.home")).toRealPath();
        for (String host : List.of(jdk.toString(), io.poolkit.session.internal.WorkDirs.defaultRoot().toString(),
                System.getProperty("user.home"), System.getProperty("user.name") + "/", "/usr/lib/jvm")) {
            assertThat(inside).as("no host path %s in %s", host, inside).doesNotContain(host);
        }
    }

    /** The worker is not dumpable: no snippet reads or writes the worker's memory through /proc/self/mem. */
    @Test
    void theWorkerCannotOpenItsOwnMemory() {
        String got = value("String outcome; try (var f = new java.io.RandomAccessFile(\"/proc/self/mem\", \"r\")) { outcome = \"OPEN\"; }"
                + " catch (IOException e) { outcome = e.getMessage(); } outcome");
        assertThat(got).doesNotContain("OPEN").contains("Permission denied");
    }

    @Test
    void workerCodeIsReadOnlyAndTheSocketIsGone() throws IOException {
        assertThat(value("new java.io.File(\"/poolkit/code\").canWrite()")).isEqualTo("false");
        assertThat(value("new java.io.File(\"/poolkit/ipc/w.sock\").exists()")).as("removed once the worker connected").isEqualTo("false");
    }
}
