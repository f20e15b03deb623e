package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a snippet leaves held on a registry of the JDK, other than plain heap past the allowance
 * ({@link RetainedMemoryTest}), must not deny the next caller of the same worker with
 * {@code resetBetweenUses(true)} what a fresh worker gives it (DESIGN pool-session "Tenants"). Each attack
 * hangs what it holds on a handler of the root logger, which a reset does not drop; each next caller does
 * what a fresh worker of {@link TestSessions#small()} does without trouble.
 */
@Timeout(120)
class RetainedResourcesTest {
    /** Declares {@code Hold}, a logging handler that keeps a list of anything, and {@code hold}, one on the root logger. */
    private static final String HOLDER = "class Hold extends java.util.logging.Handler {\n"
            + " final List<Object> held = new ArrayList<>();\n"
            + " public void publish(java.util.logging.LogRecord r) { }\n"
            + " public void flush() { }\n"
            + " public void close() { } }\n"
            + "var hold = new Hold();\n"
            + "java.util.logging.Logger.getLogger(\"\").addHandler(hold);\n";

    @RegisterExtension
    final OpenPools pools = new OpenPools();

    private SecureSessionPool pool() {
        TestSessions.requireSandbox(); // the next callers use the sandbox's own /tmp
        return pools.add(TestSessions.pool().name("retained-resources").size(1).resetBetweenUses(true).build());
    }

    /** The next caller gets what a fresh worker gives it: the attacker's worker was retired and replaced. */
    private static void nextCallerGets(SecureSessionPool p, String code, String value) {
        nextCallerGets(p, code, value, 2);
    }

    private static void nextCallerGets(SecureSessionPool p, String code, String value, long workers) {
        ExecutionResult next = p.execute(code, T);
        assertThat(next.error()).as("%s (pool %s)", next, p.stats()).isEmpty();
        assertThat(next.value()).isEqualTo(value);
        assertThat(p.stats().created()).as("workers started: %s", p.stats()).isEqualTo(workers);
    }

    /** 8 MB written to /tmp. */
    private static final String WRITE_8_MB = "java.nio.file.Files.write(java.nio.file.Path.of(\"/tmp/next.bin\"), new byte[8_000_000])"
            + ".toFile().length()";

    /** Direct buffers up to MaxDirectMemorySize (64 MiB here) less 4 MiB: on the heap they weigh nothing. */
    @Test
    void directBuffersLeftOnALoggingHandlerDoNotDenyTheNextCaller() {
        SecureSessionPool p = pool();
        ExecutionResult r = p.execute(HOLDER + "for (int i = 0; i < 60; i++) { hold.held.add(java.nio.ByteBuffer.allocateDirect(1 << 20)); }\n"
                + "hold.held.size()", T);
        assertThat(r.value()).as("%s", r).isEqualTo("60");
        nextCallerGets(p, "java.nio.ByteBuffer.allocateDirect(8 << 20).capacity()", "8388608");
    }

    /**
     * Classes of 64 KiB of metaspace each (one method of 65535 bytes of code, written here by hand), defined
     * until the metaspace committed is within 3 MiB of its cap, kept by the handler; the next caller parses a
     * small XML document, which loads the JDK's parser.
     */
    @Test
    void metaspaceLeftOnALoggingHandlerDoesNotDenyTheNextCaller() {
        SecureSessionPool p = pool();
        ExecutionResult r = p.execute(HOLDER + "byte[] big(String name) throws IOException {\n"
                + " var bo = new ByteArrayOutputStream(); var d = new DataOutputStream(bo);\n"
                + " d.writeInt(0xCAFEBABE); d.writeShort(0); d.writeShort(52); d.writeShort(8);\n"
                + " d.writeByte(1); d.writeUTF(name); d.writeByte(7); d.writeShort(1);\n"
                + " d.writeByte(1); d.writeUTF(\"java/lang/Object\"); d.writeByte(7); d.writeShort(3);\n"
                + " d.writeByte(1); d.writeUTF(\"m\"); d.writeByte(1); d.writeUTF(\"()V\"); d.writeByte(1); d.writeUTF(\"Code\");\n"
                + " d.writeShort(0x21); d.writeShort(2); d.writeShort(4); d.writeShort(0); d.writeShort(0);\n"
                + " d.writeShort(1); d.writeShort(0x9); d.writeShort(5); d.writeShort(6); d.writeShort(1);\n"
                + " int n = 65535; d.writeShort(7); d.writeInt(12 + n); d.writeShort(0); d.writeShort(0); d.writeInt(n);\n"
                + " d.write(new byte[n - 1]); d.writeByte(0xb1); d.writeShort(0); d.writeShort(0);\n"
                + " d.writeShort(0); return bo.toByteArray(); }\n"
                + "class Loader extends ClassLoader { Class<?> def(byte[] b) { return defineClass(null, b, 0, b.length); } }\n"
                + "var meta = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()"
                + ".filter(m -> m.getName().equals(\"Metaspace\")).findFirst().get();\n"
                + "var loader = new Loader(); hold.held.add(loader);\n"
                + "int classes = 0;\n"
                + "while (meta.getUsage().getCommitted() < meta.getUsage().getMax() - (2 << 20)) {"
                + " hold.held.add(loader.def(big(\"C\" + classes++))); }\n"
                + "classes > 100", T);
        assertThat(r.value()).as("%s", r).isEqualTo("true");
        nextCallerGets(p, "var d = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()"
                + ".parse(new ByteArrayInputStream(\"<a><b>42</b></a>\".getBytes()));\n"
                + "var w = new StringWriter(); javax.xml.transform.TransformerFactory.newInstance().newTransformer()"
                + ".transform(new javax.xml.transform.dom.DOMSource(d), new javax.xml.transform.stream.StreamResult(w));\n"
                + "w.toString().endsWith(\"<a><b>42</b></a>\")", "true");
    }

    /** Four files of 15 MiB in the 64 MiB /tmp, held open: the reset unlinks them, the space stays taken. */
    @Test
    void tmpSpaceHeldByOpenFilesDoesNotDenyTheNextCaller() {
        SecureSessionPool p = pool();
        ExecutionResult r = p.execute(HOLDER + "byte[] mib = new byte[1 << 20];\n"
                + "for (int f = 0; f < 4; f++) { var o = new FileOutputStream(\"/tmp/held\" + f); hold.held.add(o);"
                + " for (int i = 0; i < 15; i++) { o.write(mib); } }\n"
                + "hold.held.size()", T);
        assertThat(r.value()).as("%s", r).isEqualTo("4");
        nextCallerGets(p, WRITE_8_MB, "8000000");
    }

    /** The same space held by mappings of the files, with no descriptor left open. */
    @Test
    void tmpSpaceHeldByMappedFilesDoesNotDenyTheNextCaller() {
        SecureSessionPool p = pool();
        ExecutionResult r = p.execute(HOLDER + "for (int f = 0; f < 4; f++) { try (var ch = java.nio.channels.FileChannel.open("
                + "java.nio.file.Path.of(\"/tmp/mapped\" + f), java.nio.file.StandardOpenOption.CREATE,"
                + " java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {"
                + " var m = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, 15 << 20);"
                + " for (int i = 0; i < (15 << 20); i += 4096) { m.put(i, (byte) 1); } hold.held.add(m); } }\n"
                + "hold.held.size()", T);
        assertThat(r.value()).as("%s", r).isEqualTo("4");
        nextCallerGets(p, WRITE_8_MB, "8000000");
    }

    /** Every descriptor the worker may open but two, held: the next caller has ten small files open at once. */
    @Test
    void openFilesLeftOnALoggingHandlerDoNotDenyTheNextCaller() {
        SecureSessionPool p = pool();
        ExecutionResult r = p.execute(HOLDER + "try { for (;;) { hold.held.add(new FileInputStream(\"/dev/null\")); } }"
                + " catch (IOException e) { }\n"
                + "for (int i = 0; i < 2; i++) { ((Closeable) hold.held.remove(hold.held.size() - 1)).close(); }\n"
                + "hold.held.size() > 100", T);
        assertThat(r.value()).as("%s", r).isEqualTo("true");
        nextCallerGets(p, "var ins = new ArrayList<InputStream>();\n"
                + "for (int i = 0; i < 10; i++) { var f = java.nio.file.Path.of(\"/tmp/n\" + i); java.nio.file.Files.writeString(f, \"x\");"
                + " ins.add(java.nio.file.Files.newInputStream(f)); }\n"
                + "int n = 0; for (var in : ins) { n += in.read() == 'x' ? 1 : 0; in.close(); }\n"
                + "n", "10");
    }

    /**
     * What the collection and the JDK's cleaners free, and what the reset deletes, must not retire a worker:
     * unreachable direct buffers and unclosed files (freed and closed only after a collection), classes of a
     * dropped loader, and files left in /tmp.
     */
    @Test
    void garbageTheCleanersFreeDoesNotRetireTheWorker() {
        SecureSessionPool p = pool();
        for (int round = 0; round < 2; round++) {
            ExecutionResult r = p.execute("for (int i = 0; i < 40; i++) { java.nio.ByteBuffer.allocateDirect(1 << 20).put(0, (byte) 1); }\n"
                    + "for (int i = 0; i < 150; i++) { new FileInputStream(\"/dev/null\").read(); }\n"
                    + "byte[] mib = new byte[1 << 20];\n"
                    + "for (int f = 0; f < 3; f++) { try (var o = new FileOutputStream(\"/tmp/left\" + f)) {"
                    + " for (int i = 0; i < 12; i++) { o.write(mib); } } }\n"
                    + "new File(\"/tmp\").list().length", T);
            assertThat(r.value()).as("%s", r).isEqualTo("3");
        }
        nextCallerGets(p, WRITE_8_MB, "8000000", 1);
    }
}
