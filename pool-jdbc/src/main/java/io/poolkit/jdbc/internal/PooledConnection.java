package io.poolkit.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One physical connection in the pool, and the defaults the return path restores. The defaults
 * configured on the builder are known at creation; the others are read from the driver the first
 * time a caller changes that property (after a return every property is back at its default, so
 * the value read then is the default), which keeps creation and the return path free of round
 * trips for properties nobody touches.
 *
 * <p>Not thread-safe: used by one lease at a time; the pool's hand-over orders one lease's writes
 * before the next lease's reads.
 */
public final class PooledConnection {
    private static final Logger log = LoggerFactory.getLogger(PooledConnection.class);
    private static final AtomicLong IDS = new AtomicLong();
    static final int UNKNOWN = Integer.MIN_VALUE;

    final Connection raw;
    final long id;
    private final String label;
    /** The statements the current borrower left open: reused by every lease, emptied on return. */
    final OpenStatements statements = new OpenStatements();

    final boolean autoCommit;
    int isolation = UNKNOWN;
    int readOnly = UNKNOWN; // 0 false, 1 true
    boolean catalogKnown;
    String catalog;
    boolean schemaKnown;
    String schema;
    int networkTimeout = UNKNOWN;

    PooledConnection(Connection raw, boolean autoCommit, Integer isolation, Boolean readOnly, String catalog, String schema,
            String description) {
        this.raw = raw;
        this.id = IDS.incrementAndGet();
        this.label = "connection #" + id + " (" + description + ")";
        this.autoCommit = autoCommit;
        if (isolation != null) {
            this.isolation = isolation;
        }
        if (readOnly != null) {
            this.readOnly = readOnly ? 1 : 0;
        }
        if (catalog != null) {
            this.catalog = catalog;
            this.catalogKnown = true;
        }
        if (schema != null) {
            this.schema = schema;
            this.schemaKnown = true;
        }
    }

    /** @return the driver's connection (tests and diagnostics; callers get a proxy) */
    public Connection raw() {
        return raw;
    }

    /**
     * Reads the defaults not known yet (before the caller touches the driver's connection directly).
     *
     * @param bits the {@code ConnectionProxy} property bits to read
     * @return false when a default could not be read: that property can then not be restored
     */
    boolean learn(int bits) {
        try {
            if ((bits & ConnectionProxy.ISOLATION) != 0 && isolation == UNKNOWN) {
                isolation = raw.getTransactionIsolation();
            }
            if ((bits & ConnectionProxy.READ_ONLY) != 0 && readOnly == UNKNOWN) {
                readOnly = raw.isReadOnly() ? 1 : 0;
            }
            if ((bits & ConnectionProxy.CATALOG) != 0 && !catalogKnown) {
                catalog = raw.getCatalog();
                catalogKnown = true;
            }
            if ((bits & ConnectionProxy.SCHEMA) != 0 && !schemaKnown) {
                schema = raw.getSchema();
                schemaKnown = true;
            }
            if ((bits & ConnectionProxy.NETWORK_TIMEOUT) != 0 && networkTimeout == UNKNOWN) {
                try {
                    networkTimeout = raw.getNetworkTimeout();
                } catch (SQLFeatureNotSupportedException | AbstractMethodError e) {
                    // left unknown: a driver that cannot tell it cannot set it either
                }
            }
            return true;
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            log.debug("could not read the defaults of {}; it will be destroyed if they change", this, e);
            return false;
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
