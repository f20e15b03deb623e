package io.poolkit.session.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A worker's own stdout and stderr (JVM warnings, an out-of-memory notice, a crash report): drained
 * by one daemon thread and kept only as capped diagnostics, the last {@link #CAP} bytes. Never
 * parsed as protocol: a JVM writes fatal errors there. Thread-safe.
 */
public final class Tail {
    static final int CAP = 16 * 1024;
    /**
     * The notice a JDK 17 to 23 prints when the worker installs its security manager (NativeGuard): the
     * same four lines from every worker, left out of the text so that a worker's last words show.
     */
    private static final Pattern SECURITY_MANAGER_NOTICE = Pattern.compile("WARNING: (A terminally deprecated method in java\\.lang\\.System"
            + " has been called|System::setSecurityManager (has been called by io\\.poolkit\\.session\\.internal\\.worker\\.NativeGuard\\b[^\\n]*"
            + "|will be removed in a future release)|Please consider reporting this to the maintainers of"
            + " io\\.poolkit\\.session\\.internal\\.worker\\.NativeGuard)\\R?");

    private final byte[] ring = new byte[CAP];
    private long total;
    private final CountDownLatch ended = new CountDownLatch(1);

    /** Starts draining {@code in} on a daemon thread named {@code name}. */
    public static Tail drain(InputStream in, String name) {
        Tail t = new Tail();
        Thread th = new Thread(() -> t.run(in), name);
        th.setDaemon(true);
        th.start();
        return t;
    }

    private void run(InputStream in) {
        byte[] buf = new byte[4096];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0;) {
                append(buf, n);
            }
        } catch (IOException ignored) {
            // the process is gone
        } finally {
            ended.countDown();
        }
    }

    private synchronized void append(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            ring[(int) (total++ % CAP)] = b[i];
        }
    }

    /** Waits up to {@code millis} for the stream to end (the process exited and its output is complete). */
    public boolean awaitEnd(long millis) {
        try {
            return ended.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return the kept text, prefixed with how much was dropped when the cap was reached */
    public String text() {
        return SECURITY_MANAGER_NOTICE.matcher(kept()).replaceAll("").strip();
    }

    private synchronized String kept() {
        if (total <= CAP) {
            return new String(ring, 0, (int) total, StandardCharsets.UTF_8);
        }
        byte[] out = new byte[CAP];
        int start = (int) (total % CAP);
        System.arraycopy(ring, start, out, 0, CAP - start);
        System.arraycopy(ring, 0, out, CAP - start, start);
        return "[" + (total - CAP) + " earlier bytes dropped] " + new String(out, StandardCharsets.UTF_8);
    }
}
