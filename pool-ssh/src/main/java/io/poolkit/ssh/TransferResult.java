package io.poolkit.ssh;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What an {@link SshPool#upload upload} or {@link SshPool#download download} moved. Immutable.
 *
 * @param target the host
 * @param local the local file
 * @param remote the remote path
 * @param bytes how many bytes were copied
 * @param duration how long the whole transfer took, waiting for a channel included
 */
public record TransferResult(SshTarget target, Path local, String remote, long bytes, Duration duration) {

    /** @return bytes per second over the whole transfer (0 for an empty file) */
    public double bytesPerSecond() {
        long nanos = Math.max(1, duration.toNanos());
        return bytes * 1e9 / nanos;
    }
}
