package io.poolkit.session.internal;

import io.poolkit.session.Language;
import io.poolkit.session.SessionStartException;
import io.poolkit.session.internal.wire.Frame;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one worker that speaks over two FIFOs instead of a socket (an {@link Language#R} worker: R
 * has no AF_UNIX sockets): {@code in} (host to worker) and {@code out} (worker to host) in the
 * worker's private {@code ipc} directory. The token goes on stdin as for every worker; the first
 * frame on {@code out} must be a HELLO with it. Once it came, both FIFOs are unlinked, so nothing
 * started later in the sandbox can open them by name; the worker's supervisor holds the only other
 * ends. The frames then go through the same {@link Connection} (caps, protocol state, violations)
 * as a socket's.
 *
 * <p>Opening a FIFO waits for its other end, and a worker that dies first would hold the host there.
 * So the host first opens each FIFO read-write (which never waits, on Linux) as a stand-in peer,
 * then its own end (which then does not wait either); the stand-ins are closed once the HELLO came,
 * after which the host's reader sees the end of the stream when the worker's supervisor is gone.
 */
final class FifoLauncher {
    private static final Logger log = LoggerFactory.getLogger(FifoLauncher.class);

    private FifoLauncher() {
    }

    static WorkerProcess start(SessionSettings s, String name, Sandbox.Tools sandbox, Path code, Path dir, long deadline)
            throws InterruptedException {
        Path ipc = dir.resolve("ipc");
        Path in = ipc.resolve("in");
        Path out = ipc.resolve("out");
        Process process = null;
        Cgroups cgroups = null;
        Connection connection = null;
        FileChannel reader = null;
        FileChannel writer = null;
        List<FileChannel> standIns = new ArrayList<>();
        boolean started = false;
        try {
            mkfifo(in, out);
            if (sandbox != null && sandbox.setpriv() != null) { // the sandbox runs as another user: its FIFOs must be its to open
                Launcher.ownedBySandbox(ipc);
                Launcher.ownedBySandbox(in);
                Launcher.ownedBySandbox(out);
            }
            standIns.add(FileChannel.open(out, StandardOpenOption.READ, StandardOpenOption.WRITE));
            reader = FileChannel.open(out, StandardOpenOption.READ);
            standIns.add(FileChannel.open(in, StandardOpenOption.READ, StandardOpenOption.WRITE));
            writer = FileChannel.open(in, StandardOpenOption.WRITE);
            String token = WorkDirs.randomHex(32);
            List<String> cmd = sandbox != null
                    ? Sandbox.command(sandbox, s.limits(), RWorker.layout(s.limits(), code), ipc, dir.resolve("launch"))
                    : RWorker.plainCommand(s.limits(), code, ipc);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().clear();
            if (sandbox == null) {
                pb.environment().putAll(RWorker.env());
                // Each R (the supervisor and every evaluator) makes its own RtmpXXXXXX under TMPDIR and removes
                // it only when it ends of itself; an evaluator killed at a reset, or a worker at retirement,
                // would leave it in /tmp. Here it is removed with the worker's directory. (In the sandbox
                // /tmp is the sandbox's own and goes with it.)
                pb.environment().put("TMPDIR", WorkDirs.newPrivateChild(dir, "tmp").toString());
            }
            pb.directory(dir.toFile());
            log.debug("{} - starting worker: {}", name, cmd);
            process = Spawner.spawn(pb);
            cgroups = Launcher.confine(s, dir, process);
            Tail diagnostics = Launcher.handOver(process, name, token);
            connection = Connection.open(reader, writer, name + "-reader");
            String version = awaitHello(s, name, connection, process, diagnostics, token, deadline);
            for (FileChannel c : standIns) {
                c.close();
            }
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            if (cgroups != null) {
                cgroups.add(process.toHandle()); // again, now that the whole tree exists: nothing forked early stays outside
            }
            connection.send(Frame.TOOLS, Launcher.tools(s.tools()));
            WorkDirs.deleteQuietly(dir.resolve("launch")); // read by bubblewrap long ago; it names host paths
            started = true;
            // R has no exit status that only running out of memory gives: its cap is the cgroup's
            return new WorkerProcess(name, process, connection, diagnostics, dir, version, cgroups, -1);
        } catch (IOException e) {
            throw new SessionStartException(name + " - cannot start the worker: " + e.getMessage(), e);
        } finally {
            if (!started) {
                if (connection != null) {
                    connection.close("the worker did not start");
                } else {
                    closeQuietly(reader);
                    closeQuietly(writer);
                }
                standIns.forEach(FifoLauncher::closeQuietly);
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

    private static String awaitHello(SessionSettings s, String name, Connection c, Process process, Tail diagnostics, String token,
            long deadline) throws InterruptedException {
        for (;;) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SessionStartException(name + " - the worker did not say HELLO within " + s.startTimeout().toMillis()
                        + " ms (raise startTimeout on a slow or busy machine)" + Launcher.said(diagnostics));
            }
            if (!process.isAlive()) {
                diagnostics.awaitEnd(1_000);
                throw new SessionStartException(name + " - the worker exited with code " + process.exitValue()
                        + " before it said HELLO" + Launcher.said(diagnostics));
            }
            Object o = c.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            if (o == null) {
                continue;
            }
            String version = Launcher.checkHello(o, token);
            if (version == null) {
                throw new SessionStartException(name + " - the worker's first frame was not a HELLO with its token: "
                        + (o instanceof Connection.Closed closed ? closed.reason() : "refused") + Launcher.said(diagnostics));
            }
            return version;
        }
    }

    /** Makes the two FIFOs, owner-only; Java has no mkfifo, coreutils' does it. */
    private static void mkfifo(Path... fifos) throws IOException, InterruptedException {
        Path mkfifo = Sandbox.onPath("mkfifo");
        if (mkfifo == null) {
            throw new IOException("mkfifo (coreutils) is not installed; an R worker speaks over two FIFOs it makes");
        }
        List<String> cmd = new ArrayList<>(List.of(mkfifo.toString(), "-m", "600"));
        for (Path p : fifos) {
            cmd.add(p.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        Process p = pb.start();
        String said = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("mkfifo did not end within 10 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("mkfifo failed (exit code " + p.exitValue() + "): " + said);
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
