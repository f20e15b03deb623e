package io.poolkit.jdbc.internal;

import java.sql.SQLException;

/**
 * A connection opened, but setting it up failed: a configured default the database refused, or
 * {@code connectionInitSql}. The start's message then blames the setting, not the database being
 * away: waiting would not help ({@link StartFailure}). Keeps the driver's SQLState and error code.
 */
final class ConnectionSetupException extends SQLException {
    private static final long serialVersionUID = 1L;

    /** What failed, as the start's message says it: {@code its connectionInitSql}, {@code setting its schema}. */
    final String what;

    ConnectionSetupException(String what, SQLException cause) {
        super(what + " failed: " + cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
        this.what = what;
    }
}
