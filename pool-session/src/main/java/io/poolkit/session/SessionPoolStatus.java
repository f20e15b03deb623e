package io.poolkit.session;

/**
 * A snapshot of a {@link SecureSessionPool}'s sessions. Each count is exact when read; they are not
 * read atomically together.
 *
 * @param total the sessions that exist: {@code busy + idle + dead}
 * @param busy sessions running an execution
 * @param idle live sessions ready for the next execution
 * @param dead sessions whose worker ended, waiting to be replaced in the background
 * @param starting replacement sessions being started, not yet counted in {@code total}
 */
public record SessionPoolStatus(int total, int busy, int idle, int dead, int starting) {

    @Override
    public String toString() {
        return "total=" + total + ", busy=" + busy + ", idle=" + idle + ", dead=" + dead + ", starting=" + starting;
    }
}
