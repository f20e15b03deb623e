package io.poolkit.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.Properties;
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
    /** How to ask the driver whether the server holds a transaction open under auto-commit, or null when it cannot tell. */
    final ServerTransaction.Probe serverTransaction;
    int isolation = UNKNOWN;
    int readOnly = UNKNOWN; // 0 false, 1 true
    boolean catalogKnown;
    String catalog;
    boolean schemaKnown;
    String schema;
    int networkTimeout = UNKNOWN;
    boolean clientInfoKnown;
    /** A copy of the client info at the first change (null when the driver cannot tell it). */
    Properties clientInfo;

    PooledConnection(Connection raw, boolean autoCommit, Integer isolation, Boolean readOnly, String catalog, String schema,
            String description) {
        this.raw = raw;
        this.id = IDS.incrementAndGet();
        this.label = "connection #" + id + " (" + description + ")";
        this.autoCommit = autoCommit;
        this.serverTransaction = ServerTransaction.probe(raw);
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
            if ((bits & ConnectionProxy.CLIENT_INFO) != 0 && !clientInfoKnown) {
                try {
                    Properties current = raw.getClientInfo();
                    Properties copy = new Properties();
                    if (current != null) {
                        copy.putAll(current); // pgjdbc hands out its own object, which later changes write to
                    }
                    clientInfo = copy;
                } catch (SQLFeatureNotSupportedException | AbstractMethodError e) {
                    // left unknown: a driver that cannot tell it keeps none to restore
                }
                clientInfoKnown = true;
            }
            return true;
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            log.debug("could not read the defaults of {}; it will be destroyed if they change", this, e);
            return false;
        }
    }

    /** Under auto-commit: rolls back a transaction the caller opened with SQL, when the driver can tell ({@link ServerTransaction}). */
    void rollBackSqlTransaction() throws SQLException {
        if (serverTransaction != null && ServerTransaction.open(serverTransaction, raw)) {
            ServerTransaction.rollBack(raw);
        }
    }

    /** @return whether the client info differed from the default and was set back (pgjdbc: a SET) */
    boolean restoreClientInfo() throws SQLException {
        Properties initial = clientInfo;
        if (initial == null || initial.equals(raw.getClientInfo())) {
            return false;
        }
        raw.setClientInfo(initial);
        return true;
    }

    /**
     * The return after the caller unwrapped to the driver's connection: no assumption about what it
     * did there, every property compared and set back ({@link #learn} read them all at the unwrap).
     */
    void restoreEverything() throws SQLException {
        if (!raw.getAutoCommit()) {
            raw.rollback();
        } else {
            rollBackSqlTransaction();
        }
        if (raw.getTransactionIsolation() != isolation) {
            raw.setTransactionIsolation(isolation);
        }
        if (raw.isReadOnly() != (readOnly == 1)) {
            raw.setReadOnly(readOnly == 1);
        }
        if (!Objects.equals(raw.getCatalog(), catalog)) {
            raw.setCatalog(catalog);
        }
        if (!Objects.equals(raw.getSchema(), schema)) {
            raw.setSchema(schema);
        }
        if (networkTimeout != UNKNOWN && raw.getNetworkTimeout() != networkTimeout) {
            raw.setNetworkTimeout(Runnable::run, networkTimeout);
        }
        restoreClientInfo();
        if (raw.getAutoCommit() != autoCommit) {
            raw.setAutoCommit(autoCommit);
        } else if (!autoCommit) {
            // the caller's work was rolled back above; what is open now are the getters' queries and
            // the SETs that restored the session: keep those
            raw.commit();
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
