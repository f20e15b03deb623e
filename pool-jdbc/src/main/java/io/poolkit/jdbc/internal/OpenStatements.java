package io.poolkit.jdbc.internal;

import java.sql.SQLException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statements the current borrower of one physical connection opened and has not closed yet: the
 * return path closes them. One per {@link PooledConnection}, reused by each lease in turn (the
 * return path empties it), so borrowing allocates nothing for it; HikariCP keeps its open statements
 * on the pool entry for the same reason. A statement is usually closed soon after it is opened, so
 * removal searches from the newest.
 *
 * <p>Not thread-safe: used by one lease at a time, like the connection, on its borrower's thread;
 * an abort from another thread leaves it alone ({@link ConnectionProxy#abort}), and the connection
 * it belongs to is then destroyed, never lent again.
 */
final class OpenStatements {
    private static final Logger log = LoggerFactory.getLogger(OpenStatements.class);
    private StatementProxy<?>[] items = new StatementProxy<?>[8];
    private int size;

    void add(StatementProxy<?> s) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = s;
    }

    void remove(StatementProxy<?> s) {
        StatementProxy<?>[] a = items;
        for (int i = size - 1; i >= 0; i--) {
            if (a[i] == s) {
                int tail = size - 1 - i;
                if (tail > 0) {
                    System.arraycopy(a, i + 1, a, i, tail);
                }
                a[--size] = null;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    /** @return the {@code i}-th oldest open statement */
    StatementProxy<?> get(int i) {
        return items[i];
    }

    /**
     * The return path: closes each statement left open (and with it its result sets), then forgets
     * them all, whatever interrupts this (the next lease starts empty).
     *
     * @return whether closing one failed with a fatal error (the connection is then destroyed)
     */
    boolean closeAll(PoolContext ctx, PooledConnection pc) {
        boolean fatal = false;
        try {
            for (int i = 0; i < size; i++) {
                try {
                    items[i].closeForReturn();
                } catch (SQLException e) {
                    fatal |= ctx.isFatal(e);
                    log.debug("{} - closing a statement left open on {} failed", ctx.name, pc, e);
                }
            }
        } finally {
            clear();
        }
        return fatal;
    }

    /** Forgets them all (the next lease starts empty). */
    void clear() {
        Arrays.fill(items, 0, size, null);
        size = 0;
    }
}
