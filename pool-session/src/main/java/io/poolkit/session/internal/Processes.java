package io.poolkit.session.internal;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ends worker process trees: the descendants are listed before the root dies (they re-parent once it has), then all get SIGKILL. */
public final class Processes {
    private Processes() {
    }

    /** Sends SIGKILL to {@code p} and all its descendants; does not wait. */
    public static void killTree(Process p) {
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** {@link #killTree} and waits up to {@code millis} for the root to exit; true if it did. */
    public static boolean killTreeAndWait(Process p, long millis) {
        killTree(p);
        try {
            return p.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }
}
