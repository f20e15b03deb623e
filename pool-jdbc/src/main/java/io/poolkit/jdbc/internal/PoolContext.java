package io.poolkit.jdbc.internal;

import io.poolkit.jdbc.FatalErrorClassifier;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every proxy of one data source shares: its name, its classifier, its closed stand-ins, its
 * secrets. Immutable but for a once-per-pool diagnostic flag. Thread-safe.
 */
public final class PoolContext {
    private static final Logger log = LoggerFactory.getLogger(PoolContext.class);

    /** The pool's name, the prefix of every log line and message. */
    public final String name;
    /** Where connections come from, redacted: {@code jdbc:postgresql://db/app as app}. */
    public final String description;
    final FatalErrorClassifier classifier;
    final Secrets secrets;
    /** The stand-in a returned proxy forwards to: every call throws "connection is closed". */
    final Connection closed;
    /** The stand-in behind a returned connection's metadata: every call throws "connection is closed". */
    final DatabaseMetaData closedMetaData;
    /** The clash of pgjdbc's server-side statements has been explained ({@link #noticeServerStatementClash}). */
    private volatile boolean serverStatementsExplained;

    public PoolContext(String name, String description, FatalErrorClassifier classifier, Secrets secrets) {
        this.name = name;
        this.description = description;
        this.classifier = classifier;
        this.secrets = secrets;
        this.closed = ClosedConnection.create(name);
        this.closedMetaData = ClosedConnection.metaData(name);
    }

    /**
     * pgjdbc names the statements it prepares on the server {@code S_1}, {@code S_2}, ... per client
     * connection. The server missing one of them (26000), or already holding one of that name
     * (42P05), means the server connection is shared with other clients: PgBouncer in transaction
     * mode before 1.21. The first such failure is explained at WARN with the fix, once per pool.
     */
    void noticeServerStatementClash(SQLException failure) {
        String state = failure.getSQLState();
        if (("42P05".equals(state) || "26000".equals(state)) && !serverStatementsExplained
                && String.valueOf(failure.getMessage()).contains("\"S_")) {
            serverStatementsExplained = true; // a race may say it twice; it is only a log line
            log.warn("{} - the server does not know pgjdbc's prepared statement or has another of that name ({}: {}): the server"
                    + " connection is shared with other clients, as by PgBouncer in transaction mode before 1.21. Set the driver"
                    + " property prepareThreshold=0 (dataSource.prepareThreshold=0, or .property(\"prepareThreshold\", \"0\")), or use"
                    + " PgBouncer's max_prepared_statements (1.21+). Said once per pool", name, state, failure.getMessage());
        }
    }

    /** Whether any link of {@code failure} (next exceptions and causes) is fatal for its connection. */
    public boolean isFatal(SQLException failure) {
        return isFatal(failure, 0);
    }

    private boolean isFatal(Throwable t, int depth) {
        if (t == null || depth > 10) {
            return false;
        }
        if (t instanceof SQLException s) {
            try {
                if (classifier.isFatal(s)) {
                    return true;
                }
            } catch (RuntimeException e) {
                log.warn("{} - the fatal-error classifier threw; treating the failure as fatal", name, e);
                return true;
            }
            SQLException next = s.getNextException();
            if (next != null && next != s && isFatal(next, depth + 1)) {
                return true;
            }
        }
        return t.getCause() != t && isFatal(t.getCause(), depth + 1);
    }
}
