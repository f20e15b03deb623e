package io.poolkit.session;

import static io.poolkit.session.TestSessions.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.session.ExecutionError.Kind;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile R snippets against the real bubblewrap sandbox (issue 17), the R half of
 * {@link PythonSandboxTest}: no network, no host file, the minimal binds; the evaluator holds
 * nothing of the host's FIFOs and cannot signal its supervisor or init; a forged frame ends the
 * worker; processes left behind are reported and a reset ends them with the rest of the last
 * execution; a fork bomb and a memory bomb end in errors. One sandboxed session for the class.
 * Skipped locally without bubblewrap or R; with CI=true either missing fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class RSandboxTest {
    private SecureSession session;

    @BeforeAll
    void start() {
        TestSessions.requireSandbox();
        TestSessions.requireR();
        session = SecureSession.builder().name("r-hostile").sandbox(true).language(Language.R)
                .limits(TestSessions.smallLimits().tmpSize("8m").maxProcesses(64).build()).start();
    }

    @AfterAll
    void stop() {
        if (session != null) {
            session.close();
        }
    }

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
            String got = value("tryCatch({ socketConnection(\"127.0.0.1\", " + listener.getLocalPort() + ", open = \"r+b\", timeout = 2)\n"
                    + "\"CONNECTED\" }, error = function(e) \"refused\", warning = function(w) \"refused\")");
            assertThat(got).isEqualTo("[1] \"refused\"");
            listener.setSoTimeout(200);
            try {
                listener.accept().close();
                throw new AssertionError("the host's listener accepted a connection from the sandbox");
            } catch (SocketTimeoutException expected) {
                // nothing came in
            }
        }
    }

    @Test
    void noHostFilesAndOnlyTheMinimalBinds() throws Exception {
        Path secret = Path.of(System.getProperty("user.home"), ".poolkit-r-secret-" + ProcessHandle.current().pid());
        Files.writeString(secret, "the host's secret");
        try {
            assertThat(value("c(file.exists(\"" + secret + "\"), dir.exists(\"" + secret.getParent() + "\"))"))
                    .isEqualTo("[1] FALSE FALSE");
        } finally {
            Files.deleteIfExists(secret);
        }
        String listed = probe("cat(sort(list.files(\"/\")), sep = \",\")").stdout();
        assertThat(Set.of(listed.split(","))).isSubsetOf("tmp", "dev", "proc", "poolkit", "etc", "usr", "lib", "lib64", "bin");
        assertThat(probe("cat(list.files(\"/etc\", recursive = TRUE), sep = \",\")").stdout()).doesNotContain("passwd")
                .doesNotContain("shadow");
        String wrote = probe("for (p in c(\"/x\", \"/etc/x\", \"/usr/x\", \"/usr/lib/R/x\", \"/poolkit/code/x\", \"/poolkit/ipc/x\","
                + " \"/bin/x\", \"/tmp/x\")) if (isTRUE(suppressWarnings(tryCatch(file.create(p), error = function(e) FALSE)))) cat(p, \"\")")
                .stdout();
        assertThat(wrote).as("only the private /tmp is writable").isEqualTo("/tmp/x ");
        String env = probe("cat(sort(names(Sys.getenv())), sep = \",\")").stdout();
        assertThat(Set.of(env.split(","))).as("R's own Renviron and what the host sets, nothing of the host's")
                .doesNotContain("HOME", "USER", "LOGNAME", "PATH", "JAVA_HOME", "MAVEN_OPTS").contains("R_HOME", "LANG");
    }

    /** The host's FIFOs are unlinked before any snippet runs, and the evaluator holds no descriptor of them. */
    @Test
    void theEvaluatorHoldsNothingOfTheHostsFifos() {
        assertThat(value("length(list.files(\"/poolkit/ipc\", all.files = TRUE, no.. = TRUE))")).isEqualTo("[1] 0");
        String fds = probe("cat(Sys.readlink(list.files(\"/proc/self/fd\", full.names = TRUE)), sep = \"\\n\")").stdout();
        assertThat(fds).as("its own FIFOs, unlinked, and its control pipe").doesNotContain("/poolkit/ipc");
        assertThat(value("length(list.files(\"/tmp\", pattern = \"^[.]poolkit-\", all.files = TRUE))"))
                .as("the evaluator's own FIFOs are unlinked once it said hello").isEqualTo("[1] 0");
    }

    @Test
    void notRootNotDumpableAndTheSupervisorCannotBeSignalled() {
        String status = probe("cat(readLines(\"/proc/self/status\"), sep = \"\\n\")").stdout();
        assertThat(status).containsPattern("Uid:\\s+65534\\s+65534\\s+65534\\s+65534");
        assertThat(status).containsPattern("CapEff:\\s+0+\n").containsPattern("NoNewPrivs:\\s+1");
        assertThat(value("unname(c(file.access(\"/proc/2/environ\", 4), file.access(\"/proc/2/mem\", 4)))"))
                .as("the supervisor is not dumpable").isEqualTo("[1] -1 -1");
        assertThat(value("strsplit(readLines(\"/proc/self/stat\"), \" \")[[1]][[4]]")).as("its parent, the supervisor, is pid 2 under the sandbox's init").isEqualTo("[1] \"2\"");
        assertThat(value("length(list.files(\"/proc/2/task\"))")).as("the supervisor is one thread").isEqualTo("[1] 1");
        ExecutionResult tried = probe("k <- c(tools::pskill(2L, 9L), tools::pskill(1L, 9L))\n"
                + "system(\"kill -9 -1; kill -9 0; kill -9 -2; kill -9 2; kill -9 1; echo tried\")\nk");
        assertThat(tried.value()).isEqualTo("[1] FALSE FALSE");
        assertThat(tried.stdout()).isEqualTo("tried\n");
        assertThat(tried.stderr()).contains("Operation not permitted");
        assertThat(session.isAlive()).isTrue();
        assertThat(value("21 * 2")).isEqualTo("[1] 42");
    }

    /**
     * R reaches native code (a library written to /tmp and dyn.load()ed), so the guard is what stops
     * the evaluator: naming the supervisor the owner of a descriptor's I/O signal, limiting its CPU,
     * signalling it or opening a pidfd of it all fail with EPERM (errno 1); an fcntl that names no
     * process does not. The library is built here with gcc, as SandboxTest's native probe is.
     */
    @Test
    void nativeCodeInTheEvaluatorCannotReachTheSupervisor() throws Exception {
        Path gcc = io.poolkit.session.internal.Sandbox.onPath("gcc");
        io.poolkit.testkit.Services.require(gcc != null, "gcc is not installed (the test compiles a native library):"
                + " run `bash .ci/services/bubblewrap.sh` as root, or apt-get install gcc");
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "r-probe");
        try {
            Path source = dir.resolve("probe.c");
            Files.writeString(source, String.join("\n",
                    "#define _GNU_SOURCE",
                    "#include <errno.h>",
                    "#include <fcntl.h>",
                    "#include <signal.h>",
                    "#include <sys/ioctl.h>",
                    "#include <sys/resource.h>",
                    "#include <sys/syscall.h>",
                    "#include <unistd.h>",
                    "static int err(long r) { return r == -1 ? errno : 0; }",
                    "void probe(int *out) {",
                    "  int p[2]; int pid = 2; struct f_owner_ex o = {F_OWNER_PID, 2}; struct rlimit r = {1, 1};",
                    "  if (pipe(p) != 0) return;",
                    "  out[0] = err(fcntl(p[0], F_SETOWN, 2));",
                    "  out[1] = err(fcntl(p[0], F_SETOWN_EX, &o));",
                    "  out[2] = err(ioctl(p[0], 0x8901 /* FIOSETOWN */, &pid));",
                    "  out[3] = err(syscall(SYS_prlimit64, 2, RLIMIT_CPU, &r, 0));",
                    "  out[4] = err(kill(2, 0));",
                    "  out[5] = err(syscall(SYS_pidfd_open, 2, 0));",
                    "  out[6] = err(fcntl(p[0], F_GETFL));",
                    "  close(p[0]); close(p[1]);",
                    "}", ""));
            Path library = dir.resolve("probe.so");
            Process cc = new ProcessBuilder(gcc.toString(), "-shared", "-fPIC", "-Os", "-s", "-o", library.toString(), source.toString())
                    .redirectErrorStream(true).start();
            String ccOut = new String(cc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(cc.waitFor()).as("gcc: %s", ccOut).isZero();
            String hex = java.util.HexFormat.of().formatHex(Files.readAllBytes(library));
            String got = value("h <- \"" + hex + "\"\n"
                    + "writeBin(as.raw(strtoi(substring(h, seq(1, nchar(h), 2), seq(2, nchar(h), 2)), 16L)), \"/tmp/probe.so\")\n"
                    + "dyn.load(\"/tmp/probe.so\")\n.C(\"probe\", out = integer(7))$out");
            assertThat(got).as("F_SETOWN, F_SETOWN_EX, FIOSETOWN, prlimit64, kill, pidfd_open at 2; F_GETFL").isEqualTo("[1] 1 1 1 1 1 1 0");
            assertThat(value("21 * 2")).as("the supervisor lives").isEqualTo("[1] 42");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /** A frame the evaluator forges for an execution that is not running ends the worker: nobody else's result can be written. */
    @Test
    @Order(Integer.MAX_VALUE) // ends or replaces the session: last, so no other test waits for a new R worker
    void aForgedFrameForAnotherExecutionEndsTheWorker() {
        probe("1");
        ExecutionResult r = session.execute("con <- file(\"/proc/self/fd/3\", \"wb\")\n"
                + "payload <- c(as.raw(rep(0, 7)), as.raw(99), as.raw(0), rep(as.raw(0), 24))\n"
                + "writeBin(c(writeBin(length(payload) + 1L, raw(), size = 4, endian = \"big\"), as.raw(4), payload), con)\n"
                + "flush(con)\nSys.sleep(5)\n\"not reached\"", T);
        assertThat(r.error().orElseThrow(() -> new AssertionError("a success: " + r)).kind()).as("%s", r).isEqualTo(Kind.SESSION_DIED);
        assertThat(session.isAlive()).isFalse();
    }

    /**
     * A process the snippet leaves (a forked R, a background shell) is reported, and a reset ends it
     * with the variables, attached state and files of the last execution: a fresh evaluator.
     */
    @Test
    @Order(Integer.MAX_VALUE - 2) // ends or replaces the session: last, so no other test waits for a new R worker
    void aResetLeavesNoVariableFileOrProcess() {
        probe("1");
        ExecutionResult planted = probe("secret <- \"tenant A\"\noptions(planted = 1)\nSys.setenv(PLANTED = \"1\")\n"
                + "writeLines(\"x\", \"/tmp/tenant-a\")\ndir.create(\"/tmp/locked\")\nwriteLines(\"x\", \"/tmp/locked/f\")\n"
                + "Sys.chmod(\"/tmp/locked\", \"0000\")\np <- parallel::mcparallel(Sys.sleep(60))\n"
                + "system(\"while :; do read x < /dev/zero; done < /dev/null &\")\nSys.sleep(0.2)\n"
                + "length(grep(\"^[0-9]+$\", list.files(\"/proc\")))");
        assertThat(planted.value()).as("init, supervisor, evaluator and the two planted processes").isEqualTo("[1] 5");
        assertThat(session.recycleReason()).as("reported as left running").contains("process");
        session.resetState();
        ExecutionResult after = session.execute("c(exists(\"secret\"), !is.null(getOption(\"planted\")), nzchar(Sys.getenv(\"PLANTED\")), length(list.files(\"/tmp\", pattern = \"tenant|locked\")),"
                + " length(grep(\"^[0-9]+$\", list.files(\"/proc\"))))", T);
        assertThat(after.value()).as("%s", after).isEqualTo("[1] 0 0 0 0 3");
    }

    @Test
    @Order(Integer.MAX_VALUE - 1) // ends or replaces the session: last, so no other test waits for a new R worker
    void aForkBombAndAMemoryBombEndInErrorsAndTheSessionIsReplacedOrGoesOn() {
        ExecutionResult fork = session.execute("repeat parallel:::mcfork()", Duration.ofSeconds(2));
        assertThat(fork.error().orElseThrow(() -> new AssertionError("a success: " + fork)).kind()).as("%s", fork)
                .isIn(Kind.EXCEPTION, Kind.TIMEOUT, Kind.LIMIT);
        if (!session.isAlive() || session.recycleReason() != null) {
            session.restart();
        }
        ExecutionResult memory = session.execute("hoard <- list()\nrepeat hoard[[length(hoard) + 1L]] <- numeric(4 * 2^20)",
                Duration.ofSeconds(5));
        ExecutionError e = memory.error().orElseThrow(() -> new AssertionError("a success: " + memory));
        if (e.kind() == Kind.EXCEPTION) { // RLIMIT_AS: the allocation fails inside the snippet
            assertThat(e.message()).as("%s", memory).contains("cannot allocate");
        } else { // the memory cgroup's OOM killer ended the evaluator first
            assertThat(e.kind()).as("%s", memory).isEqualTo(Kind.LIMIT);
        }
        assertThat(value("1 + 1")).isEqualTo("[1] 2");
    }
}
