package io.poolkit.jdbc.internal;

import io.poolkit.jdbc.FatalErrorClassifier;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every proxy of one data source shares: its name, its classifier, its closed stand-in, its secrets. Immutable. */
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

    public PoolContext(String name, String description, FatalErrorClassifier classifier, Secrets secrets) {
        this.name = name;
        this.description = description;
        this.classifier = classifier;
        this.secrets = secrets;
        this.closed = ClosedConnection.create(name);
        this.closedMetaData = ClosedConnection.metaData(name);
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
