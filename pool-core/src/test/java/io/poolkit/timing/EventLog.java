package io.poolkit.timing;

import io.poolkit.DestroyReason;
import io.poolkit.PoolException;
import io.poolkit.PoolListener;
import io.poolkit.Ticker;
import io.poolkit.testkit.TestResource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A listener that records every event with the pool clock's reading when it was delivered. */
final class EventLog implements PoolListener<TestResource> {
    /** One event: its kind, and whichever of resource, reason, nanos and throwable it carried. */
    record Event(String kind, long at, TestResource resource, DestroyReason reason, long nanos, Throwable throwable) {
    }

    private final Ticker ticker;
    private final List<Event> events = new CopyOnWriteArrayList<>();

    EventLog(Ticker ticker) {
        this.ticker = ticker;
    }

    private void add(String kind, TestResource r, DestroyReason reason, long nanos, Throwable t) {
        events.add(new Event(kind, ticker.read(), r, reason, nanos, t));
    }

    List<Event> all() {
        return List.copyOf(events);
    }

    List<Event> of(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).collect(Collectors.toList());
    }

    /** The kinds of the circuit events, in order. */
    List<String> circuit() {
        return events.stream().map(Event::kind).filter(k -> k.startsWith("circuit")).collect(Collectors.toList());
    }

    @Override
    public void created(TestResource resource) {
        add("created", resource, null, 0, null);
    }

    @Override
    public void createFailed(Throwable failure) {
        add("createFailed", null, null, 0, failure);
    }

    @Override
    public void destroyed(TestResource resource, DestroyReason reason) {
        add("destroyed", resource, reason, 0, null);
    }

    @Override
    public void timedOut(long waitNanos) {
        add("timedOut", null, null, waitNanos, null);
    }

    @Override
    public void rejected(PoolException reason) {
        add("rejected", null, null, 0, reason);
    }

    @Override
    public void leakSuspected(TestResource resource, long heldNanos, Throwable acquiredAt) {
        add("leakSuspected", resource, null, heldNanos, acquiredAt);
    }

    @Override
    public void circuitOpened(Throwable lastFailure) {
        add("circuitOpened", null, null, 0, lastFailure);
    }

    @Override
    public void circuitHalfOpen() {
        add("circuitHalfOpen", null, null, 0, null);
    }

    @Override
    public void circuitClosed() {
        add("circuitClosed", null, null, 0, null);
    }
}
