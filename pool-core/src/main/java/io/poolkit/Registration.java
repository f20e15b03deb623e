package io.poolkit;

/** A listener added after build; closing it removes the listener. Idempotent. */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    /** Removes the listener; later events are not delivered to it. */
    @Override
    void close();
}
