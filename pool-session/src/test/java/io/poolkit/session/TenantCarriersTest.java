package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.internal.Sandbox;
import io.poolkit.testkit.Services;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ways for one execution's code to run during the next caller's execution in the same worker that
 * the module boundary alone does not close (an adversarial re-review of issue 13), against the real
 * sandbox, with and without {@code resetBetweenUses}: the next caller must get its own true value
 * and output.
 *
 * <ul>
 * <li>Native code: the sandbox's {@code /tmp} is writable and executable, and on JDK 17 to 23
 *     {@code System.load} is open to any code. A library a snippet wrote there ran in the worker JVM,
 *     where JNI ignores modules: it opened the worker's packages, and the planted task of the
 *     original review forged the next caller's result again.
 * <li>The JDK 17 finalizer thread ({@code --finalization=disabled} exists from JDK 18): a snippet
 *     object finalized during the next caller's execution replaced {@code System.out}, and the next
 *     caller's output came back rewritten.
 * </ul>
 */
@Timeout(180)
class TenantCarriersTest {
    private SecureSessionPool pool;

    @RegisterExtension
    final OpenPools pools = new OpenPools();

    private SecureSessionPool pool(boolean reset) {
        TestSessions.requireSandbox();
        pool = pools.add(SecureSessionPool.builder().name(reset ? "carriers-reset" : "carriers").sandbox(true).limits(TestSessions.small())
                .size(1).resetBetweenUses(reset).closeTimeout(Duration.ofSeconds(10)).build());
        return pool;
    }

    /** The next caller: slow enough for anything planted to act, printing a line of its own. */
    private static void nextCallerGetsItsOwnTrueResult(SecureSessionPool p) {
        ExecutionResult next = p.execute("Thread.sleep(1500); System.out.println(\"mine\"); 6 * 7", T);
        assertThat(next.error()).as("%s", next).isEmpty();
        assertThat(next.value()).as("%s", next).isEqualTo("42");
        assertThat(next.stdout()).as("%s", next).isEqualTo("mine\n");
    }

    /**
     * The snippet writes a JNI library to /tmp and loads it; the library opens the worker's packages.
     * Then it plants the review's task on the worker's scheduler: once the next execution runs, read
     * its code and send a RESULT for it.
     */
    private static final String LOAD_AND_PLANT = """
            String loaded;
            try { var lib = Path.of("/tmp/libopener.so"); Files.write(lib, Base64.getDecoder().decode("%s"));
                System.load(lib.toString()); loaded = "loaded"; }
            catch (Throwable e) { loaded = "load refused (" + e.getClass().getName() + ")"; }
            String planted;
            try {
                var backend = tools.getClass().getDeclaredField("backend"); backend.setAccessible(true);
                Object bridge = backend.get(tools);
                var workerField = bridge.getClass().getDeclaredField("worker"); workerField.setAccessible(true);
                Object worker = workerField.get(bridge);
                var current = worker.getClass().getDeclaredField("current"); current.setAccessible(true);
                var stopperField = worker.getClass().getDeclaredField("stopper"); stopperField.setAccessible(true);
                var linkField = worker.getClass().getDeclaredField("link"); linkField.setAccessible(true);
                Object link = linkField.get(worker);
                Object mine = current.get(worker);
                Class<?> outClass = Class.forName("io.poolkit.session.internal.wire.Out");
                var send = link.getClass().getDeclaredMethod("send", byte.class, outClass); send.setAccessible(true);
                Runnable forge = () -> {
                    try {
                        long until = System.nanoTime() + 30_000_000_000L;
                        Object run = null;
                        while (System.nanoTime() < until && ((run = current.get(worker)) == null || run == mine)) { Thread.sleep(2); }
                        var id = run.getClass().getDeclaredField("id"); id.setAccessible(true);
                        var code = run.getClass().getDeclaredField("code"); code.setAccessible(true);
                        Object out = outClass.getConstructor().newInstance();
                        outClass.getMethod("writeLong", long.class).invoke(out, id.getLong(run));
                        outClass.getMethod("writeByte", int.class).invoke(out, 0);
                        for (String s : new String[] {"\\"FORGED, having read: " + code.get(run) + "\\"", "", "", "", ""}) {
                            outClass.getMethod("writeString", String.class).invoke(out, s); }
                        send.invoke(link, (byte) 4, out);
                    } catch (Throwable e) { }
                };
                ((java.util.concurrent.ScheduledExecutorService) stopperField.get(worker)).schedule(forge, 300, TimeUnit.MILLISECONDS);
                planted = "planted";
            } catch (Throwable e) { planted = "plant refused (" + e.getClass().getName() + ")"; }
            loaded + ", " + planted
            """;

