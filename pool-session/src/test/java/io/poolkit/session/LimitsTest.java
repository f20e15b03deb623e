package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poolkit.session.ExecutionError.Kind;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Limits: checked where they are set, and enforced on a real worker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class LimitsTest {
    private SecureSession session;

    @BeforeAll
    void start() {
        session = TestSessions.session().name("limits")
                .limits(TestSessions.smallLimits().maxOutputBytes(1000).maxFileSize("1m").maxOpenFiles(128).build())
                .start();
    }

    @AfterAll
    void stop() {
        session.close();
    }

    private void aliveAndClean() {
        if (!session.isAlive() || session.recycleReason() != null) {
            session.restart();
        }
    }

    @Test
    void settersRejectBadValuesNamingTheRule() {
        Limits.Builder b = Limits.builder();
        assertThatThrownBy(() -> b.heap("lots")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("heap must be a size like 128m, 1g or 65536, but was 'lots'");
        assertThatThrownBy(() -> b.heap("16m")).hasMessageContaining("heap must be between 64m and 64g").hasMessageContaining("but was 16m");
        assertThatThrownBy(() -> b.metaspace("1k")).hasMessageContaining("metaspace must be between 64m and 4g");
        assertThatThrownBy(() -> b.maxOutputBytes(0)).hasMessage("maxOutputBytes must be between 1 and 67108864, but was 0");
        assertThatThrownBy(() -> b.maxCodeLength(300_000)).hasMessageContaining("maxCodeLength must be between 1 and 262144");
        assertThatThrownBy(() -> b.maxWallTime(Duration.ZERO)).hasMessage("maxWallTime must be more than zero, but was PT0S");
        assertThatThrownBy(() -> b.maxToolCalls(-1)).hasMessageContaining("maxToolCalls must be between 0 and");
        assertThatThrownBy(() -> b.maxOpenFiles(10)).hasMessageContaining("maxOpenFiles must be between 64").hasMessageContaining("was 10");
        assertThatThrownBy(() -> b.maxProcesses(10)).hasMessageContaining("maxProcesses must be between 64");
        assertThatThrownBy(() -> b.maxFileSize("1")).hasMessageContaining("maxFileSize must be between 64k");
        assertThatThrownBy(() -> b.tmpSize("-1m")).hasMessageContaining("tmpSize must be a size");
    }

    @Test
    void sizesParseLikeTheJvmsOptions() {
        Limits l = Limits.builder().heap("1G").metaspace("96m").maxFileSize("65536").tmpSize("2048k").build();
        assertThat(l.heapBytes()).isEqualTo(1L << 30);
        assertThat(l.metaspaceBytes()).isEqualTo(96L << 20);
        assertThat(l.maxFileSizeBytes()).isEqualTo(65536);
        assertThat(l.tmpSizeBytes()).isEqualTo(2L << 20);
        assertThat(l.toString()).contains("heap=1g").contains("metaspace=96m");
        assertThat(Limits.builder().build()).isEqualTo(Limits.defaults()).hasSameHashCodeAs(Limits.defaults());
    }

    @Test
    void outputPastTheCapIsCutAndStopsTheSnippet() {
        aliveAndClean();
        ExecutionResult r = session.execute("while (true) { System.out.print(\"0123456789\"); }", T);
        ExecutionError e = r.error().orElseThrow();
        assertThat(e.kind()).as("%s", r).isEqualTo(Kind.LIMIT);
        assertThat(e.message()).contains("maxOutputBytes (1000 bytes)");
        assertThat(r.stdout()).hasSize(1000);
        assertThat(r.duration()).as("stopped at the cap, not at the timeout").isLessThan(Duration.ofSeconds(10));
        assertThat(session.isAlive()).as("stopping a printing snippet (it is interrupted) leaves the worker's socket intact").isTrue();
    }

    @Test
    void stdoutAndStderrShareTheCap() {
        aliveAndClean();
        ExecutionResult r = session.execute("System.out.print(\"a\".repeat(600)); System.err.print(\"b\".repeat(600));", T);
        assertThat(r.error().orElseThrow().kind()).isEqualTo(Kind.LIMIT);
        assertThat(r.stdout().length() + r.stderr().length()).isEqualTo(1000);
    }

    @Test
    void outputWithinTheCapIsWhole() {
        aliveAndClean();
        ExecutionResult r = session.execute("System.out.print(\"a\".repeat(999));", T);
        assertThat(r.isSuccess()).as("%s", r).isTrue();
        assertThat(r.stdout()).hasSize(999);
    }

    @Test
    void fileSizeLimitStopsALargeWrite() {
        aliveAndClean();
        ExecutionResult r = session.execute("var f = java.nio.file.Files.createTempFile(\"big\", \".bin\");"
                + " try { java.nio.file.Files.write(f, new byte[2 << 20]); } finally { java.nio.file.Files.deleteIfExists(f); }", T);
        ExecutionError e = r.error().orElseThrow();
        assertThat(e.kind()).as("%s", r).isEqualTo(Kind.EXCEPTION);
        assertThat(e.message()).contains("File too large");
        assertThat(session.isAlive()).isTrue();
    }

    @Test
    void openFilesLimitStopsAFileDescriptorLeak() {
        aliveAndClean();
        ExecutionResult r = session.execute("var open = new ArrayList<java.io.FileInputStream>();"
                + " try { for (int i = 0; i < 1000; i++) open.add(new java.io.FileInputStream(\"/proc/self/stat\")); }"
                + " finally { for (var in : open) in.close(); }", T);
        ExecutionError e = r.error().orElseThrow();
        assertThat(e.message()).as("%s", r).contains("Too many open files");
        assertThat(session.execute("1 + 1", T).value()).isEqualTo("2");
    }

    @Test
    void heapBombEndsTheWorkerWithALimitError() {
        try (SecureSession s = TestSessions.session().name("heap-bomb").start()) {
            ExecutionResult r = s.execute("var hoard = new ArrayList<long[]>(); while (true) hoard.add(new long[1 << 20]);", T);
            ExecutionError e = r.error().orElseThrow();
            assertThat(e.kind()).as("%s", r).isEqualTo(Kind.LIMIT);
            assertThat(e.message()).contains("ran out of memory").contains("heap 128 MiB");
            assertThat(s.isAlive()).isFalse();
        }
    }
}
