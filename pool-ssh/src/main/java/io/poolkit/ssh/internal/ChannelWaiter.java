package io.poolkit.ssh.internal;

/** A queued command: gets a slot or a failure. Guarded by the {@link Dispatcher}'s lock. */
final class ChannelWaiter {
    final boolean hold;
    Slot slot;
    RuntimeException failure;

    ChannelWaiter(boolean hold) {
        this.hold = hold;
    }
}