    @ParameterizedTest(name = "resetBetweenUses({0})")
    @ValueSource(booleans = {false, true})
    void nativeCodeFromTmpCannotOpenTheWorkerToForgeTheNextResult(boolean reset) throws Exception {
        String library = Base64.getEncoder().encodeToString(compile("jni-opener.c", true));
        SecureSessionPool p = pool(reset);
        ExecutionResult attack = p.execute(LOAD_AND_PLANT.formatted(library), T);
        assertThat(attack.error()).as("%s", attack).isEmpty();
        nextCallerGetsItsOwnTrueResult(p);
        assertThat(attack.value()).as("%s", attack).contains("load refused").contains("plant refused (java.lang.reflect.InaccessibleObjectException)");
    }

    /**
     * The guard against native code looks at who asked: a JDK class loading its own library works for a
     * snippet (UnixSystem loads {@code libjaas} without a privileged block, and was refused at first),
     * a snippet asking through reflection is refused.
     */
    @Test
    void theJdksOwnLibrariesStillLoadForSnippetsButNotThroughReflection() {
        SecureSessionPool p = pool(false);
        ExecutionResult uid = p.execute("new com.sun.security.auth.module.UnixSystem().getUid()", T);
        assertThat(uid.error()).as("libjaas loaded: %s", uid).isEmpty();
        assertThat(uid.value()).matches("\\d+"); // what it reads without an /etc/passwd inside is its business
        ExecutionResult reflective = p.execute("String how; try { System.class.getMethod(\"load\", String.class).invoke(null,"
                + " \"/poolkit/jdk/lib/libnet.so\"); how = \"loaded\"; } catch (java.lang.reflect.InvocationTargetException e) {"
                + " how = \"refused: \" + e.getCause().getClass().getName(); } how", T);
        assertThat(reflective.value()).as("%s", reflective).startsWith("\"refused: ");
    }

    /**
     * Objects whose finalizer, each time it runs, rewrites {@code System.out} and leaves another such
     * object behind; then the young generation filled to the brim, so that the next caller's own
     * compilation starts a collection and the finalizer runs during its execution.
     */
    private static final String FINALIZER_HIJACK = """
            class Hijack {
                @SuppressWarnings("removal") @Override protected void finalize() {
                    var victim = System.out;
                    System.setOut(new java.io.PrintStream(victim, true) {
                        @Override public void println(String s) { super.println("FORGED " + s); } });
                    new Hijack();
                }
            }
            for (int i = 0; i < 100; i++) { new Hijack(); }
            var eden = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(m -> m.getName().contains("Eden")).findFirst().orElseThrow();
            var keep = new ArrayList<byte[]>();
            while (eden.getUsage().getUsed() < eden.getUsage().getCommitted() - (1 << 20)) { keep.add(new byte[64 << 10]); if (keep.size() > 8) keep.clear(); }
            "planted"
            """;

    @ParameterizedTest(name = "resetBetweenUses({0})")
    @ValueSource(booleans = {false, true})
    void aFinalizerRunningDuringTheNextExecutionCannotRewriteItsOutput(boolean reset) {
        SecureSessionPool p = pool(reset);
        ExecutionResult attack = p.execute(FINALIZER_HIJACK, T);
        assertThat(attack.value()).as("%s", attack).isEqualTo("\"planted\"");
        nextCallerGetsItsOwnTrueResult(p);
        nextCallerGetsItsOwnTrueResult(p);
    }

    /** Compiles a C file from the test resources with the host's gcc: a shared library or a program. */
    static byte[] compile(String resource, boolean sharedLibrary) throws IOException, InterruptedException {
        Path gcc = Sandbox.onPath("gcc");
        Services.require(gcc != null, "gcc is not installed (the test compiles native code):"
                + " run `bash .ci/services/bubblewrap.sh` as root, or apt-get install gcc");
        Path dir = Files.createTempDirectory("native-probe");
        try {
            Path source = dir.resolve(resource);
            try (InputStream in = TenantCarriersTest.class.getResourceAsStream(resource)) {
                Files.write(source, in.readAllBytes());
            }
            Path binary = dir.resolve("out");
            Path include = Path.of(System.getProperty("java.home"), "include");
            List<String> cmd = sharedLibrary
                    ? List.of(gcc.toString(), "-shared", "-fPIC", "-O2", "-I" + include, "-I" + include.resolve("linux"), "-o", binary.toString(),
                            source.toString())
                    : List.of(gcc.toString(), "-O2", "-o", binary.toString(), source.toString());
            Process cc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String said = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cc.waitFor()).as("gcc: %s", said).isZero();
            return Files.readAllBytes(binary);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }
}
