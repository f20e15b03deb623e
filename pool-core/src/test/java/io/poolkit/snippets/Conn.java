package io.poolkit.snippets;

/** A stand-in connection for the javadoc examples (compiled, so the examples stay true). */
public final class Conn implements AutoCloseable {
    private boolean open = true;

    public static Conn open() {
        return new Conn();
    }

    public static Conn open(String host) {
        return new Conn();
    }

    public boolean isOpen() {
        return open;
    }

    public void send(String message) {
        if (!open) {
            throw new IllegalStateException("closed");
        }
    }

    @Override
    public void close() {
        open = false;
    }
}
