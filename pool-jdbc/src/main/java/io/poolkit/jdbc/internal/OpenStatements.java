package io.poolkit.jdbc.internal;

import java.util.Arrays;

/**
 * The statements the current borrower of one physical connection opened and has not closed yet: the
 * return path closes them. One per {@link PooledConnection}, reused by each lease in turn (the
 * return path empties it), so borrowing allocates nothing for it; HikariCP keeps its open statements
 * on the pool entry for the same reason. A statement is usually closed soon after it is opened, so
 * removal searches from the newest.
 *
 * <p>Not thread-safe: used by one lease at a time, like the connection.
 */
final class OpenStatements {
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

    /** Forgets them all (the next lease starts empty). */
    void clear() {
        Arrays.fill(items, 0, size, null);
        size = 0;
    }
}
