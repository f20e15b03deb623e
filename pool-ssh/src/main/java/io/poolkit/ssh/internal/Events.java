package io.poolkit.ssh.internal;

import io.poolkit.DestroyReason;
import io.poolkit.KeyedPoolListener;
import io.poolkit.PoolListener;
import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.SshPoolListener;
import io.poolkit.ssh.SshTarget;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans the pool's events out to its listeners, isolating each from the others' failures; also the
 * bridge from the keyed pool's connection events.
 */
final class Events implements KeyedPoolListener<SshTarget, SshConnection> {
    private static final Logger log = LoggerFactory.getLogger(Events.class);

    private final String name;
    private final List<SshPoolListener> listeners = new CopyOnWriteArrayList<>();
    /** Told of every failed connect, per target (the dispatcher keeps it as the cause of timeouts). */
    volatile java.util.function.BiConsumer<SshTarget, Throwable> onCreateFailed = (t, e) -> { };

    Events(String name, List<SshPoolListener> initial) {
        this.name = name;
        this.listeners.addAll(initial);
    }

    void add(SshPoolListener l) {
        listeners.add(l);
    }

    void remove(SshPoolListener l) {
        listeners.remove(l);
    }

    private void each(Consumer<SshPoolListener> event) {
        for (SshPoolListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                log.warn("{} - listener {} threw; ignored", name, l, e);
            }
        }
    }

    void channelRefused(SshTarget t, int limit) {
        each(l -> l.channelRefused(t, limit));
    }

    void commandRetried(SshTarget t, Throwable cause) {
        each(l -> l.commandRetried(t, cause));
    }

    void commandFinished(SshTarget t, CommandResult r) {
        each(l -> l.commandFinished(t, r));
    }

    void commandTimedOut(SshTarget t, String command, boolean killed) {
        each(l -> l.commandTimedOut(t, command, killed));
    }

    void connectionSuspected(SshTarget t, String what) {
        each(l -> l.connectionSuspected(t, what));
    }

    void connectionCleared(SshTarget t) {
        each(l -> l.connectionCleared(t));
    }

    void connectionUnresponsive(SshTarget t) {
        each(l -> l.connectionUnresponsive(t));
    }

    void hostKeyTrusted(SshTarget t, String key) {
        each(l -> l.hostKeyTrusted(t, key));
    }

    @Override
    public PoolListener<SshConnection> forKey(SshTarget target) {
        return new PoolListener<>() {
            @Override
            public void created(SshConnection c) {
                each(l -> l.connectionOpened(target));
            }

            @Override
            public void createFailed(Throwable failure) {
                onCreateFailed.accept(target, failure);
                each(l -> l.connectionFailed(target, failure));
            }

            @Override
            public void destroyed(SshConnection c, DestroyReason reason) {
                each(l -> l.connectionClosed(target, reason));
            }

            @Override
            public void circuitOpened(Throwable lastFailure) {
                log.warn("{} - circuit opened for {}: new connections fail fast for a while ({})", name, target,
                        lastFailure == null ? "no cause" : lastFailure.getMessage());
                each(l -> l.circuitOpened(target, lastFailure));
            }

            @Override
            public void circuitClosed() {
                each(l -> l.circuitClosed(target));
            }
        };
    }
}
