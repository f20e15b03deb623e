package io.poolkit.ssh.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.channel.ChannelSession;

/**
 * A command run for real by {@code /bin/sh} in a session of its own ({@code setsid}), its streams
 * pumped by threads of its own; a signal request signals its process group. Like sshd without a PTY,
 * closing the channel does not stop it.
 */
final class ShellCommand extends StreamsCommand {
    /** A server session channel that can send the exit status before it closes. */
    static class EarlyExitChannel extends ChannelSession {
        void exitStatus(int code) throws IOException {
            sendExitStatus(code);
        }
    }

    private final EmbeddedSshServer server;
    private final String command;

    ShellCommand(EmbeddedSshServer server, String command) {
        this.server = server;
        this.command = command;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        Process process = new ProcessBuilder("setsid", "/bin/sh", "-c", command).start();
        long pid = process.pid();
        server.started(command, pid);
        env.addSignalListener((ch, signal) -> EmbeddedSshServer.kill(pid, signal.name()));
        Thread pumpIn = pump(in, process.getOutputStream(), true);
        Thread pumpOut = pump(process.getInputStream(), out, false);
        Thread pumpErr = pump(process.getErrorStream(), err, false);
        Thread waiter = new Thread(() -> {
            try {
                int code = process.waitFor();
                long hold = server.holdOutputAfterExitMillis();
                if (hold > 0 && channel instanceof EarlyExitChannel early) {
                    early.exitStatus(code);
                    Thread.sleep(hold); // the fake peer's own pace, not a test waiting for work
                }
                pumpOut.join();
                pumpErr.join();
                server.ended(pid);
                pumpIn.interrupt();
                exit.onExit(code);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the channel is gone: nothing to report to
            }
        }, "test-sshd-wait-" + pid);
        waiter.setDaemon(true);
        waiter.start();
    }

    private static Thread pump(InputStream from, OutputStream to, boolean closeTo) {
        Thread t = new Thread(() -> {
            byte[] b = new byte[8192];
            try {
                int n;
                while ((n = from.read(b)) >= 0) {
                    to.write(b, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // stream closed: done
            } finally {
                if (closeTo) {
                    try {
                        to.close();
                    } catch (IOException e) {
                        // done anyway
                    }
                }
            }
        }, "test-sshd-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
